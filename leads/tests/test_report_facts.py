"""Lead.first_contact_at and Lead.qualified_at: the facts the reports read, kept by the
services and filled for older leads by a data migration."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from activities.models import Activity
from activities.services import complete_activity, log_activity
from leads.models import Lead
from leads.services import qualify_lead, reactivate_lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def _call(lead, user, *, at, kind=Activity.Kind.PHONE_CALL, completed=True):
    with time_machine.travel(at, tick=False):
        return log_activity(
            regarding=lead,
            user=user,
            kind=kind,
            data={"subject": "Call", "direction": "outgoing"}
            if kind != "task"
            else {"subject": "Do"},
            completed=completed,
        )


def _qualify(lead, user, *, at):
    with time_machine.travel(at, tick=False):
        lead.refresh_from_db()
        return qualify_lead(
            lead=lead,
            user=user,
            create_account=True,
            create_contact=False,
            create_opportunity=False,
        )


def test_the_first_completed_call_or_email_is_the_first_contact(alice):
    lead = make_lead(owner=alice)

    _call(lead, alice, at=T0 + 2 * HOUR)
    _call(lead, alice, at=T0 + 5 * HOUR, kind=Activity.Kind.EMAIL)

    lead.refresh_from_db()
    assert lead.first_contact_at == T0 + 2 * HOUR


def test_planned_calls_and_tasks_are_no_contact_until_a_call_is_completed(alice):
    lead = make_lead(owner=alice)
    planned = _call(lead, alice, at=T0, completed=False)
    _call(lead, alice, at=T0 + HOUR, kind=Activity.Kind.TASK)

    lead.refresh_from_db()
    assert lead.first_contact_at is None

    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        complete_activity(activity=planned, user=alice)
    lead.refresh_from_db()
    assert lead.first_contact_at == T0 + 3 * HOUR


def test_an_earlier_contact_stays_when_a_later_one_is_stored(alice):
    from leads.services import record_first_contact

    lead = make_lead(owner=alice)
    record_first_contact(lead=lead, at=T0 + HOUR)
    record_first_contact(lead=lead, at=T0 + 2 * HOUR)
    record_first_contact(lead=lead, at=T0)

    lead.refresh_from_db()
    assert lead.first_contact_at == T0


def test_qualifying_stores_the_time_of_the_qualification(alice):
    lead = make_lead(owner=alice)

    qualification = _qualify(lead, alice, at=T0 + 4 * HOUR)

    lead.refresh_from_db()
    assert lead.qualified_at == qualification.performed_at == T0 + 4 * HOUR


def test_reactivating_keeps_the_last_qualification_and_qualifying_again_replaces_it(alice):
    lead = make_lead(owner=alice)
    _qualify(lead, alice, at=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        reactivate_lead(lead=lead, user=alice)
    lead.refresh_from_db()
    assert lead.qualified_at == T0  # history is kept, as in Dynamics

    _qualify(lead, alice, at=T0 + 5 * HOUR)

    lead.refresh_from_db()
    assert lead.qualified_at == T0 + 5 * HOUR
    assert lead.qualifications.count() == 2


def test_the_data_migration_fills_both_facts_for_older_leads(alice, manager):
    contacted, qualified, untouched = (make_lead(owner=alice) for _ in range(3))
    _call(contacted, alice, at=T0 + 3 * HOUR)
    _call(contacted, manager, at=T0 + HOUR)
    _qualify(qualified, alice, at=T0 + HOUR)
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        reactivate_lead(lead=qualified, user=alice)
    _qualify(qualified, alice, at=T0 + 6 * HOUR)
    Lead.objects.update(first_contact_at=None, qualified_at=None)

    migration = importlib.import_module("leads.migrations.0004_fill_report_facts")
    migration.fill_report_facts(apps, SimpleNamespace(connection=connection))

    facts = dict(Lead.objects.values_list("pk", "first_contact_at"))
    assert facts == {contacted.pk: T0 + HOUR, qualified.pk: None, untouched.pk: None}
    qualified_at = dict(Lead.objects.values_list("pk", "qualified_at"))
    assert qualified_at == {contacted.pk: None, qualified.pk: T0 + 6 * HOUR, untouched.pk: None}
