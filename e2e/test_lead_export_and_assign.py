"""The lead list's CSV export and handing a lead to a colleague, in the browser."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from leads.models import Lead, LeadSource
from leads.tests.factories import make_lead


def export(page):
    """Click the list's "Export CSV" button: (suggested file name, rows as dicts)."""
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    return download.suggested_filename, list(csv.DictReader(io.StringIO(content)))


@pytest.fixture
def leads_of_north(alice, bob, carol):
    """Two open leads of alice's (Web, Trade Show), one qualified later on, one of bob's
    (her teammate) and one of carol's (South: alice cannot see it)."""
    web = LeadSource.objects.get_or_create(name="Web")[0]
    trade_show = LeadSource.objects.get_or_create(name="Trade Show")[0]
    return {
        "web": make_lead(
            owner=alice,
            topic="Laptops for Fabrikam",
            email="anna@fabrikam.example",
            source=web,
            city='Århus, "Jylland"',
        ),
        "trade_show": make_lead(
            owner=alice,
            topic="=1+2 printers",  # a spreadsheet would run this as a formula
            company_name="Contoso",
            email="tom@contoso.example",
            source=trade_show,
        ),
        "bob": make_lead(owner=bob, topic="Bob's desks", email="b@example.com", source=web),
        "carol": make_lead(owner=carol, topic="Carol's chairs", email="c@example.com"),
    }


def test_a_rep_exports_her_open_leads_as_csv(page, live_server, login, alice, leads_of_north):
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    expect(page.get_by_test_id("lead-table").locator("tbody tr")).to_have_count(2)

    filename, rows = export(page)

    assert re.fullmatch(r"leads-\d{8}-\d{4}\.csv", filename)
    assert list(rows[0])[:5] == ["id", "topic", "salutation", "first_name", "middle_name"]
    by_topic = {row["topic"]: row for row in rows}
    # "My open leads": alice's two, newest first; not bob's, not carol's.
    assert list(by_topic) == ["'=1+2 printers", "Laptops for Fabrikam"]
    web = by_topic["Laptops for Fabrikam"]
    assert web["id"] == str(leads_of_north["web"].pk)
    assert (web["owner"], web["state"], web["status"], web["source"]) == (
        "alice",
        "Open",  # choice labels in the user's language, as Dynamics exports them
        "New",
        "Web",
    )
    assert web["email"] == "anna@fabrikam.example"
    assert web["city"] == 'Århus, "Jylland"'  # commas and quotes survive the round trip
    assert by_topic["'=1+2 printers"]["source"] == "Trade Show"


def test_the_export_of_a_filtered_list_has_only_the_leads_on_screen(
    page, live_server, login, alice, leads_of_north
):
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    table = page.get_by_test_id("lead-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    source = page.get_by_label("Source", exact=True)
    if not source.is_visible():  # the filters may be folded away under "Filters"
        page.locator("summary", has_text="Filters").click()
    source.select_option(label="Web")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]source=\d+"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Laptops for Fabrikam")

    _filename, rows = export(page)

    assert [(row["id"], row["topic"], row["source"]) for row in rows] == [
        (str(leads_of_north["web"].pk), "Laptops for Fabrikam", "Web")
    ]


def test_the_export_follows_the_saved_view_on_screen(
    page, live_server, login, alice, leads_of_north
):
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()

    # The team's open leads: alice's two and bob's; carol's is South's.
    page.get_by_role("link", name="My teams' open leads").click()
    table = page.get_by_test_id("lead-table")
    expect(table.locator("tbody tr")).to_have_count(3)

    _filename, rows = export(page)

    assert sorted((row["topic"], row["owner"]) for row in rows) == [
        ("'=1+2 printers", "alice"),
        ("Bob's desks", "bob"),
        ("Laptops for Fabrikam", "alice"),
    ]


def test_a_rep_assigns_her_lead_to_a_teammate(page, live_server, login, alice, bob):
    lead = make_lead(owner=alice, topic="Laptops for Fabrikam", email="anna@fabrikam.example")
    version = lead.version
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_test_id("lead-table").get_by_role("link", name="Laptops for Fabrikam").click()
    expect(page.get_by_test_id("lead-owner")).to_have_text("Alice Adams")

    page.get_by_test_id("lead-actions").get_by_role("link", name="Assign").click()
    expect(page).to_have_url(f"{live_server.url}/leads/{lead.pk}/assign/")
    expect(page.get_by_role("heading", name="Assign Laptops for Fabrikam")).to_be_visible()
    expect(page.get_by_text("Current owner")).to_contain_text("Alice Adams")
    page.get_by_label("New owner").select_option(label="Bob Berg")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}{lead.get_absolute_url()}")
    expect(page.get_by_role("alert")).to_contain_text("Lead assigned to Bob Berg.")
    expect(page.get_by_test_id("lead-owner")).to_have_text("Bob Berg")
    expect(page.get_by_test_id("routing-panel")).to_contain_text("Why is this lead with Bob Berg?")
    lead.refresh_from_db()
    assert lead.owner == bob and lead.version == version + 1

    # It left alice's open leads; it is bob's now in his teammates' view.
    page.get_by_role("link", name="Leads", exact=True).click()
    expect(page.get_by_test_id("lead-table")).to_contain_text("No leads match.")
    page.get_by_role("link", name="My teams' open leads").click()
    row = page.get_by_test_id("lead-table").locator("tbody tr", has_text="Laptops for Fabrikam")
    expect(row).to_contain_text("Bob Berg")
    assert Lead.objects.filter(owner_user=alice).count() == 0


def test_a_rep_assigns_a_lead_to_her_teams_queue(page, live_server, login, alice, north):
    lead = make_lead(owner=alice, topic="Laptops for Fabrikam", email="anna@fabrikam.example")
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")

    page.get_by_test_id("lead-actions").get_by_role("link", name="Assign").click()
    page.get_by_label("New owner").select_option(label="North")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("Lead assigned to North.")
    expect(page.get_by_test_id("lead-owner")).to_have_text("North team")
    # A member of the team may take it back from the queue.
    expect(page.get_by_test_id("claim-lead")).to_have_text("Claim from the North queue")
