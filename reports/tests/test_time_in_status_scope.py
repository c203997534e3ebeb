"""Time in status reads the owner each status-log entry carries: the stays it counts are
still exactly those of the leads the user sees (OwnedQuerySet.visible_to on the leads), with
every filter, and they follow a lead to its new owner."""

import datetime

import pytest
from django.db.models import Q

from leads import services
from leads.models import Lead, LeadSource, LeadStatusChange
from leads.models.status_log import WAITING_STATUSES
from reports.queries import Criteria
from reports.tests.factories import DAY, T0, build_known_data
from reports.time_in_status import time_in_status_report

NOW = T0 + 10 * DAY


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def counted(user, criteria):
    """Stays the report counts, per status."""
    rows, statuses = time_in_status_report(user=user, criteria=criteria, now=NOW)
    totals = {}
    for row in rows:
        for (status, _label), stay in zip(statuses, row.cells, strict=True):
            if stay is not None:
                totals[status] = totals.get(status, 0) + stay.stays
    return totals


def expected(user, leads_filter=None):
    """The same, counted from the stays of the leads visible to the user (None: all)."""
    leads = Lead.objects.all() if user is None else Lead.objects.visible_to(user)
    stays = LeadStatusChange.objects.filter(lead__in=leads.filter(leads_filter or Q())).filter(
        Q(left_at__isnull=False) | Q(to_status__in=WAITING_STATUSES)
    )
    totals = {}
    for status in stays.values_list("to_status", flat=True):
        totals[status] = totals.get(status, 0) + 1
    return totals


@pytest.mark.parametrize("persona", ["alice", "carol", "manager", "admin_user", None])
@pytest.mark.parametrize("by", ["owner", "team"])
def test_the_stays_counted_are_those_of_the_leads_the_user_sees(known, request, persona, by):
    # By team a stay counts once per team of its owner: here each owner is in one team.
    user = request.getfixturevalue(persona) if persona else None

    assert counted(user, Criteria(by=by)) == expected(user)


def test_the_filters_still_apply(known, alice, bob, manager, north):
    web = LeadSource.objects.get(name="Web")
    day = datetime.date(2026, 3, 3)  # W2, W3 (T0 + 1 day)
    midnight = datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC)
    cases = [
        (Criteria(by="owner", source=web), Q(source=web)),
        (
            Criteria(by="owner", created_from=day, created_to=day, time_zone=datetime.UTC),
            Q(created_at__gte=midnight, created_at__lt=midnight + DAY),
        ),
        (Criteria(by="owner", campaign=known["campaign"]), Q(campaign=known["campaign"])),
        (Criteria(by="owner", owner=alice), Q(owner_user=alice)),
        (
            Criteria(by="team", team=north),
            Q(owner_team=north) | Q(owner_user__in=[alice, bob, manager]),
        ),
    ]
    for criteria, leads_filter in cases:
        assert counted(alice, criteria) == expected(alice, leads_filter), criteria


def test_the_stays_follow_the_lead_to_its_new_owner(known, alice, carol):
    w4 = Lead.objects.get(last_name="W4")  # carol's, in South: alice cannot see it
    before = counted(alice, Criteria(by="owner"))

    services.assign_lead(lead=w4, user=carol, owner=alice)

    assert counted(alice, Criteria(by="owner")) == {**before, "new": before["new"] + 1}
    assert counted(carol, Criteria(by="owner")) == {}
    rows, _statuses = time_in_status_report(user=alice, criteria=Criteria(by="owner"), now=NOW)
    assert "Carol Cruz" not in [row.label for row in rows]
