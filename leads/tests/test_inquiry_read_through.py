"""A qualified lead's open customer inquiries show on the account and contact it became.

Decision: the inquiry keeps `regarding` = the lead and the new records read it through
(leads/timeline.py registers the lead's whole timeline on every record a qualification
produced), so nothing is moved at qualification. It is resolved from there by whoever may
edit the lead; resolving it on the account resolves the one inquiry the lead shows too."""

import pytest
from django.urls import reverse

from activities import services as activity_services
from activities.models import Inquiry
from leads import services
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_open_inquiries_show_on_the_new_account_and_contact_and_resolve_there(as_alice, alice):
    lead = make_lead(owner=alice)
    inquiry = activity_services.add_inquiry(
        regarding=lead, user=alice, data={"title": "Do you ship to Norway?"}
    )
    q = services.qualify_lead(lead=lead, user=alice, create_account=True, create_contact=True)

    for record in (q.account, q.contact):
        content = as_alice.get(record.get_absolute_url()).content.decode()
        assert "Do you ship to Norway?" in content, record
        assert reverse("activities:inquiry_resolve", args=[inquiry.pk]) in content, record

    response = as_alice.post(
        reverse("activities:inquiry_resolve", args=[inquiry.pk]),
        {"resolution": "Yes", "next": q.account.get_absolute_url()},
    )
    assert response["Location"] == q.account.get_absolute_url()
    inquiry.refresh_from_db()
    assert (inquiry.state, inquiry.regarding) == (Inquiry.State.RESOLVED, lead)
    lead_page = as_alice.get(lead.get_absolute_url()).content.decode()
    assert 'data-testid="inquiry-resolution"' in lead_page
