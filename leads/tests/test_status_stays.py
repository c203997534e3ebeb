"""Each status-log entry's left_at: written with the next entry by every status change, and
filled for existing rows by migration 0009 with the same values."""

import datetime
import importlib

import pytest
import time_machine
from django.db import connection

from leads import services
from leads.models import LeadStatusChange, Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def _stays(lead):
    return [
        (entry.to_status, entry.changed_at, entry.left_at)
        for entry in LeadStatusChange.objects.filter(lead=lead).order_by("changed_at", "pk")
    ]


@pytest.fixture
def worked_lead(alice):
    """New → Contacted → Qualified → New (reactivated) → Lost, an hour apart."""
    with time_machine.travel(T0, tick=False):
        lead = make_lead(owner=alice)
    steps = [
        lambda: services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED),
        lambda: services.qualify_lead(lead=lead, user=alice, create_contact=True),
        lambda: services.reactivate_lead(lead=lead, user=alice),
        lambda: services.disqualify_lead(lead=lead, user=alice, status=Status.LOST),
    ]
    for hours, step in enumerate(steps, start=1):
        with time_machine.travel(T0 + hours * HOUR, tick=False):
            step()
    return lead


def test_every_status_change_closes_the_stay_it_ends(worked_lead):
    assert _stays(worked_lead) == [
        ("new", T0, T0 + HOUR),
        ("contacted", T0 + HOUR, T0 + 2 * HOUR),
        ("qualified", T0 + 2 * HOUR, T0 + 3 * HOUR),
        ("new", T0 + 3 * HOUR, T0 + 4 * HOUR),
        ("lost", T0 + 4 * HOUR, None),  # still running
    ]


def test_bulk_actions_close_the_stays_too(alice, bob):
    with time_machine.travel(T0, tick=False):
        leads = [make_lead(owner=alice), make_lead(owner=alice, last_name="Other")]
    with time_machine.travel(T0 + HOUR, tick=False):
        services.disqualify_leads(leads=leads, user=bob, status=Status.CANCELED)

    for lead in leads:
        assert _stays(lead) == [("new", T0, T0 + HOUR), ("canceled", T0 + HOUR, None)]


def test_the_migration_fills_what_the_services_write(worked_lead):
    written = _stays(worked_lead)
    LeadStatusChange.objects.update(left_at=None)
    migration = importlib.import_module("leads.migrations.0009_status_stays")

    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_LEFT_AT)

    assert _stays(worked_lead) == written
