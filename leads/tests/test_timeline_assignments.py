"""The record's timeline shows who the record was given to, by whom and why, whichever way it
happened (by hand, a bulk reassignment, the routing rules), beside its state changes and its
shares (activities/timeline.py: the "assignment", "status" and "share" sources)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from activities.timeline import build_timeline
from crm.models import Share
from crm.services import share_record, update_record
from leads import services
from leads.models import Status
from leads.routing.models import AssignmentRule
from leads.routing.services import reroute_leads
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def _assignments(record, user):
    return [e for e in build_timeline(record, user).entries if e.kind == "assignment"]


def test_an_assignment_by_hand_is_on_the_timeline(alice, bob):
    lead = make_lead(owner=alice)

    services.assign_lead(lead=lead, user=alice, owner=bob)

    [entry] = _assignments(lead, alice)
    assert (entry.object.owner_user, entry.object.history_user) == (bob, alice)


def test_a_bulk_reassignment_is_there_with_its_reason(alice, bob, north):
    leads = [make_lead(owner=alice, email=f"{n}@x.example") for n in range(2)]

    services.assign_leads(leads=leads, user=alice, owner=north)

    for lead in leads:
        [entry] = _assignments(lead, alice)
        assert entry.object.owner_team == north
        assert entry.object.reason_text == "Bulk assignment"


def test_routing_is_there_naming_the_rule(alice, bob):
    lead = make_lead(owner=alice)
    AssignmentRule.objects.create(name="Web to Bob", priority=1, target_user=bob)

    reroute_leads(leads=[lead], user=alice)

    [entry] = _assignments(lead, alice)
    assert entry.object.owner_user == bob
    assert "Web to Bob" in entry.object.reason_text


def test_a_change_that_keeps_the_owner_is_no_assignment(alice):
    account = AccountFactory(owner_user=alice)

    update_record(account, user=alice, data={"name": "Renamed"}, expected_version=None)

    assert _assignments(account, alice) == []


def test_an_accounts_reassignment_is_on_its_page(as_alice, alice, bob):
    account = AccountFactory(owner_user=alice, name="Acme")
    update_record(account, user=alice, data={"owner_user": bob}, expected_version=None)

    content = as_alice.get(account.get_absolute_url()).content.decode()

    assert 'data-testid="assignment-entry"' in content
    assert "To Bob Berg" in content


def test_state_changes_and_shares_are_there_too(as_alice, alice, carol):
    lead = make_lead(owner=alice)
    services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)
    share_record(record=lead, by=alice, user=carol, access=Share.Access.READ)

    kinds = {entry.kind for entry in build_timeline(lead, alice).entries}

    assert {"status", "share"} <= kinds
    url = reverse("activities:timeline", args=["leads.lead", lead.pk])
    content = as_alice.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="status-change"' in content and 'data-testid="share-entry"' in content


def test_the_filter_shows_only_assignments(as_alice, alice, bob):
    lead = make_lead(owner=alice)
    services.assign_lead(lead=lead, user=alice, owner=bob)
    services.set_lead_status(lead=lead, user=bob, status=Status.CONTACTED)

    entries = build_timeline(lead, alice, kind="assignment").entries

    assert [entry.kind for entry in entries] == ["assignment"]
