import re

from playwright.sync_api import expect

from reports.tests.factories import build_known_data


def test_a_manager_clicks_a_qualified_count_and_sees_those_leads(
    page, live_server, login, alice, bob, carol, north, manager, screenshot
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)
    page.goto(f"{live_server.url}/reports/lead-sources/")

    web = page.get_by_test_id("report-table").locator("tbody tr", has_text="Web")
    qualified = web.locator("a[data-count='qualified']")
    expect(qualified).to_have_text("2")  # W1 and W2
    qualified.click()

    expect(page).to_have_url(re.compile(r"/leads/\?view=any&source=\d+&state=qualified$"))
    rows = page.get_by_test_id("lead-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_text(re.compile(r"^\s*2 leads"))).to_be_visible()
    screenshot("report-click-through")
