"""Record pages built for work (issue 19): the header's fields changed in place with the
version check, the keyboard's way through them, empty fields behind "Show all fields", the
timeline beside the fields (first on a phone), the opportunity's sales stages, the lead form in
sections with the duplicate warning on top, and the customer lists as cards on a phone."""

import datetime

from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory
from leads import services
from leads.models import LeadStatusChange, Status
from leads.tests.factories import make_lead
from opportunities.models import SalesStage
from opportunities.tests.factories import OpportunityFactory

PHONE = {"width": 375, "height": 740}
WIDE = {"width": 1366, "height": 860}


def _fact(page, name):
    return page.locator(f"#fact-{name}")


def test_the_header_fields_change_in_place(page, live_server, login, alice, bob, screenshot):
    lead = make_lead(
        owner=alice, topic="Cold storage sensors", company_name="Blåvand Fisk", rating="warm"
    )
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")

    # Rating: the pencil puts a small form in place of the value, focused.
    page.get_by_test_id("edit-rating").click()
    rating = _fact(page, "rating").get_by_label("Rating", exact=True)
    expect(rating).to_be_focused()
    screenshot("lead-inline-edit")
    rating.select_option("hot")
    _fact(page, "rating").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-rating")).to_have_text("Hot")
    expect(page.get_by_test_id("status-panel")).to_contain_text("Rating saved.")
    # The keyboard focus is back on the pencil it started from.
    expect(page.get_by_test_id("edit-rating")).to_be_focused()

    # Status reason: a status change, with its entry on the timeline.
    page.get_by_test_id("edit-status").click()
    _fact(page, "status").get_by_label("Status reason", exact=True).select_option("contacted")
    _fact(page, "status").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")
    expect(page.get_by_test_id("lead-timeline")).to_contain_text("New → Contacted")
    assert LeadStatusChange.objects.filter(lead=lead, to_status=Status.CONTACTED).exists()

    # Follow-up date, typed into the date input.
    page.get_by_test_id("edit-next_follow_up").click()
    _fact(page, "next_follow_up").get_by_label("Follow-up", exact=True).fill("2026-12-24")
    _fact(page, "next_follow_up").get_by_label("Follow-up", exact=True).press("Enter")
    expect(page.get_by_test_id("lead-follow-up")).to_have_text("24 Dec 2026")

    # Owner: an assignment.
    page.get_by_test_id("edit-owner").click()
    _fact(page, "owner").get_by_label("Owner", exact=True).select_option(label="Bob Berg")
    _fact(page, "owner").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-owner")).to_have_text("Bob Berg")

    lead.refresh_from_db()
    assert (lead.rating, lead.status, lead.next_follow_up, lead.owner) == (
        "hot",
        Status.CONTACTED,
        datetime.date(2026, 12, 24),
        bob,
    )


def test_escape_cancels_and_a_stale_edit_is_refused_in_place(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="Stale rating", rating="warm")
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")

    page.get_by_test_id("edit-rating").focus()
    page.keyboard.press("Enter")
    rating = _fact(page, "rating").get_by_label("Rating", exact=True)
    expect(rating).to_be_focused()
    expect(page.locator(".htmx-request, .htmx-settling")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("lead-rating")).to_have_text("Warm")
    expect(page.get_by_test_id("edit-rating")).to_be_focused()

    # The lead changes (her own change in another tab) after this form was opened; the
    # server is idle first (SQLite's shared test database locks a table being read).
    page.get_by_test_id("edit-rating").click()
    expect(_fact(page, "rating").get_by_label("Rating", exact=True)).to_be_visible()
    expect(page.locator(".htmx-request, .htmx-settling")).to_have_count(0)
    services.update_lead(lead=lead, user=alice, data={"rating": "cold"})
    _fact(page, "rating").get_by_label("Rating", exact=True).select_option("hot")
    _fact(page, "rating").get_by_role("button", name="Save").click()
    expect(_fact(page, "rating").get_by_role("alert")).to_contain_text("in another tab")
    lead.refresh_from_db()
    assert lead.rating == "cold"


def test_empty_fields_wait_behind_show_all_fields(page, live_server, login, alice, screenshot):
    lead = make_lead(
        owner=alice,
        topic="Desks for Contoso",
        first_name="Dana",
        last_name="Lund",
        company_name="Contoso",
        email="dana@contoso.example",
        estimated_value=12000,
    )
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    fields = page.get_by_test_id("record-fields")
    expect(fields.get_by_text("dana@contoso.example")).to_be_visible()
    website = fields.locator("dt", has_text="Website")
    expect(website).to_be_hidden()
    page.get_by_test_id("show-all-fields").check()
    expect(website).to_be_visible()
    page.get_by_test_id("show-all-fields").uncheck()
    expect(website).to_be_hidden()
    # The timeline sits beside the fields on a wide screen.
    timeline = page.get_by_test_id("lead-timeline").bounding_box()
    grid = page.get_by_test_id("contact-section").bounding_box()
    assert timeline["x"] > grid["x"] + grid["width"], (timeline, grid)
    screenshot("lead-page")

    # On a phone the timeline comes right under the header, before the fields.
    page.set_viewport_size(PHONE)
    page.reload()
    timeline = page.get_by_test_id("lead-timeline").bounding_box()
    grid = page.get_by_test_id("contact-section").bounding_box()
    assert timeline["y"] < grid["y"], (timeline, grid)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("lead-page-phone")


def test_the_header_stays_in_view_on_a_wide_screen(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="A lead with a long timeline")
    for number in range(12):
        services.update_lead(lead=lead, user=alice, data={"description": f"Note {number}"})
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.mouse.wheel(0, 1500)
    for _wait in range(50):  # wait_for_function's string is an eval, which CSP refuses
        if page.evaluate("window.scrollY") > 200:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") > 200
    expect(
        page.get_by_test_id("lead-actions").get_by_role("link", name="Qualify", exact=True)
    ).to_be_in_viewport()
    expect(page.get_by_test_id("edit-rating")).to_be_in_viewport()


def test_the_opportunity_moves_through_its_sales_stages(
    page, live_server, login, alice, screenshot
):
    account = AccountFactory(owner_user=alice, name="Nordlys Energi")
    deal = OpportunityFactory(owner_user=alice, account=account, topic="Smart meter rollout")
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/opportunities/{deal.pk}/")
    bar = page.get_by_test_id("process-bar")
    expect(bar.locator("[aria-current=step]")).to_contain_text("Qualify")
    bar.get_by_role("button", name="Develop").click()
    expect(bar.locator("[aria-current=step]")).to_contain_text("Develop")
    expect(bar.locator("[aria-current=step]")).to_contain_text("since")
    expect(page.locator("body")).to_contain_text("Sales stage set to Develop.")
    deal.refresh_from_db()
    assert deal.sales_stage == SalesStage.DEVELOP
    screenshot("opportunity-page")


def test_the_lead_form_is_in_sections_with_the_duplicate_warning_on_top(
    page, live_server, login, alice
):
    make_lead(owner=alice, topic="Existing", email="jens@blaavand.example")
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/leads/new/")
    contact = page.get_by_role("group", name="Contact")
    company = page.get_by_role("group", name="Company")
    qualification = page.get_by_role("group", name="Qualification")
    expect(contact.get_by_label("E-mail", exact=True)).to_be_visible()
    expect(company.get_by_label("Company name")).to_be_visible()
    expect(qualification.get_by_label("Rating", exact=True)).to_be_visible()
    left, right = contact.bounding_box(), company.bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1, (left, right)  # two columns

    page.get_by_label("Topic").fill("Cold storage")
    page.get_by_label("Last name").fill("Berg")
    contact.get_by_label("E-mail", exact=True).fill("jens@blaavand.example")
    page.get_by_role("button", name="Save", exact=True).click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("Existing")
    # "Save anyway" is in the warning, above the form, and saves what was typed.
    warning_box, form_box = warning.bounding_box(), contact.bounding_box()
    assert warning_box["y"] < form_box["y"]
    warning.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cold storage")


def test_the_customer_lists_are_cards_on_a_phone(page, live_server, login, alice):
    AccountFactory(owner_user=alice, name="Havn Logistics", city="Aarhus")
    page.set_viewport_size(PHONE)
    login(alice)
    page.goto(f"{live_server.url}/accounts/")
    table = page.get_by_test_id("account-table")
    # The header row is a strip of sort links; the columns without one go.
    expect(table.locator("thead").get_by_role("link", name="Name")).to_be_visible()
    expect(table.locator("thead th", has_text="Industry")).to_be_hidden()
    city = table.locator("tbody tr").first.locator("td[data-label='City']")
    expect(city).to_have_text("Aarhus")
    assert city.evaluate("cell => getComputedStyle(cell, '::before').content") == '"City: "'
    # The filters wait behind one button.
    search = page.locator("#list-filters").get_by_role("textbox").first
    expect(search).to_be_hidden()
    page.get_by_role("button", name="Filters").click()
    expect(search).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
