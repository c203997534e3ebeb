"""Inline edit of the lead page's header fields (leads.views.lead_edit_field): owner, status
reason, rating and follow-up date, each through its service with the lead's version."""

import datetime

import pytest
from django.urls import reverse

from leads import services
from leads.models import LeadStatusChange, State, Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def field_url(lead, name):
    return reverse("leads:edit_field", args=[lead.pk, name])


def test_the_lead_page_offers_a_pencil_per_header_field(as_alice, alice):
    lead = make_lead(owner=alice)

    html = as_alice.get(lead.get_absolute_url()).text

    for name in ("status", "owner", "rating", "next_follow_up"):
        assert f'data-testid="edit-{name}"' in html
        assert f'href="{field_url(lead, name)}"' in html


def test_htmx_gets_the_small_form_in_place_of_the_value(as_alice, alice):
    lead = make_lead(owner=alice, rating="warm")

    response = as_alice.get(field_url(lead, "rating"), **HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#fact-rating"
    assert response["HX-Reswap"] == "innerHTML"
    assert 'data-testid="fact-form-rating"' in response.text
    assert f'name="expected_version" value="{lead.version}"' in response.text
    assert '<option value="warm" selected>' in response.text
    assert "<html" not in response.text


def test_saving_the_rating_writes_a_new_version_and_returns_the_header(as_alice, alice):
    lead = make_lead(owner=alice, rating="warm")

    response = as_alice.post(
        field_url(lead, "rating"), {"rating": "hot", "expected_version": lead.version}, **HTMX
    )

    assert response.status_code == 200
    assert 'id="status-panel"' in response.text
    assert "Rating saved." in response.text
    lead.refresh_from_db()
    assert lead.rating == "hot"
    assert lead.modified_by == alice


def test_the_follow_up_date_is_set_and_cleared(as_alice, alice):
    lead = make_lead(owner=alice)

    as_alice.post(
        field_url(lead, "next_follow_up"),
        {"next_follow_up": "2026-12-24", "expected_version": lead.version},
    )
    lead.refresh_from_db()
    assert lead.next_follow_up == datetime.date(2026, 12, 24)

    response = as_alice.post(
        field_url(lead, "next_follow_up"), {"next_follow_up": "", "expected_version": lead.version}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.next_follow_up is None


def test_the_status_reason_is_a_status_change_with_its_log_entry(as_alice, alice):
    lead = make_lead(owner=alice)
    assert lead.status == Status.NEW

    as_alice.post(
        field_url(lead, "status"), {"status": "contacted", "expected_version": lead.version}
    )

    lead.refresh_from_db()
    assert lead.status == Status.CONTACTED
    entry = LeadStatusChange.objects.filter(lead=lead).latest("pk")
    assert (entry.from_status, entry.to_status) == (Status.NEW, Status.CONTACTED)


def test_a_closed_status_is_not_offered_inline(as_alice, alice):
    lead = make_lead(owner=alice)

    response = as_alice.post(
        field_url(lead, "status"), {"status": "lost", "expected_version": lead.version}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    lead.refresh_from_db()
    assert lead.state == State.OPEN


def test_the_owner_is_an_assignment(as_alice, alice, bob):
    lead = make_lead(owner=alice)

    as_alice.post(
        field_url(lead, "owner"), {"owner": f"user:{bob.pk}", "expected_version": lead.version}
    )

    lead.refresh_from_db()
    assert lead.owner == bob


def test_a_stale_version_is_refused_and_says_so_in_place(as_alice, alice):
    lead = make_lead(owner=alice, rating="warm")
    opened = lead.version
    services.update_lead(lead=lead, user=alice, data={"rating": "cold"})

    response = as_alice.post(
        field_url(lead, "rating"), {"rating": "hot", "expected_version": opened}, **HTMX
    )

    assert response.status_code == 200  # htmx swaps 2xx only: the form shows the refusal
    assert response["HX-Retarget"] == "#fact-rating"
    # Her own change in another tab is not "someone else's".
    assert "You changed this record" in response.text
    assert "in another tab or window" in response.text
    lead.refresh_from_db()
    assert lead.rating == "cold"

    page = as_alice.post(field_url(lead, "rating"), {"rating": "hot", "expected_version": opened})
    assert page.status_code == 409


def test_cancel_returns_the_header_unchanged(as_alice, alice):
    lead = make_lead(owner=alice, rating="warm")

    response = as_alice.get(field_url(lead, "rating") + "?cancel=1", **HTMX)

    assert 'id="status-panel"' in response.text
    assert 'data-testid="lead-rating">Warm<' in response.text


def test_a_closed_lead_keeps_its_fields_but_may_change_owner(as_alice, alice, bob):
    lead = make_lead(owner=alice)
    services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)
    lead.refresh_from_db()

    html = as_alice.get(lead.get_absolute_url()).text
    assert 'data-testid="edit-rating"' not in html
    assert 'data-testid="edit-owner"' in html

    as_alice.post(field_url(lead, "rating"), {"rating": "hot", "expected_version": lead.version})
    lead.refresh_from_db()
    assert lead.rating != "hot"


def test_another_teams_lead_is_a_404_and_an_unknown_field_too(as_carol, alice):
    lead = make_lead(owner=alice)

    assert as_carol.get(field_url(lead, "rating")).status_code == 404
    assert as_carol.post(field_url(lead, "rating"), {"rating": "hot"}).status_code == 404


def test_an_unknown_field_is_a_404(as_alice, alice):
    lead = make_lead(owner=alice)

    assert as_alice.get(field_url(lead, "topic")).status_code == 404


def test_without_javascript_it_is_a_page_that_returns_to_the_lead(as_alice, alice):
    lead = make_lead(owner=alice)

    page = as_alice.get(field_url(lead, "rating"))
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'data-testid="fact-form-rating"' in page.text

    response = as_alice.post(
        field_url(lead, "rating"), {"rating": "cold", "expected_version": lead.version}
    )
    assert response.status_code == 302
    assert response["Location"] == lead.get_absolute_url()
