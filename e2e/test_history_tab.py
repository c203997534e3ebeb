"""The History tab: a change made in place on the lead's page, read back in words."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead


def test_an_inline_rating_change_is_on_the_history_tab(
    page, live_server, login, alice, screenshot
):
    lead = make_lead(owner=alice, topic="Cold storage sensors", rating="warm")
    page.set_viewport_size({"width": 1366, "height": 860})
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")

    page.get_by_test_id("edit-rating").click()
    page.locator("#fact-rating").get_by_label("Rating", exact=True).select_option("hot")
    page.locator("#fact-rating").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-rating")).to_have_text("Hot")

    page.get_by_test_id("history-tab").click()
    expect(page).to_have_url(f"{live_server.url}/leads/{lead.pk}/history/")
    latest = page.get_by_test_id("history-entry").first
    expect(latest.get_by_test_id("history-who")).to_have_text("Alice Adams")
    expect(latest.get_by_test_id("history-reason")).to_contain_text("Inline edit")
    expect(latest.get_by_test_id("history-changes")).to_contain_text("Rating")
    expect(latest.get_by_test_id("history-change")).to_have_text("Warm → Hot")
    # The entry before it is the lead's creation, shown with the values it started with.
    expect(page.get_by_test_id("history-entry").nth(1)).to_contain_text("Cold storage sensors")
    screenshot("lead-history")

    page.get_by_role("link", name="Details").click()
    expect(page.get_by_test_id("lead-rating")).to_have_text("Hot")
