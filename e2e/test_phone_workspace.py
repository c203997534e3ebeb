"""The workspace on a phone (issue 19): the lead list as cards with the bulk controls behind
one button, and the lead page's actions in view without scrolling."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead

PHONE = {"width": 375, "height": 740}


def test_the_lead_list_is_cards_with_bulk_controls_behind_a_button(
    page, live_server, login, alice
):
    for number in range(3):
        make_lead(owner=alice, topic=f"Card {number}", company_name=f"Company {number}")
    page.set_viewport_size(PHONE)
    login(alice)
    page.goto(f"{live_server.url}/leads/")
    table = page.get_by_test_id("lead-table")
    # The header row is a strip of sort links; the columns without one go.
    expect(table.locator("thead").get_by_role("link", name="Topic")).to_be_visible()
    expect(table.locator("thead th", has_text="Source")).to_be_hidden()
    first = table.locator("tbody tr").first
    company = first.locator("td[data-label='Company']")
    expect(company).to_have_text("Company 2")
    label = company.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Company: "', label  # each value says what it is
    expect(first.locator("td[data-label='Created']")).to_be_hidden()  # wide screens only
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    action = page.get_by_label("Action")
    expect(action).to_be_hidden()
    page.get_by_role("button", name="Bulk actions").click()
    expect(action).to_be_visible()
    # Selecting on a card still works with the bulk bar.
    first.get_by_role("checkbox").check()
    action.select_option("assign")
    expect(page.get_by_test_id("bulk-form").get_by_label("Owner")).to_be_visible()


def test_the_lead_page_shows_its_actions_without_scrolling(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="A long topic for a phone screen, to wrap twice or so")
    page.set_viewport_size(PHONE)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    actions = page.get_by_test_id("lead-actions")
    quick = page.get_by_test_id("lead-quick-actions")
    for button in (
        actions.get_by_role("link", name="Qualify", exact=True),
        actions.get_by_role("link", name="Disqualify"),
        quick.get_by_role("link", name="Log a call"),
        quick.get_by_role("link", name="Log an e-mail"),
        quick.get_by_role("link", name="Add a note"),
    ):
        expect(button).to_be_in_viewport(ratio=1)
    quick.get_by_role("link", name="Add a note").click()
    form = page.get_by_test_id("quick-add-form")
    expect(form.get_by_label("Text")).to_be_in_viewport()  # scrolled to the timeline
    form.get_by_label("Text").fill("Asked for a call back on Monday.")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Asked for a call back on Monday.")
