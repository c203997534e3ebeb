"""Each status-log entry carries its lead's owner (LeadStatusChange.owner_user / owner_team,
what the time-in-status report finds and groups the stays by): written with every entry,
written again for all of a lead's entries by every owner change, and filled for existing
rows by migration 0014 with the same values."""

import importlib

import pytest
from django.db import connection

from leads import services
from leads.models import Lead, LeadStatusChange, Status
from leads.routing import services as routing
from leads.tests.factories import lead_data, make_lead

pytestmark = pytest.mark.django_db


def _disagreeing():
    """(lead, the entry's owner, the lead's owner) of every entry that is not its lead's."""
    owners = {
        pk: (user, team)
        for pk, user, team in Lead.objects.values_list("pk", "owner_user", "owner_team")
    }
    entries = LeadStatusChange.objects.values_list("lead_id", "owner_user_id", "owner_team_id")
    return [
        (lead, (user, team), owners[lead])
        for lead, user, team in entries
        if (user, team) != owners[lead]
    ]


def _entries_owned(lead):
    return set(
        LeadStatusChange.objects.filter(lead=lead).values_list("owner_user_id", "owner_team_id")
    )


@pytest.fixture
def worked_lead(alice):
    """Alice's lead, New then Contacted: two entries."""
    lead = make_lead(owner=alice)
    services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)
    return lead


def test_the_first_entry_carries_the_owner_one_lead_or_a_batch(alice, north):
    single = make_lead(owner=north, created_by=alice)
    batch = [Lead(**lead_data(last_name=f"Batch {n}")) for n in range(3)]
    batch[0].owner = north
    services.create_leads(leads=batch, created_by=alice)  # the others fall back to alice

    assert _entries_owned(single) == {(None, north.pk)}
    assert _entries_owned(batch[1]) == {(alice.pk, None)}
    assert LeadStatusChange.objects.count() == 4
    assert _disagreeing() == []


def test_a_status_change_carries_the_owner_of_the_moment(alice, bob, worked_lead):
    services.assign_lead(lead=worked_lead, user=alice, owner=bob)
    worked_lead.refresh_from_db()
    services.disqualify_lead(lead=worked_lead, user=bob, status=Status.LOST)

    assert LeadStatusChange.objects.filter(lead=worked_lead).count() == 3
    assert _entries_owned(worked_lead) == {(bob.pk, None)}


# Every owner change of a stored lead: (name, the change) for a lead of alice's, a rep of north.
OWNER_CHANGES = {
    "assign to a user": lambda lead, alice, bob, north: services.assign_lead(
        lead=lead, user=alice, owner=bob
    ),
    "assign to a team": lambda lead, alice, bob, north: services.assign_lead(
        lead=lead, user=alice, owner=north
    ),
    "bulk assign": lambda lead, alice, bob, north: services.assign_leads(
        leads=[lead], user=alice, owner=bob
    ),
    "claim from the team queue": lambda lead, alice, bob, north: (
        services.assign_lead(lead=lead, user=alice, owner=north),
        routing.claim_lead(lead=Lead.objects.get(pk=lead.pk), user=bob),
    ),
    # No rule: the rules give it to its creator (bob).
    "apply routing rules": lambda lead, alice, bob, north: routing.reroute_leads(
        leads=[lead], user=alice
    ),
    "hand over to a user": lambda lead, alice, bob, north: routing.hand_over_open_leads(
        users=[alice], performed_by=bob, to=bob
    ),
    "hand over by the rules": lambda lead, alice, bob, north: routing.hand_over_open_leads(
        users=[alice], performed_by=bob
    ),
    # The admin's change form saves the owner fields through update_lead.
    "edit the owner fields": lambda lead, alice, bob, north: services.update_lead(
        lead=lead, user=alice, data={"owner_user": None, "owner_team": north}
    ),
}


@pytest.mark.parametrize("change", OWNER_CHANGES)
def test_an_owner_change_moves_every_entry_of_the_lead(alice, bob, north, change):
    lead = make_lead(owner=alice, created_by=bob)
    services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)
    other = make_lead(owner=alice, last_name="Untouched", email="untouched@example.com")
    lead.refresh_from_db()

    OWNER_CHANGES[change](lead, alice, bob, north)

    lead.refresh_from_db()
    assert lead.owner != alice  # the change happened
    assert _entries_owned(lead) == {(lead.owner_user_id, lead.owner_team_id)}
    if not change.startswith("hand over"):  # a hand-over moves all of alice's open leads
        assert _entries_owned(other) == {(alice.pk, None)}  # only that lead's entries
    assert _disagreeing() == []


def test_the_migration_fills_what_the_services_write(alice, bob, north):
    lead = make_lead(owner=alice)
    services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)
    services.assign_lead(lead=Lead.objects.get(pk=lead.pk), user=alice, owner=north)
    make_lead(owner=bob, last_name="Bob's", email="bobs@example.com")
    written = sorted(LeadStatusChange.objects.values_list("pk", "owner_user", "owner_team"))
    LeadStatusChange.objects.update(owner_user=None, owner_team=None)
    migration = importlib.import_module("leads.migrations.0014_statuslog_owner")

    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_OWNER)

    assert (
        sorted(LeadStatusChange.objects.values_list("pk", "owner_user", "owner_team")) == written
    )
