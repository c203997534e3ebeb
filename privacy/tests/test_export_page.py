"""The staff's export page: each history entry counted apart from the records, the readable
page reached by GET after the form's POST (reload and back work, the address in no URL), and
the JSON download named after whom it is about and the day."""

import json

import pytest
from django.utils import timezone

from leads.services import update_lead
from leads.tests.factories import make_lead
from privacy.services import export_person

EMAIL = "anna.hansen@fabrikam.example"


@pytest.fixture
def anna(alice):
    """One lead with three history entries: created, then changed twice."""
    lead = make_lead(owner=alice)
    lead = update_lead(lead=lead, user=alice, data={"topic": "60 laptops"})
    return update_lead(lead=lead, user=alice, data={"job_title": "Buyer"})


def _counts(export):
    return {section.key: len(section.items) for section in export.sections}


def test_a_lead_with_three_history_entries_is_one_lead_and_three_history_entries(anna):
    counts = _counts(export_person(email=EMAIL))

    assert counts["leads"] == 1
    assert counts["history"] == 3
    data = export_person(email=EMAIL).as_json()["sections"]
    assert [item["kind"] for item in data["leads"]] == ["lead"]
    assert [item["kind"] for item in data["history"]] == ["historical lead"] * 3


def test_the_readable_page_counts_history_entries_in_their_own_section(as_admin, anna):
    page = as_admin.post("/privacy/", {"email": EMAIL}, follow=True).content.decode()

    assert '<a href="#export-leads">Leads</a> <span class="badge text-bg-light">1</span>' in page
    assert (
        '<a href="#export-history">History entries</a> <span class="badge text-bg-light">3</span>'
        in page
    )


def test_the_form_posts_then_the_readable_page_is_a_get_that_reloads(as_admin, anna):
    response = as_admin.post("/privacy/", {"email": EMAIL, "format": "html"})

    # POST, redirect, GET: the address is kept in the session, never in the URL.
    assert response.status_code == 302
    assert response["Location"] == "/privacy/?show=export"
    assert "anna" not in response["Location"]
    for _reload in range(2):
        page = as_admin.get("/privacy/?show=export")
        assert page.status_code == 200
        assert f"Personal data held about {EMAIL}" in page.content.decode()
    # The JSON download is a link on that page, a GET too.
    assert 'href="/privacy/?show=export&amp;format=json"' in page.content.decode()
    download = as_admin.get("/privacy/?show=export&format=json")
    assert json.loads(download.content)["email"] == EMAIL
    assert as_admin.put("/privacy/?show=export").status_code == 405


def test_the_readable_page_without_an_address_asked_shows_the_form(as_admin, anna):
    page = as_admin.get("/privacy/?show=export").content.decode()

    assert 'data-testid="export-form"' in page
    assert "Enter the person&#x27;s e-mail address again." in page
    assert EMAIL not in page


def test_the_readable_page_needs_the_export_permission(client, as_alice, anna):
    assert as_alice.get("/privacy/?show=export").status_code == 403
    client.logout()
    response = client.get("/privacy/?show=export")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_json_download_is_named_after_the_person_and_the_day(as_admin, anna):
    response = as_admin.post("/privacy/", {"email": EMAIL, "format": "json"})

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="personal-data-anna-hansen-fabrikam-example-{today}.json"'
    )


def test_a_record_without_an_address_is_downloaded_under_its_id(as_admin, alice):
    lead = make_lead(owner=alice, email="")

    response = as_admin.get(f"/privacy/lead/{lead.pk}/?format=json")

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="personal-data-lead-{lead.pk}-{today}.json"'
    )
