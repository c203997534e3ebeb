"""The funnel's last two steps are stored on the lead (Lead.reached_opportunity, reached_won)
for a user who sees every opportunity: after every path that qualifies a lead or closes or
reopens an opportunity, they equal what the qualifications and the opportunities say, and
so does the funnel; a user who does not see an opportunity still does not count it."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection

from leads.models import Lead, Qualification
from leads.services import create_leads, qualify_lead, reactivate_lead
from leads.tests.factories import lead_data, make_lead
from opportunities.models import Opportunity
from opportunities.services import lose_opportunity, reopen_opportunity, win_opportunity
from reports.funnel import STEPS
from reports.queries import Criteria, funnel_counts

STEP_NAMES = [name for name, _label in STEPS]


def _from_the_qualifications():
    """{lead id: (reached an opportunity, reached a won one)} from the qualifications."""
    facts = dict.fromkeys(Lead.objects.values_list("pk", flat=True), (False, False))
    links = Qualification.objects.filter(
        kind=Qualification.Kind.QUALIFIED, opportunity__isnull=False
    ).values_list("lead_id", "opportunity__state")
    for lead_id, state in links:
        facts[lead_id] = (True, facts[lead_id][1] or state == Opportunity.State.WON)
    return facts


def _stored():
    return {
        pk: (fed, won)
        for pk, fed, won in Lead.objects.values_list("pk", "reached_opportunity", "reached_won")
    }


def _totals(user):
    (total,) = [r for r in funnel_counts(user=user, criteria=Criteria()) if r["is_total"]]
    return [int(total[name] or 0) for name in STEP_NAMES]


def _qualify(lead, user, **options):
    options = options or {"create_account": True, "create_opportunity": True}
    return qualify_lead(lead=lead, user=user, **options).opportunity


@pytest.fixture
def paths(alice, bob, carol):
    """Leads taken through each path that feeds, closes or reopens an opportunity."""
    won = make_lead(owner=alice, last_name="Won", estimated_value=Decimal("100"))
    win_opportunity(opportunity=_qualify(won, alice), user=alice, actual_value=Decimal("100"))
    lost = make_lead(owner=alice, last_name="Lost")
    lose_opportunity(opportunity=_qualify(lost, alice), user=alice)
    reopened = make_lead(owner=bob, last_name="Reopened")
    deal = _qualify(reopened, bob)
    win_opportunity(opportunity=deal, user=bob)
    reopen_opportunity(opportunity=deal, user=bob)
    # Two leads into one opportunity, then won: both leads reached a won opportunity.
    first = make_lead(owner=alice, last_name="First")
    shared = _qualify(first, alice)
    second = make_lead(owner=alice, last_name="Second")
    _qualify(second, alice, existing_opportunity=shared)
    win_opportunity(opportunity=shared, user=alice)
    # Qualified into an opportunity already won.
    late = make_lead(owner=alice, last_name="Late")
    _qualify(late, alice, existing_opportunity=shared)
    # Qualified twice: the first opportunity won, the second reopened after a win; the lead
    # stays won through its first one.
    twice = make_lead(owner=alice, last_name="Twice")
    win_opportunity(opportunity=_qualify(twice, alice), user=alice)
    reactivate_lead(lead=twice, user=alice)
    again = _qualify(Lead.objects.get(pk=twice.pk), alice)
    win_opportunity(opportunity=again, user=alice)
    reopen_opportunity(opportunity=again, user=alice)
    # Qualified without an opportunity, never qualified, and carol's (another team's) won one.
    qualify_lead(lead=make_lead(owner=alice, last_name="No deal"), user=alice, create_account=True)
    make_lead(owner=bob, last_name="Open")
    theirs = make_lead(owner=carol, last_name="Theirs")
    win_opportunity(opportunity=_qualify(theirs, carol), user=carol)
    # The bulk path (create_leads' batch insert) stores leads that reached nothing.
    create_leads(leads=[Lead(**lead_data(last_name="Batch"))], created_by=alice)
    return {"won": won, "twice": twice, "late": late, "reopened": reopened, "theirs": theirs}


def test_the_stored_facts_are_what_the_qualifications_say_after_every_path(paths):
    assert _stored() == _from_the_qualifications()
    facts = _stored()
    assert facts[paths["won"].pk] == (True, True)
    assert facts[paths["twice"].pk] == (True, True)
    assert facts[paths["late"].pk] == (True, True)
    assert facts[paths["reopened"].pk] == (True, False)
    assert sum(won for _fed, won in facts.values()) == 6  # won, first, second, late, twice, theirs


def test_reopening_the_only_won_opportunity_takes_the_won_step_back(paths, alice):
    reopen_opportunity(opportunity=paths["won"].qualifications.get().opportunity, user=alice)
    assert _stored() == _from_the_qualifications()
    assert _stored()[paths["won"].pk] == (True, False)


def test_a_deleted_opportunity_no_longer_counts_for_its_leads(paths):
    """A sales manager may delete an opportunity: the qualification keeps no link to it, and
    the lead's stored facts follow (the other of a lead qualified twice still counts)."""
    paths["won"].qualifications.get().opportunity.delete()
    first, _second = paths["twice"].qualifications.order_by("pk")
    first.opportunity.delete()
    assert _stored() == _from_the_qualifications()
    assert _stored()[paths["won"].pk] == (False, False)
    assert _stored()[paths["twice"].pk] == (True, False)  # its second one was reopened
    assert _totals(None)[3:] == [7, 4]


@pytest.mark.parametrize("persona", [None, "admin_user"])
def test_a_funnel_of_every_opportunity_reads_the_stored_facts(paths, request, persona):
    user = None if persona is None else request.getfixturevalue(persona)
    facts = _from_the_qualifications().values()
    assert _totals(user)[3:] == [sum(fed for fed, _ in facts), sum(won for _, won in facts)]
    assert _totals(user)[3:] == [8, 6]


def test_a_rep_does_not_count_an_opportunity_she_does_not_see(paths, alice, carol):
    """Visibility still decides for everyone else: carol's lead given to alice's team while
    its opportunity stays carol's is a lead alice sees, with an opportunity she does not."""
    Lead.objects.filter(pk=paths["theirs"].pk).update(owner_user=alice)
    assert _totals(carol) == [0, 0, 0, 0, 0]  # the opportunity is hers, the lead no longer
    # alice's team's leads, and now theirs without its opportunity: 7 reached one she sees
    # (won, lost, reopened, first, second, late, twice), 5 a won one.
    assert _totals(alice)[2:] == [9, 7, 5]
    assert _totals(None)[3:] == [8, 6]


def test_the_migration_fills_the_facts_from_the_qualifications(paths):
    expected = _stored()
    Lead.objects.update(reached_opportunity=False, reached_won=False)
    migration = importlib.import_module("leads.migrations.0015_lead_reached_opportunity")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_REACHED_OPPORTUNITY)
    assert _stored() == expected
    assert any(won for _fed, won in expected.values())
