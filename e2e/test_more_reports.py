"""The funnel, time-in-status, disqualification and untouched-leads reports, in the browser.

Every number comes from reports/tests/factories.py's known data set, as North's manager sees it
(carol's W4 is South's: she does not). The report unit tests show where each number comes from.
"""

import csv
import io
import json
import re
from pathlib import Path

from playwright.sync_api import expect

from leads.tests.factories import make_lead
from reports.tests.factories import build_known_data
from reports.tests.test_csv_downloads import FUNNEL_HEADER


def open_report(page, name):
    """Reports in the main menu, then the report's tab."""
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    page.get_by_test_id("report-index").get_by_role("link", name=re.compile(f"^{name}")).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def download_csv(page):
    """Click the page's "Download CSV" button: (suggested file name, rows)."""
    link = page.get_by_role("link", name="Download CSV")
    expect(link).to_have_attribute("data-testid", "download-csv")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    return download.suggested_filename, list(csv.reader(io.StringIO(content)))


def row_headers(table):
    return table.locator("tbody tr th")


def cells_of(table, label, *, section="tbody"):
    return table.locator(f"{section} tr", has=table.page.get_by_role("rowheader", name=label))


def test_a_manager_reads_the_funnel_by_source_then_by_team_and_downloads_it(
    page, live_server, login, alice, bob, carol, north, manager
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)
    open_report(page, "Funnel")

    table = page.get_by_test_id("funnel-table")
    expect(table.locator("thead th")).to_have_text(
        ["", "Created", "Contacted", "Qualified", "Opportunity", "Won"]
    )
    # By source (the default): carol's W4 is not North's, so Web has 4 leads, not 5.
    expect(row_headers(table)).to_have_text(["Trade Show", "Web", "(none)"])
    expect(cells_of(table, "Trade Show").locator("td")).to_have_text(
        [
            "3",
            "2 (66.7 % of the previous step)",
            "2 (100.0 % of the previous step)",
            "2 (100.0 % of the previous step)",
            "1 (50.0 % of the previous step)",
        ]
    )
    expect(cells_of(table, "Web").locator("td")).to_have_text(
        [
            "4",
            "2 (50.0 % of the previous step)",
            "2 (100.0 % of the previous step)",
            "2 (100.0 % of the previous step)",
            "1 (50.0 % of the previous step)",
        ]
    )
    # No percentage of an empty step: a dash after the first 0.
    expect(cells_of(table, "(none)").locator("td")).to_have_text(
        [
            "2",
            "1 (50.0 % of the previous step)",
            "0 (0.0 % of the previous step)",
            "0 (—)",
            "0 (—)",
        ]
    )
    # O1 is won through W1 and T1: two leads reached "won".
    expect(cells_of(table, "Total", section="tfoot").locator("td")).to_have_text(
        [
            "9",
            "5 (55.6 % of the previous step)",
            "4 (80.0 % of the previous step)",
            "4 (100.0 % of the previous step)",
            "2 (50.0 % of the previous step)",
        ]
    )
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-chart-ready", "true")

    # The funnel groups by source or team only.
    group_by = page.get_by_label("Group by")
    expect(group_by.locator("option")).to_have_text(["Source", "Team"])
    group_by.select_option(label="Team")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]by=team"))
    expect(row_headers(table)).to_have_text(["North"])
    expect(cells_of(table, "North").locator("td")).to_have_text(
        [
            "9",
            "5 (55.6 % of the previous step)",
            "4 (80.0 % of the previous step)",
            "4 (100.0 % of the previous step)",
            "2 (50.0 % of the previous step)",
        ]
    )

    # Narrow to Web leads created from 3 March: W2 (e-mailed, qualified into O2, still open),
    # W3 and Q1 (never contacted). The download carries the same filters.
    page.get_by_label("Source", exact=True).select_option(label="Web")
    page.get_by_label("Created from").fill("2026-03-03")
    page.get_by_role("button", name="Apply").click()
    expect(cells_of(table, "North").locator("td")).to_have_text(
        [
            "3",
            "1 (33.3 % of the previous step)",
            "1 (100.0 % of the previous step)",
            "1 (100.0 % of the previous step)",
            "0 (0.0 % of the previous step)",
        ]
    )
    filename, rows = download_csv(page)
    assert filename == "funnel-team-report.csv"
    assert rows == [
        ["team", *FUNNEL_HEADER],
        ["North", "3", "1", "1", "1", "0", "33.3", "100.0", "100.0", "0.0"],
    ]


def test_a_manager_reads_time_in_status_for_a_week_of_leads_and_downloads_it(
    page, live_server, login, alice, bob, carol, north, manager
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)
    open_report(page, "Time in status")

    table = page.get_by_test_id("time-in-status-table")
    # By owner (the default): North's queue lead Q1 is a row of its own; carol is not North's.
    expect(row_headers(table)).to_have_text(["Alice Adams", "Bob Berg", "North"])
    group_by = page.get_by_label("Group by")
    expect(group_by.locator("option")).to_have_text(["Owner", "Team"])

    # Leads created on 3 March left their statuses long ago, so the days do not depend on
    # today: W2 (alice) was new 6 h and contacted 1 d 18 h; W3 (bob) was new 1 day.
    page.get_by_label("Created from").fill("2026-03-03")
    page.get_by_label("Created until").fill("2026-03-03")
    page.get_by_role("button", name="Apply").click()
    expect(row_headers(table)).to_have_text(["Alice Adams", "Bob Berg"])
    expect(table.locator("thead th")).to_have_text(
        [
            "",
            re.compile(r"^New\s*avg / median days \(stays\)$"),
            re.compile(r"^Contacted\s*avg / median days \(stays\)$"),
        ]
    )
    expect(cells_of(table, "Alice Adams").locator("td")).to_have_text(
        ["0.25 / 0.25 (1)", "1.75 / 1.75 (1)"]
    )
    expect(cells_of(table, "Bob Berg").locator("td")).to_have_text(["1.00 / 1.00 (1)", "—"])
    # The chart: average days over every stay of the report, one bar per status.
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-chart-ready", "true")
    chart = json.loads(page.locator("#time-in-status-chart").text_content())
    assert chart["labels"] == ["New", "Contacted"]
    assert chart["datasets"][0]["data"] == [0.63, 1.75]

    filename, rows = download_csv(page)
    assert filename == "time-in-status-owner-report.csv"
    assert rows == [
        ["owner", "status", "stays", "average_days", "median_days"],
        ["Alice Adams", "New", "1", "0.25", "0.25"],
        ["Alice Adams", "Contacted", "1", "1.75", "1.75"],
        ["Bob Berg", "New", "1", "1.00", "1.00"],
    ]

    # By team: both reps are North's; the two New stays average 0.63 days.
    group_by.select_option(label="Team")
    page.get_by_role("button", name="Apply").click()
    expect(row_headers(table)).to_have_text(["North"])
    expect(cells_of(table, "North").locator("td")).to_have_text(
        ["0.63 / 0.63 (2)", "1.75 / 1.75 (1)"]
    )


def test_a_manager_reads_the_disqualification_reasons_by_source_and_by_owner(
    page, live_server, login, alice, bob, carol, north, manager
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(manager)
    open_report(page, "Disqualification reasons")

    table = page.get_by_test_id("disqualification-table")
    expect(table.locator("thead th")).to_have_text(
        ["", "Disqualified", "Lost", "Cannot Contact", "No Longer Interested", "Canceled"]
    )
    # W3 lost (Web), T2 cannot contact (Trade Show), N2 canceled (no source).
    expect(row_headers(table)).to_have_text(["Trade Show", "Web", "(none)"])
    expect(cells_of(table, "Trade Show").locator("td")).to_have_text(["1", "0", "1", "0", "0"])
    expect(cells_of(table, "Web").locator("td")).to_have_text(["1", "1", "0", "0", "0"])
    expect(cells_of(table, "(none)").locator("td")).to_have_text(["1", "0", "0", "0", "1"])
    expect(table.locator("tfoot td")).to_have_text(["3", "1", "1", "0", "1"])
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-chart-ready", "true")
    chart = json.loads(page.locator("#disqualification-chart").text_content())
    assert chart["labels"] == ["Lost", "Cannot Contact", "No Longer Interested", "Canceled"]
    assert chart["datasets"][0]["data"] == [1, 1, 0, 1]

    page.get_by_label("Group by").select_option(label="Owner")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]by=owner"))
    # T2 is alice's; W3 and N2 are bob's.
    expect(cells_of(table, "Alice Adams").locator("td")).to_have_text(["1", "0", "1", "0", "0"])
    expect(cells_of(table, "Bob Berg").locator("td")).to_have_text(["2", "1", "0", "0", "1"])
    expect(table.locator("tfoot td")).to_have_text(["3", "1", "1", "0", "1"])

    filename, rows = download_csv(page)
    assert filename == "disqualification-owner-report.csv"
    assert rows == [
        [
            "owner",
            "disqualified",
            "disqualified_lost",
            "disqualified_cannot_contact",
            "disqualified_no_longer_interested",
            "disqualified_canceled",
        ],
        ["Alice Adams", "1", "0", "1", "0", "0"],
        ["Bob Berg", "2", "1", "0", "0", "1"],
        ["North", "0", "0", "0", "0", "0"],
    ]


def test_a_manager_opens_the_untouched_leads_behind_her_tile(
    page, live_server, login, alice, bob, carol, north, manager
):
    known = build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    # Created today: touched recently, so not behind the tile.
    make_lead(owner=alice, topic="Fresh inquiry from today", last_name="Fresh")
    login(manager)

    # The known data is from March 2026: N1 (alice's) and Q1 (North's queue) are the only
    # open North leads; carol's open W4 is South's, not hers to manage.
    tile = page.get_by_test_id("tile-untouched")
    expect(tile).to_contain_text("Untouched for 7+ days")
    expect(tile.locator(".tile-count")).to_have_text("2")
    tile.click()

    expect(page.get_by_role("heading", name="Open leads untouched for 7+ days")).to_be_visible()
    table = page.get_by_test_id("untouched-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(table).not_to_contain_text("Fresh inquiry from today")
    # Oldest change first: Q1 was last changed on 4 March, N1 on 6 March (its call).
    q1, n1 = known["leads"]["Q1"], known["leads"]["N1"]
    expect(rows.nth(0).locator("td")).to_have_text(
        [q1.display_topic, "North", "Web", "4 Mar 2026"]
    )
    expect(rows.nth(1).locator("td")).to_have_text(
        [n1.display_topic, "Alice Adams", "—", "6 Mar 2026"]
    )

    rows.nth(1).get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}{n1.get_absolute_url()}")
    expect(page.get_by_test_id("lead-owner")).to_have_text("Alice Adams")
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")


def test_a_rep_has_no_team_leads_to_chase_on_the_untouched_page(
    page, live_server, login, alice, bob, carol, north
):
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    login(alice)

    # A rep's home has no team dashboard, so no tile leads here; the address still answers.
    expect(page.get_by_test_id("manager-tiles")).to_have_count(0)
    page.goto(f"{live_server.url}/reports/untouched-leads/")
    rows = page.get_by_test_id("untouched-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_have_text("Every lead was touched recently.")
