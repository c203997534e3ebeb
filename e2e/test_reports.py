import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from reports.tests.factories import build_known_data


def test_a_manager_filters_the_lead_source_report_sees_the_chart_and_downloads_csv(
    page, live_server, login, alice, bob, carol, north, manager, screenshot
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)

    page.get_by_role("link", name="Reports").click()
    # The report index says what each report answers.
    index = page.get_by_test_id("report-index")
    expect(index.get_by_role("link")).to_have_count(6)
    expect(index).to_contain_text("Which sources, campaigns, owners or teams bring leads")
    index.get_by_role("link", name=re.compile("^Lead sources")).click()
    expect(page.get_by_role("heading", name="Lead source effectiveness")).to_be_visible()
    totals = page.get_by_test_id("totals-row")
    expect(totals).to_contain_text("9")  # her team's leads: all but carol's

    page.get_by_label("Created from").fill("2026-03-03")
    page.get_by_label("Created until").fill("2026-03-03")
    page.get_by_role("button", name="Apply").click()

    table = page.get_by_test_id("report-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_contain_text("Web")
    expect(totals.locator("td").first).to_have_text("2")
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-chart-ready", "true")
    screenshot("lead-source-report")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-csv").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert ",".join(rows[0]).startswith(
        "source,leads,open,qualified,disqualified,qualification_rate,opportunities,won,won_value"
    )
    assert [row[:3] for row in rows[1:]] == [["Web", "2", "0"]]


def test_the_table_sorts_by_a_column(page, live_server, login, alice, bob, carol, north, manager):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)
    page.goto(f"{live_server.url}/reports/lead-sources/")
    first_cells = page.get_by_test_id("report-table").locator("tbody tr th")
    expect(first_cells).to_have_text(["Trade Show", "Web", "(none)"])

    leads_header = page.get_by_test_id("report-table").locator("thead button", has_text="Leads")
    leads_header.click()  # ascending
    expect(first_cells).to_have_text(["(none)", "Trade Show", "Web"])
    leads_header.click()  # descending
    expect(first_cells).to_have_text(["Web", "Trade Show", "(none)"])


def test_a_managers_home_shows_the_team_tiles(
    page, live_server, login, alice, bob, carol, north, manager, screenshot
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)

    expect(page.get_by_test_id("manager-tiles")).to_be_visible()
    screenshot("home-manager")
    owner_link = page.get_by_test_id("tile-team-leads-by-owner").get_by_role(
        "link", name="Alice Adams"
    )
    owner_link.click()
    expect(page).to_have_url(
        f"{live_server.url}/leads/?view=any&state=open&owner=user%3A{alice.pk}"
    )
