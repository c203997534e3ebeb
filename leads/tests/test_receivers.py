"""Events of other apps that change a lead."""

import pytest

from activities.models import Activity
from activities.services import log_activity
from leads.models import Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_a_logged_call_makes_a_new_lead_contacted_once(alice):
    lead = make_lead(owner=alice)

    for _ in range(2):
        log_activity(
            regarding=lead,
            user=alice,
            kind=Activity.Kind.PHONE_CALL,
            data={"subject": "First call", "direction": "outgoing"},
            completed=True,
        )

    lead.refresh_from_db()
    assert lead.status == Status.CONTACTED
    assert [c.to_status for c in lead.status_changes.all()] == ["new", "contacted"]
    assert "First call" in lead.status_changes.last().reason


def test_a_planned_call_changes_nothing(alice):
    lead = make_lead(owner=alice)
    log_activity(
        regarding=lead,
        user=alice,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": "Call", "direction": "outgoing"},
    )
    lead.refresh_from_db()
    assert lead.status == Status.NEW


def test_an_email_the_lead_sent_us_leaves_it_new(alice):
    lead = make_lead(owner=alice)
    log_activity(
        regarding=lead,
        user=alice,
        kind="email",
        data={"subject": "A question", "direction": "incoming", "other_party": "x@example.com"},
        completed=True,
    )
    lead.refresh_from_db()
    assert lead.status == Status.NEW and lead.first_contact_at is None
