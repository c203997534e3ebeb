"""A Danish sales rep's browser (issue 20): log in, create a lead, qualify it, all in Danish
with Danish dates and numbers; then a report's CSV with ";" and decimal commas. The English
walk-throughs (test_leads.py, test_reports.py) run with Chromium's default, English."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm.tests.factories import PASSWORD
from leads.models import Lead

DANISH_DATE = re.compile(r"\d{1,2}\. (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)\. \d{4}")


@pytest.fixture
def browser_context_args(browser_context_args):
    # The browser's language, as a Danish laptop sends it (Accept-Language: da-DK).
    return {**browser_context_args, "locale": "da-DK"}


def test_a_danish_browser_works_in_danish(page, live_server, alice, screenshot):
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("button", name="Log på")).to_be_visible()
    page.get_by_label("Brugernavn").fill(alice.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log på").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.get_by_role("link", name="Kundeemner", exact=True).click()
    page.get_by_role("link", name="Nyt kundeemne").click()
    page.get_by_label("Emne", exact=True).fill("50 bærbare")
    page.get_by_label("Fornavn", exact=True).fill("Søren")
    page.get_by_label("Efternavn", exact=True).fill("Kierkegaard")
    page.get_by_label("Firmanavn", exact=True).fill("Fabrikam A/S")
    page.get_by_label("Mail", exact=True).fill("soren@fabrikam.example")
    page.get_by_label("Anslået værdi", exact=True).fill("250.000,50")
    page.get_by_role("button", name="Gem", exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text("Kundeemnet 50 bærbare er oprettet.")
    expect(page.get_by_test_id("lead-state")).to_have_text("Åben")
    expect(page.locator("main")).to_contain_text("250.000,50")
    expect(page.locator("main")).to_contain_text(DANISH_DATE)
    lead = Lead.objects.get(email="soren@fabrikam.example")
    assert str(lead.estimated_value) == "250000.50"

    page.get_by_role("link", name="Kvalificer", exact=True).click()
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Fabrikam A/S")
    page.get_by_role("button", name="Kvalificer", exact=True).click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Kvalificeret")
    expect(page.get_by_role("alert")).to_contain_text(
        "Kundeemnet er kvalificeret. Oprettet: Fabrikam A/S, Søren Kierkegaard, 50 bærbare."
    )
    screenshot("lead-qualified-da")

    page.get_by_role("link", name="Rapporter").click()
    page.get_by_test_id("report-index").get_by_role("link", name=re.compile("^Tragt")).click()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-csv").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:3] == ["kilde", "oprettet", "kontaktet"]
    # one lead: created, contacted (a qualified lead counts), qualified, opportunity, not won
    assert rows[1] == ["(ingen)", "1", "1", "1", "1", "0", "100,0", "100,0", "100,0", "0,0"]
