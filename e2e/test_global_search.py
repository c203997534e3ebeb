"""The top bar's global search (issue 18): typed as a person types, in Chromium, at desktop and
phone widths; the type-ahead and the results page show only what the user may see."""

from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory, ContactFactory
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory


def _records(alice, carol):
    account = AccountFactory(
        name="Nordlys Transport ApS", email="info@nordlys.example", phone="+45 33 12 34 56",
        owner_user=alice,
    )  # fmt: skip
    ContactFactory(first_name="Søren", last_name="Kierkegaard", email="soren@fjord.example",
                   account=account, owner_user=alice)  # fmt: skip
    lead = make_lead(owner=alice, first_name="Åse", last_name="Bøgh", topic="Trucks for Aarhus",
                     company_name="Nordlys Transport ApS", email="aase@nordlys.example",
                     business_phone="33 12 34 56")  # fmt: skip
    OpportunityFactory(topic="Nordlys fleet renewal", account=account, owner_user=alice)
    make_lead(owner=carol, last_name="Secretsen", topic="South team deal",
              company_name="Nordlys Shipping A/S", email="x@nordlys.example",
              business_phone="+45 33 12 34 56")  # fmt: skip
    AccountFactory(name="Nordlys Shipping A/S", owner_user=carol)
    return lead


def _box(page):
    return page.get_by_role("combobox", name="Search leads, contacts, accounts and opportunities")


def test_the_top_bar_finds_a_lead_by_a_phone_number_typed_another_way(
    page, live_server, login, alice, carol
):
    lead = _records(alice, carol)
    login(alice)
    page.goto(f"{live_server.url}/leads/")
    box = _box(page)
    box.press_sequentially("0045 3312 3456", delay=30)
    suggestions = page.locator("#global-search-suggest")
    expect(suggestions.get_by_role("option", name="Trucks for Aarhus")).to_be_visible()
    expect(suggestions.locator("[data-kind='account']")).to_contain_text("Nordlys Transport ApS")
    expect(suggestions).not_to_contain_text("South team deal")  # another team's lead
    # The arrow keys reach the suggestions; Enter on one opens it.
    box.press("ArrowDown")
    expect(suggestions.get_by_role("option", name="Trucks for Aarhus")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/leads/{lead.pk}/")
    expect(page.get_by_role("heading", name="Trucks for Aarhus")).to_be_visible()


def test_enter_opens_the_results_page_with_a_tab_per_kind(page, live_server, login, alice, carol):
    _records(alice, carol)
    login(alice)
    page.goto(f"{live_server.url}/")
    box = _box(page)
    box.press_sequentially("soren kierke", delay=30)  # without the accent, parts of the name
    expect(page.locator("#global-search-suggest")).to_contain_text("Søren Kierkegaard")
    box.press("Enter")
    page.wait_for_url("**/search/?q=soren+kierke")
    expect(page.get_by_test_id("search-tab-contact")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("search-results")).to_contain_text("Søren Kierkegaard")

    # A company without its legal suffix, then an e-mail domain, from the results page's box.
    query = page.get_by_label("Search for")
    query.fill("nordlys")
    query.press("Enter")
    expect(page.get_by_test_id("search-tab-lead")).to_contain_text("1")
    expect(page.get_by_test_id("search-tab-account")).to_contain_text("1")
    page.get_by_test_id("search-tab-account").click()
    expect(page.get_by_test_id("search-results")).to_contain_text("Nordlys Transport ApS")
    expect(page.get_by_test_id("search-results")).not_to_contain_text("Shipping")
    page.get_by_test_id("search-tab-opportunity").click()
    expect(page.get_by_test_id("search-results")).to_contain_text("Nordlys fleet renewal")

    query = page.get_by_label("Search for")
    query.fill("nordlys.example")
    query.press("Enter")
    page.get_by_test_id("search-tab-lead").click()
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("aase@nordlys.example")  # what matched, marked
    expect(results).not_to_contain_text("Secretsen")


def test_slash_focuses_the_box_and_escape_closes_the_suggestions(
    page, live_server, login, alice, carol
):
    _records(alice, carol)
    login(alice)
    page.goto(f"{live_server.url}/accounts/")
    page.keyboard.press("/")
    box = _box(page)
    expect(box).to_be_focused()
    page.keyboard.type("bogh", delay=30)
    suggestions = page.locator("#global-search-suggest")
    expect(suggestions.get_by_role("option", name="Trucks for Aarhus")).to_be_visible()
    page.keyboard.press("Escape")
    expect(suggestions.get_by_role("option")).to_have_count(0)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("bogh")  # the first Escape keeps the text
    page.keyboard.press("ArrowDown")  # asks again for what the box holds
    expect(suggestions.get_by_role("option", name="Trucks for Aarhus")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # the second clears it, as a search box does
    expect(box).to_have_value("")


def test_at_tablet_widths_the_box_is_usable_and_nothing_scrolls_sideways(
    page, live_server, login, manager, alice, carol
):
    _records(alice, carol)
    login(manager)
    for width in (800, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/leads/")
        box = _box(page)
        assert box.bounding_box()["width"] >= 200, f"the box is too narrow at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    box.press_sequentially("transport aps", delay=30)  # a contact by their account's name
    contacts = page.locator("#global-search-suggest [data-kind='contact']")
    expect(contacts).to_contain_text("Søren Kierkegaard")
    expect(contacts).to_contain_text("Nordlys Transport ApS")


def test_on_a_phone_the_box_is_in_the_top_bar(page, live_server, login, alice, carol):
    _records(alice, carol)
    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)
    page.goto(f"{live_server.url}/")
    box = _box(page)
    expect(box).to_be_visible()  # not hidden in the collapsed menu
    box.press_sequentially("trucks", delay=30)
    option = page.locator("#global-search-suggest").get_by_role("option", name="Trucks for Aarhus")
    expect(option).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width} px)"
    option.click()
    expect(page.get_by_role("heading", name="Trucks for Aarhus")).to_be_visible()
