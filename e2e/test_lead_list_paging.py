"""Paging a long lead list in the browser: First / Previous / Next / Last, with the count
exact and with it capped ("20+ leads"), at desktop and phone width."""

import re

import pytest
from playwright.sync_api import expect

from leads.tests.factories import LeadFactory


@pytest.fixture
def sixty(alice):
    """60 open leads of alice, one company each: Company 00 ... Company 59."""
    leads = LeadFactory.create_batch(60, owner_user=alice, created_by=alice)
    for number, lead in enumerate(leads):
        lead.company_name = f"Company {number:02}"
        lead.save(update_fields=["company_name"])
    return leads


def companies(page):
    return page.locator("tbody tr td:nth-child(4)")


def test_walking_pages_by_number_and_to_the_last(page, live_server, login, alice, sixty):
    login(alice)
    page.goto(f"{live_server.url}/leads/?sort=company_name")
    expect(page.get_by_test_id("lead-count")).to_contain_text("60 leads")
    expect(page.get_by_text("Page 1 of 3")).to_be_visible()
    expect(companies(page).first).to_have_text("Company 00")

    page.get_by_role("link", name="Last", exact=True).click()
    expect(page.get_by_text("Page 3 of 3")).to_be_visible()
    expect(companies(page)).to_have_count(10)
    expect(companies(page).first).to_have_text("Company 50")
    expect(page.get_by_role("link", name="Next")).to_have_count(0)

    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    expect(companies(page).first).to_have_text("Company 25")


@pytest.mark.parametrize("width", [1366, 375])
def test_a_capped_count_pages_on_from_row_to_row(
    page, live_server, login, alice, sixty, settings, width
):
    settings.LIST_COUNT_CAP = 20
    page.set_viewport_size({"width": width, "height": 900})
    login(alice)
    page.goto(f"{live_server.url}/leads/?sort=company_name")
    expect(page.get_by_test_id("lead-count")).to_contain_text("20+ leads")
    expect(page.get_by_text("Page 1", exact=True)).to_be_visible()

    # Past the counted rows, Next continues from the page's last row.
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"after=\d+"))
    expect(companies(page).first).to_have_text("Company 25")
    expect(companies(page).last).to_have_text("Company 49")

    page.get_by_role("link", name="Last", exact=True).click()
    expect(page.get_by_text("Last page", exact=True)).to_be_visible()
    expect(companies(page).first).to_have_text("Company 35")
    expect(companies(page).last).to_have_text("Company 59")

    page.get_by_role("link", name="Previous").click()
    expect(companies(page).last).to_have_text("Company 34")
    expect(companies(page)).to_have_count(25)
