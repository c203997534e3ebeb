"""The account, contact and opportunity lists as a rep uses them: every filter field, sorting,
and paging through more than one page with "Next" / "Previous" keeping the filters."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Industry
from accounts.tests.factories import AccountFactory, ContactFactory
from leads.tests.factories import CampaignFactory
from opportunities.models import Opportunity, SalesStage
from opportunities.tests.factories import OpportunityFactory


def rows(page):
    return page.locator("table tbody tr")


def names_on_page(page):
    """The linked name in the first cell of every row."""
    return [text.strip() for text in rows(page).locator("td:first-child a").all_inner_texts()]


def pagination(page):
    return page.get_by_role("navigation", name="Pages")


def inactive_badges(page):
    return page.locator("table tbody .badge", has_text="inactive")


def apply_filter(page):
    page.get_by_role("button", name="Filter", exact=True).click()


# Accounts ------------------------------------------------------------------------------------


@pytest.fixture
def many_accounts(alice, bob, carol):
    """30 active accounts of alice's, "Account 01".."Account 30" in Odense; 3 inactive ones of
    hers sorted among them ("Account 05b", "15b", "25b"); 2 of bob's (her teammate) in Aarhus,
    one in Consulting; one of carol's (South) in Odense, which alice never sees."""
    for n in range(1, 31):
        AccountFactory(owner_user=alice, name=f"Account {n:02}", city="Odense")
    for n in (5, 15, 25):
        AccountFactory(owner_user=alice, name=f"Account {n:02}b", city="Odense", is_active=False)
    AccountFactory(
        owner_user=bob, name="Bob's Bakery", city="Aarhus", industry=Industry.CONSULTING
    )
    AccountFactory(owner_user=bob, name="Bob's Brewery", city="Aarhus")
    AccountFactory(owner_user=carol, name="Carol's Cars", city="Odense")


def test_the_default_account_list_pages_through_active_accounts_only(
    page, live_server, login, alice, many_accounts
):
    login(alice)
    page.get_by_role("link", name="Accounts", exact=True).click()
    expect(rows(page)).to_have_count(25)
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    expect(inactive_badges(page)).to_have_count(0)
    first_page = names_on_page(page)
    assert first_page[:3] == ["Account 01", "Account 02", "Account 03"]

    pagination(page).get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(pagination(page)).to_contain_text("Page 2 of 2")
    # 32 active accounts visible to alice (30 hers, 2 of bob's): 7 on page 2, none seen
    # before, none inactive; the filter form still says "active only".
    second_page = names_on_page(page)
    repeated = sorted(set(first_page) & set(second_page))
    assert repeated == [], f"page 2 shows {repeated} again (of page 1): {second_page}"
    assert inactive_badges(page).count() == 0, f"inactive accounts on page 2: {second_page}"
    assert len(second_page) == 7
    assert page.get_by_label("Active", exact=True).input_value() == "true"

    pagination(page).get_by_role("link", name="Previous").click()
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    assert names_on_page(page) == first_page


def test_account_list_filters_sorting_and_paging_keep_the_filters(
    page, live_server, login, alice, many_accounts
):
    login(alice)
    page.get_by_role("link", name="Accounts", exact=True).click()

    # Search + Active + Sort by, through the form: 30 active Odense accounts of alice's
    # (carol's Odense account is South's), newest name first, 25 a page.
    page.get_by_label("Search", exact=True).fill("odense")
    expect(page.get_by_label("Active", exact=True)).to_have_value("true")
    page.get_by_label("Sort by").select_option(label="Name (descending)")
    apply_filter(page)
    expect(page).to_have_url(re.compile(r"[?&]ordering=-name"))
    expect(rows(page)).to_have_count(25)
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    assert names_on_page(page)[:2] == ["Account 30", "Account 29"]
    assert "Carol's Cars" not in names_on_page(page)

    # Next keeps every filter: the last 5, still descending, still active only.
    pagination(page).get_by_role("link", name="Next").click()
    expect(pagination(page)).to_contain_text("Page 2 of 2")
    expect(rows(page)).to_have_count(5)
    assert names_on_page(page) == [f"Account {n:02}" for n in (5, 4, 3, 2, 1)]
    expect(page.get_by_label("Search", exact=True)).to_have_value("odense")
    expect(page.get_by_label("Sort by")).to_have_value("-name")
    expect(page.get_by_label("Active", exact=True)).to_have_value("true")
    # Previous too.
    pagination(page).get_by_role("link", name="Previous").click()
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    expect(rows(page).first).to_contain_text("Account 30")
    expect(page.get_by_label("Search", exact=True)).to_have_value("odense")

    # Active: No → the 3 inactive accounts, each with its badge.
    page.get_by_label("Active", exact=True).select_option(label="No")
    apply_filter(page)
    expect(rows(page)).to_have_count(3)
    expect(inactive_badges(page)).to_have_count(3)
    assert names_on_page(page) == ["Account 25b", "Account 15b", "Account 05b"]
    expect(pagination(page)).to_have_count(0)  # one page: no pager

    # Active: Any → 33 Odense accounts: 25 + 8.
    page.get_by_label("Active", exact=True).select_option(label="Any")
    apply_filter(page)
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    pagination(page).get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(8)
    expect(page.get_by_label("Active", exact=True)).to_have_value("")

    # Industry: Consulting → bob's bakery only (a teammate's account is visible).
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Industry").select_option(label="Consulting")
    apply_filter(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Bob's Bakery")
    expect(rows(page)).to_contain_text("Consulting")

    # Only mine: bob's Aarhus accounts disappear.
    page.get_by_label("Industry").select_option(label="- Select an option -")
    page.get_by_label("Search", exact=True).fill("aarhus")
    apply_filter(page)
    expect(rows(page)).to_have_count(2)
    page.get_by_label("Only mine").select_option(label="Yes")
    apply_filter(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("No accounts match.")

    # Sort by City: Aarhus (bob's) before Odense; descending puts Odense first.
    page.get_by_label("Only mine").select_option(label="Any")
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Active", exact=True).select_option(label="Yes")
    page.get_by_label("Sort by").select_option(label="City")
    apply_filter(page)
    expect(rows(page).nth(0).locator("td").nth(1)).to_have_text("Aarhus")
    expect(rows(page).nth(1).locator("td").nth(1)).to_have_text("Aarhus")
    expect(rows(page).nth(2).locator("td").nth(1)).to_have_text("Odense")
    page.get_by_label("Sort by").select_option(label="City (descending)")
    apply_filter(page)
    expect(rows(page).first.locator("td").nth(1)).to_have_text("Odense")
    pagination(page).get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(7)
    expect(rows(page).last.locator("td").nth(1)).to_have_text("Aarhus")


# Contacts ------------------------------------------------------------------------------------


@pytest.fixture
def many_contacts(alice, bob, carol):
    """30 active contacts of alice's at Fabrikam ("Nielsen 01".."Nielsen 30"), two inactive of
    hers, 2 of bob's at Contoso, one of carol's (South)."""
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S")
    contoso = AccountFactory(owner_user=bob, name="Contoso Ltd")
    for n in range(1, 31):
        ContactFactory(
            owner_user=alice, first_name="Anna", last_name=f"Nielsen {n:02}", account=fabrikam
        )
    for n in (1, 2):
        ContactFactory(
            owner_user=alice,
            first_name="Old",
            last_name=f"Nielsen {n:02}x",
            account=fabrikam,
            is_active=False,
        )
    ContactFactory(owner_user=bob, first_name="Bo", last_name="Andersen", account=contoso)
    ContactFactory(owner_user=bob, first_name="Britt", last_name="Borg", account=contoso)
    ContactFactory(owner_user=carol, first_name="Carla", last_name="Nielsen 99")


def test_contact_list_filters_sorting_and_paging(page, live_server, login, alice, many_contacts):
    login(alice)
    page.get_by_role("link", name="Contacts", exact=True).click()

    # The default list: 32 active contacts visible to alice, sorted by last name; page 2 is
    # the rest of the active ones (the Next link keeps the "active only" default).
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    expect(rows(page)).to_have_count(25)
    expect(rows(page).first).to_contain_text("Bo Andersen")
    pagination(page).get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(7)
    expect(inactive_badges(page)).to_have_count(0)
    assert names_on_page(page)[-1] == "Anna Nielsen 30"
    pagination(page).get_by_role("link", name="Previous").click()
    expect(rows(page).first).to_contain_text("Bo Andersen")

    # Search (by account name) + Sort by name descending, then page 2 keeps both.
    page.get_by_label("Search", exact=True).fill("fabrikam")
    page.get_by_label("Sort by").select_option(label="Name (descending)")
    apply_filter(page)
    expect(rows(page)).to_have_count(25)
    expect(rows(page).first).to_contain_text("Anna Nielsen 30")
    pagination(page).get_by_role("link", name="Next").click()
    expect(pagination(page)).to_contain_text("Page 2 of 2")
    expect(rows(page)).to_have_count(5)
    expect(rows(page).last).to_contain_text("Anna Nielsen 01")
    expect(page.get_by_label("Search", exact=True)).to_have_value("fabrikam")
    expect(page.get_by_label("Sort by")).to_have_value("-name")

    # Active: No → her two inactive contacts.
    page.get_by_label("Active", exact=True).select_option(label="No")
    apply_filter(page)
    expect(rows(page)).to_have_count(2)
    expect(inactive_badges(page)).to_have_count(2)

    # Only mine: bob's Contoso contacts are listed for his teammate, not under "Only mine".
    page.get_by_label("Active", exact=True).select_option(label="Yes")
    page.get_by_label("Search", exact=True).fill("contoso")
    apply_filter(page)
    expect(rows(page)).to_have_count(2)
    page.get_by_label("Only mine").select_option(label="Yes")
    apply_filter(page)
    expect(rows(page)).to_contain_text(["No contacts match."])

    # Sort by created, newest first: bob's Contoso contacts (the last made); carol's Nielsen
    # 99 is never listed. (Not by account: a joined column reads no index, issue 14.)
    page.get_by_label("Only mine").select_option(label="Any")
    page.get_by_label("Search", exact=True).fill("")
    page.get_by_label("Sort by").select_option(label="Created (descending)")
    apply_filter(page)
    expect(rows(page).first).to_contain_text("Britt Borg")
    expect(rows(page).first.locator("td").nth(1)).to_have_text("Contoso Ltd")
    page.get_by_label("Search", exact=True).fill("nielsen 99")
    apply_filter(page)
    expect(rows(page)).to_contain_text(["No contacts match."])


# Opportunities -------------------------------------------------------------------------------


@pytest.fixture
def many_opportunities(alice, bob, carol):
    """28 open opportunities of alice's (values 1,000..28,000; every 4th in Propose; the first
    3 from the "Spring fair" campaign), 2 won and 1 lost of hers, 2 open of bob's, 1 of
    carol's."""
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S")
    spring = CampaignFactory(name="Spring fair", code="SF-1")
    today = date.today()
    for n in range(1, 29):
        OpportunityFactory(
            owner_user=alice,
            account=fabrikam,
            topic=f"Deal {n:02}",
            estimated_value=Decimal(n * 1000),
            estimated_close_date=today + timedelta(days=n),
            sales_stage=SalesStage.PROPOSE if n % 4 == 0 else SalesStage.QUALIFY,
            source_campaign=spring if n <= 3 else None,
        )
    for topic in ("Won deal A", "Won deal B"):
        OpportunityFactory(
            owner_user=alice,
            account=fabrikam,
            topic=topic,
            state=Opportunity.State.WON,
            status=Opportunity.Status.WON,
            actual_value=Decimal(5000),
            actual_close_date=today,
        )
    OpportunityFactory(
        owner_user=alice,
        account=fabrikam,
        topic="Lost deal",
        state=Opportunity.State.LOST,
        status=Opportunity.Status.OUT_SOLD,
        actual_value=Decimal(0),
        actual_close_date=today,
    )
    contoso = AccountFactory(owner_user=bob, name="Contoso Ltd")
    for topic in ("Bob deal 1", "Bob deal 2"):
        OpportunityFactory(
            owner_user=bob,
            account=contoso,
            topic=topic,
            estimated_close_date=today + timedelta(days=100),
        )
    OpportunityFactory(
        owner_user=carol, account=AccountFactory(owner_user=carol), topic="Carol deal"
    )


def test_opportunity_list_filters_sorting_and_paging(
    page, live_server, login, alice, many_opportunities
):
    login(alice)
    page.get_by_role("link", name="Opportunities", exact=True).click()

    # Open ones by default: 28 of alice's + 2 of bob's = 30, newest first; page 2 keeps "open".
    expect(page.get_by_label("Status", exact=True)).to_have_value("0")
    expect(pagination(page)).to_contain_text("Page 1 of 2")
    expect(rows(page)).to_have_count(25)
    pagination(page).get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(5)
    assert "Won deal A" not in names_on_page(page)
    assert "Carol deal" not in names_on_page(page)

    # Sort by estimated revenue, highest first; Next and Previous keep the order.
    page.get_by_label("Sort by").select_option(label="Estimated revenue (descending)")
    apply_filter(page)
    expect(rows(page).first).to_contain_text("Deal 28")
    expect(rows(page).first).to_contain_text("28,000.00")
    pagination(page).get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"ordering=-value"))
    expect(rows(page)).to_have_count(5)
    pagination(page).get_by_role("link", name="Previous").click()
    expect(rows(page).first).to_contain_text("Deal 28")

    # Sort by estimated close date: the soonest first.
    page.get_by_label("Sort by").select_option(label="Estimated close date")
    apply_filter(page)
    expect(rows(page).first).to_contain_text("Deal 01")

    # Status: Won, Lost, any.
    page.get_by_label("Sort by").select_option(label="- Select an option -")
    page.get_by_label("Status", exact=True).select_option(label="Won")
    apply_filter(page)
    expect(rows(page)).to_have_count(2)
    expect(rows(page)).to_contain_text(["Won deal", "Won deal"])
    page.get_by_label("Status", exact=True).select_option(label="Lost")
    apply_filter(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Out-Sold")
    page.get_by_label("Status", exact=True).select_option(label="- Select an option -")
    apply_filter(page)
    expect(pagination(page)).to_contain_text("Page 1 of 2")  # 33 of any state
    pagination(page).get_by_role("link", name="Next").click()
    expect(rows(page)).to_have_count(8)
    expect(page.get_by_label("Status", exact=True)).to_have_value("")

    # Sales stage: Propose → deals 4, 8, ..., 28 (7 open ones).
    page.get_by_label("Status", exact=True).select_option(label="Open")
    page.get_by_label("Sales stage").select_option(label="Propose")
    apply_filter(page)
    expect(rows(page)).to_have_count(7)

    # Source campaign and Search.
    page.get_by_label("Sales stage").select_option(label="- Select an option -")
    page.get_by_label("Source campaign").select_option(label="Spring fair (SF-1)")
    apply_filter(page)
    expect(rows(page)).to_have_count(3)
    page.get_by_label("Source campaign").select_option(label="- Select an option -")
    page.get_by_label("Search", exact=True).fill("contoso")  # the potential customer's name
    apply_filter(page)
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text("Bob Berg")

    # Only mine: bob's two leave the list.
    page.get_by_label("Only mine").select_option(label="Yes")
    apply_filter(page)
    expect(rows(page)).to_contain_text(["No opportunities match."])


def test_sorting_contacts_by_name_orders_by_first_name_within_a_last_name(
    page, live_server, login, alice
):
    for first in ("Bo", "Carl", "Anna"):
        ContactFactory(owner_user=alice, first_name=first, last_name="Jensen")
    login(alice)
    page.get_by_role("link", name="Contacts", exact=True).click()
    expected = ["Anna Jensen", "Bo Jensen", "Carl Jensen"]
    expect(rows(page)).to_have_count(3)
    assert names_on_page(page) == expected, "the default order"
    page.get_by_label("Sort by").select_option(label="Name")
    apply_filter(page)
    expect(page).to_have_url(re.compile(r"ordering=name"))
    expect(rows(page)).to_have_count(3)
    assert names_on_page(page) == expected, "sorted by Name"
