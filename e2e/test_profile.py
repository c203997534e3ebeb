"""The profile page: the time zone times are shown in, "away until" (routing skips the rep) and
the API token's life: create, use, replace, revoke (then the API answers 401)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities import services
from activities.models import Note
from leads.models import Lead
from leads.routing.models import AssignmentRule, Distribution
from leads.tests.factories import make_lead


def open_profile(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()


def save_profile(page):
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()


def test_changing_the_time_zone_changes_the_times_shown(page, live_server, login, alice):
    lead = make_lead(owner=alice, company_name="Tokyo Trading KK")
    note = services.add_note(regarding=lead, user=alice, text="Called from the airport")
    Note.objects.filter(pk=note.pk).update(created_at=datetime(2024, 1, 15, 8, 30, tzinfo=UTC))
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    stamp = page.get_by_test_id("timeline-entry").filter(has_text="airport").locator("time")
    expect(stamp).to_have_text("15 Jan 2024, 08:30")
    expect(stamp).to_have_attribute("datetime", "2024-01-15T08:30:00+00:00")

    open_profile(page)
    expect(page.get_by_label("Time zone")).to_have_value("UTC")
    # A search box: typing suggests the matching zones (the list is every zone with its offset).
    zone = page.get_by_label("Time zone")
    zone.fill("")
    zone.press_sequentially("Asia/Tok")
    expect(page.locator("datalist#id_time_zone-choices option[value='Asia/Tokyo']")).to_have_count(
        1
    )
    zone.fill("Tokyo")  # a city, as people type it
    save_profile(page)
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Tokyo"
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")

    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    stamp = page.get_by_test_id("timeline-entry").filter(has_text="airport").locator("time")
    expect(stamp).to_have_text("15 Jan 2024, 17:30")
    expect(stamp).to_have_attribute("datetime", "2024-01-15T17:30:00+09:00")

    # New York: the previous evening.
    open_profile(page)
    page.get_by_label("Time zone").fill("new york")
    save_profile(page)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    stamp = page.get_by_test_id("timeline-entry").filter(has_text="airport").locator("time")
    expect(stamp).to_have_text("15 Jan 2024, 03:30")


def create_lead_with_automatic_owner(page, live_server, company):
    page.goto(f"{live_server.url}/leads/new/")
    page.get_by_label("Last name", exact=True).fill("Jensen")
    page.get_by_label("Company name").fill(company)
    page.locator("#id_owner").select_option(label="Automatic (routing rules)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("routing-panel")).to_be_visible()
    return Lead.objects.get(company_name=company)


def test_away_until_makes_routing_skip_the_rep_until_she_is_back(
    page, live_server, login, alice, bob, north
):
    AssignmentRule.objects.create(
        name="Everything to North",
        priority=1,
        target_team=north,
        distribution=Distribution.LOAD_BALANCED,
    )
    for number in range(2):  # Bob has two open leads, Alice none: Alice is next.
        make_lead(owner=bob, email=f"bobs{number}@example.com", company_name=f"Bob {number}")

    login(alice)
    open_profile(page)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Away until").fill(tomorrow.isoformat())
    save_profile(page)
    alice.refresh_from_db()
    assert alice.away_until == tomorrow

    page.context.clear_cookies()
    login(bob)
    lead = create_lead_with_automatic_owner(page, live_server, "While Alice is away")
    assert lead.owner == bob
    panel = page.get_by_test_id("routing-panel")
    expect(panel).to_contain_text("Rule “Everything to North” matched.")
    expect(panel).to_contain_text("Alice Adams — away")
    expect(panel).to_contain_text("Bob Berg — got the lead")

    # Back at work: she clears the date, and the next lead is hers again.
    page.context.clear_cookies()
    login(alice)
    open_profile(page)
    expect(page.get_by_label("Away until")).to_have_value(tomorrow.isoformat())
    page.get_by_label("Away until").fill("")
    save_profile(page)
    alice.refresh_from_db()
    assert alice.away_until is None
    page.context.clear_cookies()
    login(bob)
    lead = create_lead_with_automatic_owner(page, live_server, "Alice is back")
    assert lead.owner == alice


@pytest.fixture
def api(playwright, live_server):
    """A client without the browser's cookies, as a script calling the API would be."""
    context = playwright.request.new_context(base_url=live_server.url)
    yield context
    context.dispose()


def call_leads(api, key):
    return api.get("/api/v1/leads/", headers={"Authorization": f"Token {key}"})


def test_a_revoked_or_replaced_token_gets_401_from_the_api(page, live_server, login, alice, api):
    make_lead(owner=alice, company_name="Visible Via API")
    login(alice)
    page.goto(f"{live_server.url}/profile/")
    section = page.get_by_test_id("api-token-section")
    expect(section).to_contain_text("You have no API token.")
    section.get_by_role("button", name="Create token").click()
    first = page.get_by_test_id("api-token").inner_text()
    response = call_leads(api, first)
    assert response.status == 200
    assert "Visible Via API" in response.text()

    # Replace: the browser asks first; the old token stops working at once.
    page.get_by_role("link", name="Back to your profile").click()
    section = page.get_by_test_id("api-token-section")
    expect(section).to_contain_text("You have an API token")
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Replace token").click()
    second = page.get_by_test_id("api-token").inner_text()
    assert second != first
    assert call_leads(api, first).status == 401
    assert call_leads(api, second).status == 200

    # Revoke: cancelling the confirmation keeps the token.
    page.get_by_role("link", name="Back to your profile").click()
    section = page.get_by_test_id("api-token-section")
    page.once("dialog", lambda dialog: dialog.dismiss())
    section.get_by_role("button", name="Revoke token").click()
    expect(section).to_contain_text("You have an API token")
    assert call_leads(api, second).status == 200
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_text("Your API token was revoked; it no longer works.")).to_be_visible()
    expect(page.get_by_test_id("api-token-section")).to_contain_text("You have no API token.")
    expect(page.get_by_role("button", name="Revoke token")).to_have_count(0)
    response = call_leads(api, second)
    assert response.status == 401
    assert response.json() == {"detail": "Invalid token."}
    assert "Visible Via API" not in response.text()
    # Without any token the API asks for credentials too.
    assert api.get("/api/v1/leads/").status == 401
