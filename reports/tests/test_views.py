import csv
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from crm.templatetags.readable import count, money, percent
from reports.tests.factories import build_known_data

LEAD_SOURCES = reverse("reports:lead_sources")
REPORT_PAGES = [
    reverse("reports:lead_sources"),
    reverse("reports:funnel"),
    reverse("reports:time_in_status"),
    reverse("reports:disqualification"),
    reverse("reports:untouched_leads"),
]


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def page_table(html):
    """The report table's rows (body and totals) as lists of cell texts."""
    table = html.split('data-testid="report-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S) for row in rows[1:]]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells]


def csv_table(text):
    return list(csv.reader(io.StringIO(text)))


# The page, the CSV and the command agree ---------------------------------------------------


def test_the_page_shows_every_group_and_the_totals(as_admin, known, settings):
    response = as_admin.get(LEAD_SOURCES)

    assert response.status_code == 200
    rows = page_table(response.content.decode())
    assert [row[0] for row in rows] == ["Trade Show", "Web", "(none)", "Total"]
    assert rows[1][:6] == ["Web", "5", "2", "2", "1", "66.7 %"]
    assert rows[-1][:11] == [
        "Total", "10", "3", "4", "3", "57.1 %", "40.0 %", "3", "1",
        f"{settings.BASE_CURRENCY} 3,000.00", "1",
    ]  # fmt: skip
    assert 'id="lead-source-chart"' in response.content.decode()


def test_the_csv_download_has_the_issue_header_and_the_pages_numbers(as_admin, known):
    response = as_admin.get(LEAD_SOURCES, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = csv_table(response.content.decode("utf-8-sig"))
    assert ",".join(rows[0]).startswith(
        "source,leads,open,qualified,disqualified,qualification_rate,opportunities,won,won_value"
    )
    page = {row[0]: row for row in page_table(as_admin.get(LEAD_SOURCES).content.decode())}
    header = rows[0]
    for row in rows[1:]:
        on_page = page[row[0]]
        value = dict(zip(header, row, strict=True))
        # Page columns: label, leads, open, qualified, disqualified, rate, share, opps, won,
        # won value, lost, open value, days, hours ("—" where the CSV is empty); rates as
        # percentages and values as money on the page.
        readable = {"qualification_rate": percent, "qualified_share": percent}
        readable |= {"won_value": money, "open_value": money}
        readable |= dict.fromkeys(("leads", "open", "qualified", "disqualified"), count)
        readable |= dict.fromkeys(("opportunities", "won", "lost"), count)
        shown = [(readable.get(c, str)(value[c]) if value[c] else "—") for c in (
            "leads", "open", "qualified", "disqualified", "qualification_rate",
            "qualified_share", "opportunities", "won", "won_value", "lost", "open_value",
            "avg_days_to_qualification", "avg_hours_to_first_contact",
        )]  # fmt: skip
        assert on_page[1:] == shown
    assert "Total" not in [row[0] for row in rows]


def test_the_command_prints_what_the_download_gives(as_admin, known):
    out = io.StringIO()
    call_command("lead_source_report", stdout=out)

    download = as_admin.get(LEAD_SOURCES, {"format": "csv"}).content.decode("utf-8-sig")
    assert csv_table(out.getvalue()) == csv_table(download)


def test_the_command_applies_a_users_visibility_and_the_filters(as_alice, known):
    out = io.StringIO()
    call_command(
        "lead_source_report",
        "--as=alice",
        "--from=2026-03-03",
        "--to=2026-03-03",
        "--by=owner",
        stdout=out,
    )

    download = as_alice.get(
        LEAD_SOURCES,
        {"by": "owner", "created_from": "2026-03-03", "created_to": "2026-03-03", "format": "csv"},
    )
    rows = csv_table(out.getvalue())
    assert rows == csv_table(download.content.decode("utf-8-sig"))
    assert rows[0][0] == "owner"
    assert [row[0] for row in rows[1:]] == ["Alice Adams", "Bob Berg"]


def test_the_command_prints_a_table_with_the_totals(known):
    out = io.StringIO()
    call_command("lead_source_report", "--format=table", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["source", "leads", "open"]
    assert lines[-1].split()[:4] == ["Total", "10", "3", "4"]
    assert any(line.startswith("Trade Show") for line in lines)


def test_the_command_refuses_an_unknown_user_and_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("lead_source_report", "--as=nobody", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("lead_source_report", "--from=yesterday", stdout=io.StringIO())


# Visibility --------------------------------------------------------------------------------


def test_a_rep_of_another_team_sees_only_her_own_numbers(as_carol, known):
    rows = csv_table(as_carol.get(LEAD_SOURCES, {"format": "csv"}).content.decode("utf-8-sig"))

    assert [row[:3] for row in rows[1:]] == [["Web", "1", "1"]]


def test_a_manager_sees_her_teams_numbers(as_manager, known):
    rows = page_table(as_manager.get(LEAD_SOURCES).content.decode())

    assert rows[-1][:2] == ["Total", "9"]  # all but carol's lead


# Filters and bad input ---------------------------------------------------------------------


def test_the_date_filter_narrows_the_page(as_admin, known):
    response = as_admin.get(
        LEAD_SOURCES, {"created_from": "2026-03-03", "created_to": "2026-03-03"}
    )

    rows = page_table(response.content.decode())
    assert [row[:3] for row in rows] == [["Web", "2", "0"], ["Total", "2", "0"]]


def test_grouping_by_team_names_the_first_csv_column_team(as_admin, known):
    rows = csv_table(
        as_admin.get(LEAD_SOURCES, {"by": "team", "format": "csv"}).content.decode("utf-8-sig")
    )

    assert rows[0][0] == "team"
    assert [row[:2] for row in rows[1:]] == [["North", "9"], ["South", "1"]]


def test_bad_filters_give_a_message_not_an_error(as_admin, known):
    response = as_admin.get(LEAD_SOURCES, {"created_from": "soon", "by": "planet"})

    assert response.status_code == 200
    assert "Check the filters" in response.content.decode()
    assert 'data-testid="report-table"' not in response.content.decode()


def test_a_reversed_date_range_is_refused_clearly(as_admin, known):
    response = as_admin.get(
        LEAD_SOURCES, {"created_from": "2026-03-05", "created_to": "2026-03-01"}
    )

    assert "The start date is after the end date." in response.content.decode()


def test_a_bad_csv_request_is_a_400_with_a_message(as_admin, db):
    response = as_admin.get(LEAD_SOURCES, {"format": "csv", "created_to": "nope"})

    assert response.status_code == 400
    assert "Check the filters" in response.content.decode()


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_report_pages_refuse_post(as_alice, url):
    assert as_alice.post(url).status_code == 405


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_report_pages_need_a_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("url", REPORT_PAGES)
def test_report_pages_render_for_a_rep_without_data(as_alice, url):
    assert as_alice.get(url).status_code == 200


def test_the_other_reports_render_the_known_data(as_manager, known):
    funnel = as_manager.get(reverse("reports:funnel")).content.decode()
    assert 'id="funnel-chart"' in funnel
    assert "Trade Show" in funnel

    by_owner = as_manager.get(reverse("reports:time_in_status"), {"by": "owner"})
    assert "Alice Adams" in by_owner.content.decode()

    reasons = as_manager.get(reverse("reports:disqualification")).content.decode()
    assert "Cannot Contact" in reasons


def test_an_unknown_team_or_owner_filter_is_refused(as_alice, known):
    response = as_alice.get(LEAD_SOURCES, {"team": "9999", "owner": "user:9999"})

    assert "Check the filters" in response.content.decode()


# Query counts ------------------------------------------------------------------------------

# On PostgreSQL the report sets its planner settings for its queries and, inside a longer
# transaction (a test's), puts them back: two queries, whatever the data
# (reports.queries.aggregate_settings).
SETTINGS = 2 if connection.vendor == "postgresql" else 0


def test_the_report_page_query_count_does_not_grow_with_the_data(
    as_manager, known, django_assert_num_queries
):
    as_manager.get(LEAD_SOURCES)  # warm the content type cache
    # session, user (administrator or not), owner filter choices (users, teams),
    # lead counts, opportunity counts, labels (sources), team filter choices, sources,
    # campaigns, the user's teams (visible_to; is_sales_manager, the navbar's Imports entry,
    # reads them too)
    with django_assert_num_queries(11 + SETTINGS):
        as_manager.get(LEAD_SOURCES)
    # the same, with two label queries (users and teams) for the owner grouping
    with django_assert_num_queries(12 + SETTINGS):
        as_manager.get(LEAD_SOURCES, {"by": "owner"})
    # CSV: session, user (administrator or not), the user's teams (visible_to), the two
    # aggregates, labels: no form to render, so no choices are read
    with django_assert_num_queries(6 + SETTINGS):
        as_manager.get(LEAD_SOURCES, {"format": "csv"})


def test_the_report_query_count_is_the_same_for_one_lead_and_fifty(
    as_admin, alice, django_assert_num_queries
):
    from leads.tests.factories import LeadFactory

    LeadFactory(owner_user=alice)
    as_admin.get(LEAD_SOURCES)
    # session, user, owner choices (users, teams), lead counts, opportunity counts, team
    # choices, sources, campaigns; no label query (only "(none)"), a superuser needs no
    # group lookup
    with django_assert_num_queries(9 + SETTINGS) as one:
        as_admin.get(LEAD_SOURCES)
    LeadFactory.create_batch(49, owner_user=alice)
    with django_assert_num_queries(len(one.captured_queries)):
        as_admin.get(LEAD_SOURCES)


def test_the_funnel_page_shows_each_step_as_a_percentage_of_the_previous_one(as_admin, known):
    html = as_admin.get(reverse("reports:funnel")).content.decode()

    table = html.split('data-testid="funnel-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    total = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", rows[-1], flags=re.S)
    ]
    assert total[0] == "Total"
    assert total[1:] == [
        "10",
        "5 (50.0 % of the previous step)",
        "4 (80.0 % of the previous step)",
        "4 (100.0 % of the previous step)",
        "2 (50.0 % of the previous step)",
    ]
    assert "−" not in table
    none = [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", rows[-2], flags=re.S)
    ]
    # The first step has no percentage; a step after an empty one shows a dash.
    assert none == [
        "(none)",
        "2",
        "1 (50.0 % of the previous step)",
        "0 (0.0 % of the previous step)",
        "0 (—)",
        "0 (—)",
    ]
    assert "percentage of the previous step's leads that reached it" in html
    assert "drop-off" not in html
