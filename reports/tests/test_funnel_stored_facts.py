"""The funnel reads stored facts of the lead (Lead.reached_contacted with first_contact_at and
qualified_at) instead of the status log: after every kind of change, its counts equal a count
from scratch over the log, the qualifications and the opportunities the user sees."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection

from activities.models import Activity
from activities.services import log_activity
from leads.models import Lead, LeadStatusChange, Qualification, State, Status
from leads.services import (
    assign_lead,
    create_leads,
    disqualify_lead,
    mark_lead_contacted,
    qualify_lead,
    reactivate_lead,
    set_lead_status,
)
from leads.tests.factories import lead_data, make_lead
from opportunities.models import Opportunity
from opportunities.services import win_opportunity
from reports.funnel import STEPS
from reports.queries import Criteria, funnel_counts

STEP_NAMES = [name for name, _label in STEPS]


def _from_scratch(user):
    """{source id: [created, contacted, qualified, opportunity, won]} and the totals, counted
    lead by lead from the status log, the qualifications and the visible opportunities."""
    leads = Lead.objects.all() if user is None else Lead.objects.visible_to(user)
    opportunities = (
        Opportunity.objects.all() if user is None else Opportunity.objects.visible_to(user)
    )
    seen = {o.pk: o.state for o in opportunities}
    rows, totals = {}, [0] * 5
    for lead in leads:
        logged = LeadStatusChange.objects.filter(lead=lead, to_status=Status.CONTACTED).exists()
        qualifications = Qualification.objects.filter(lead=lead, kind=Qualification.Kind.QUALIFIED)
        fed = [q.opportunity_id for q in qualifications if q.opportunity_id in seen]
        qualified = qualifications.exists() or lead.qualified_at is not None
        qualified = qualified or lead.state == State.QUALIFIED
        steps = [
            1,
            int(lead.first_contact_at is not None or logged or qualified),
            int(qualified),
            int(bool(fed)),
            int(any(seen[pk] == Opportunity.State.WON for pk in fed)),
        ]
        row = rows.setdefault(lead.source_id, [0] * 5)
        for i, reached in enumerate(steps):
            row[i] += reached
            totals[i] += reached
    return rows, totals


def _stored(user):
    rows, totals = {}, None
    for row in funnel_counts(user=user, criteria=Criteria()):
        counts = [int(row[name] or 0) for name in STEP_NAMES]
        if row["is_total"]:
            totals = counts
        else:
            rows[row["k1"]] = counts
    return rows, totals


def _reached_contacted_from_the_log():
    logged = set(
        LeadStatusChange.objects.filter(to_status=Status.CONTACTED).values_list("lead", flat=True)
    )
    return {pk: pk in logged for pk in Lead.objects.values_list("pk", flat=True)}


def _stored_reached_contacted():
    return dict(Lead.objects.values_list("pk", "reached_contacted"))


@pytest.fixture
def changed(alice, bob, carol):
    """Leads taken through each path that writes the status log (or does not)."""
    called = make_lead(owner=alice, last_name="Called")
    log_activity(
        regarding=called,
        user=alice,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": "First call", "direction": "outgoing"},
        completed=True,
    )
    back_to_new = make_lead(owner=alice, last_name="Back")
    set_lead_status(lead=back_to_new, user=alice, status=Status.CONTACTED)
    set_lead_status(lead=back_to_new, user=alice, status=Status.NEW)
    marked = make_lead(owner=bob, last_name="Marked")
    mark_lead_contacted(lead=marked, user=bob)
    disqualify_lead(lead=marked, user=bob, status=Status.LOST)
    reopened = make_lead(owner=alice, last_name="Reopened")
    disqualify_lead(lead=reopened, user=alice, status=Status.CANCELED)
    reactivate_lead(lead=reopened, user=alice, status=Status.CONTACTED)
    qualified = make_lead(owner=alice, last_name="Won", estimated_value=Decimal("100"))
    opportunity = qualify_lead(
        lead=qualified, user=alice, create_account=True, create_opportunity=True
    ).opportunity
    win_opportunity(opportunity=opportunity, user=alice, actual_value=Decimal("100"))
    requalified = make_lead(owner=alice, last_name="Again")
    qualify_lead(lead=requalified, user=alice, create_account=True, create_opportunity=True)
    reactivate_lead(lead=requalified, user=alice)
    untouched = make_lead(owner=bob, last_name="Untouched")
    # A batch (the bulk path: one INSERT ... SELECT for the log), one imported as Contacted.
    batch = create_leads(
        leads=[
            Lead(**lead_data(last_name="Imported contacted"), status=Status.CONTACTED),
            Lead(**lead_data(last_name="Imported new")),
        ],
        created_by=alice,
    )
    # Reassignments: the lead (and what the funnel counts of it) moves to another owner.
    assign_lead(lead=reopened, user=alice, owner=carol)
    assign_lead(lead=untouched, user=bob, owner=carol)
    return {"batch": batch, "opportunity": opportunity}


def test_reached_contacted_is_what_the_status_log_says_after_every_path(changed):
    assert _stored_reached_contacted() == _reached_contacted_from_the_log()
    assert sum(_stored_reached_contacted().values()) == 5  # called, back, marked, reopened, batch


def test_a_batch_stores_reached_contacted_as_its_first_log_entries_say(changed):
    contacted, new = changed["batch"]
    contacted.refresh_from_db()
    new.refresh_from_db()
    assert (contacted.reached_contacted, new.reached_contacted) == (True, False)


@pytest.mark.parametrize("persona", [None, "alice", "carol", "manager"])
def test_the_funnel_counts_what_a_count_from_scratch_counts(changed, request, persona):
    user = None if persona is None else request.getfixturevalue(persona)
    rows, totals = _from_scratch(user)
    assert _stored(user) == (rows, totals)


def test_the_funnel_after_a_reassignment_counts_the_lead_for_its_new_owner(changed, alice, carol):
    _rows, alices = _stored(alice)
    _rows, carols = _stored(carol)
    # carol (another team) sees the two leads given to her: one reopened as Contacted
    assert carols == [2, 1, 0, 0, 0]
    assert alices == _from_scratch(alice)[1]


def test_the_migration_fills_reached_contacted_from_the_log(changed):
    expected = _stored_reached_contacted()
    Lead.objects.update(reached_contacted=False)
    migration = importlib.import_module("leads.migrations.0012_lead_reached_contacted")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_REACHED_CONTACTED)
    assert _stored_reached_contacted() == expected
    assert any(expected.values()) and not all(expected.values())
