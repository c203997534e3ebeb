"""The account, contact and opportunity lists sorted by their column headers, counted, and
paged at a chosen page size, at desktop and phone width (issue 17)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory, ContactFactory
from opportunities.tests.factories import OpportunityFactory

WIDTHS = [1366, 375]


def first_cells(page):
    return page.locator("table tbody tr td:first-child")


def header(page, name):
    return page.get_by_role("columnheader", name=re.compile(rf"^{name}"))


def pagination(page):
    return page.get_by_role("navigation", name="Pages")


def count(page):
    return page.get_by_test_id("list-count")


def no_wider_than_the_screen(page, width):
    # Tables scroll inside their own container; the page itself never does.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def thirty_accounts(alice):
    """30 of alice's accounts, "Account 01".."Account 30", in cities that sort backwards."""
    for n in range(1, 31):
        AccountFactory(owner_user=alice, name=f"Account {n:02}", city=f"City {31 - n:02}")


@pytest.mark.parametrize("width", WIDTHS)
def test_accounts_sort_by_a_header_count_and_page_at_a_chosen_size(
    page, live_server, login, alice, thirty_accounts, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login(alice)
    page.goto(f"{live_server.url}/accounts/")
    expect(count(page)).to_contain_text("30 accounts")
    expect(header(page, "Name")).to_have_attribute("aria-sort", "ascending")
    expect(first_cells(page)).to_have_count(25)
    no_wider_than_the_screen(page, width)

    # Name again: descending, the arrow and aria-sort say so.
    header(page, "Name").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"[?&]ordering=-name"))
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(header(page, "Name")).to_contain_text("▼")
    expect(first_cells(page).first).to_contain_text("Account 30")

    # Page 2 keeps the order: the five lowest names, highest first.
    pagination(page).get_by_role("link", name="Next").click()
    expect(pagination(page)).to_contain_text("Page 2 of 2")
    expect(first_cells(page)).to_have_count(5)
    expect(first_cells(page).first).to_contain_text("Account 05")

    # 50 a page: all 30 on one page, no pager, still descending.
    count(page).get_by_role("link", name="50", exact=True).click()
    expect(page).to_have_url(re.compile(r"per_page=50"))
    expect(first_cells(page)).to_have_count(30)
    expect(pagination(page)).to_have_count(0)
    expect(first_cells(page).first).to_contain_text("Account 30")
    expect(count(page).get_by_role("link", name="50", exact=True)).to_have_attribute(
        "aria-current", "true"
    )

    # City: ascending, which is the names' reverse; the page size stays.
    header(page, "City").get_by_role("link").click()
    expect(header(page, "City")).to_have_attribute("aria-sort", "ascending")
    expect(header(page, "Name")).not_to_have_attribute("aria-sort", re.compile("."))
    expect(first_cells(page)).to_have_count(30)
    expect(first_cells(page).first).to_contain_text("Account 30")
    expect(first_cells(page).last).to_contain_text("Account 01")

    # Filtering keeps the page size and the sort.
    page.get_by_label("Search", exact=True).fill("account")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"per_page=50"))
    expect(first_cells(page)).to_have_count(30)
    expect(first_cells(page).first).to_contain_text("Account 30")
    no_wider_than_the_screen(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_contacts_sort_by_name_and_page(page, live_server, login, alice, width):
    for n in range(1, 28):
        ContactFactory(owner_user=alice, first_name="Anna", last_name=f"Person {n:02}")
    page.set_viewport_size({"width": width, "height": 900})
    login(alice)
    page.goto(f"{live_server.url}/accounts/contacts/")
    expect(count(page)).to_contain_text("27 contacts")
    expect(first_cells(page).first).to_contain_text("Anna Person 01")

    header(page, "Name").get_by_role("link").click()
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(first_cells(page).first).to_contain_text("Anna Person 27")
    pagination(page).get_by_role("link", name="Next").click()
    expect(pagination(page)).to_contain_text("Page 2 of 2")
    expect(first_cells(page)).to_have_count(2)
    expect(first_cells(page).last).to_contain_text("Anna Person 01")
    no_wider_than_the_screen(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_opportunities_sort_by_revenue_and_page(page, live_server, login, alice, width):
    acme = AccountFactory(owner_user=alice, name="Acme")
    for n in range(1, 31):
        OpportunityFactory(
            owner_user=alice, account=acme, topic=f"Deal {n:02}", estimated_value=n * 1000
        )
    page.set_viewport_size({"width": width, "height": 900})
    login(alice)
    page.goto(f"{live_server.url}/opportunities/")
    expect(count(page)).to_contain_text("30 opportunities")

    revenue = header(page, "Estimated revenue")
    revenue.get_by_role("link").click()
    expect(header(page, "Estimated revenue")).to_have_attribute("aria-sort", "ascending")
    expect(first_cells(page).first).to_have_text("Deal 01")
    header(page, "Estimated revenue").get_by_role("link").click()
    expect(header(page, "Estimated revenue")).to_have_attribute("aria-sort", "descending")
    expect(first_cells(page).first).to_have_text("Deal 30")

    pagination(page).get_by_role("link", name="Next").click()
    expect(pagination(page)).to_contain_text("Page 2 of 2")
    expect(first_cells(page)).to_have_text([f"Deal {n:02}" for n in (5, 4, 3, 2, 1)])
    expect(pagination(page).get_by_role("link", name="Next")).to_have_count(0)

    count(page).get_by_role("link", name="100", exact=True).click()
    expect(first_cells(page)).to_have_count(30)
    expect(first_cells(page).first).to_have_text("Deal 30")
    no_wider_than_the_screen(page, width)
