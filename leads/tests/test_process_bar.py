"""The lead page's process bar (leads.selectors.process_steps): New -> Contacted -> Qualified
(or Disqualified), where the lead stands and since when."""

import pytest

from leads import services
from leads.models import Status
from leads.selectors import process_steps
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def _bar(lead):
    return [(step["key"], step["current"], step["done"], step["since"] is not None)
            for step in process_steps(lead)]  # fmt: skip


def test_a_new_lead_stands_at_new_since_it_was_created(alice):
    lead = make_lead(owner=alice)
    assert _bar(lead) == [("new", True, False, True), ("contacted", False, False, False),
                          ("qualified", False, False, False)]  # fmt: skip


def test_contacted_then_disqualified(alice):
    lead = make_lead(owner=alice)
    lead = services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)
    assert _bar(lead)[1] == ("contacted", True, False, True)
    lead = services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)
    assert _bar(lead) == [("new", False, True, True), ("contacted", False, True, True),
                          ("disqualified", True, False, True)]  # fmt: skip


def test_qualified_straight_from_new(alice, as_alice):
    lead = make_lead(owner=alice)
    services.qualify_lead(lead=lead, user=alice, create_account=True)
    lead.refresh_from_db()
    assert _bar(lead) == [("new", False, True, True), ("contacted", False, True, False),
                          ("qualified", True, False, True)]  # fmt: skip
    page = as_alice.get(lead.get_absolute_url()).content.decode()
    assert 'data-testid="process-bar"' in page and 'aria-current="step"' in page
