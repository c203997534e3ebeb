"""The exact-numbers test: the known data set (reports/tests/factories.py), every cell checked.
Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from leads.models import LeadSource
from reports.lead_sources import CSV_COLUMNS, csv_rows, lead_source_report
from reports.queries import Criteria
from reports.tests.factories import build_known_data

D = Decimal
# Columns in CSV_COLUMNS order: leads, open, qualified, disqualified, qualification_rate,
# opportunities, won, won_value, lost, open_value, qualified_share, avg_days_to_qualification,
# avg_hours_to_first_contact, disqualified_{lost, cannot_contact, no_longer_interested, canceled}
# fmt: off
BY_SOURCE = {
    "Trade Show": [3, 0, 2, 1, D("0.6667"), 2, 1, D("1500.00"), 1, D("0.00"), D("0.6667"),
                   D("4.00"), D("1.00"), 0, 1, 0, 0],
    "Web": [5, 2, 2, 1, D("0.6667"), 2, 1, D("1500.00"), 0, D("1000.00"), D("0.4000"),
            D("3.00"), D("4.00"), 1, 0, 0, 0],
    "(none)": [2, 1, 0, 1, D("0.0000"), 0, 0, D("0.00"), 0, D("0.00"), D("0.0000"),
               None, D("3.00"), 0, 0, 0, 1],
}
TOTALS = [10, 3, 4, 3, D("0.5714"), 3, 1, D("3000.00"), 1, D("1000.00"), D("0.4000"),
          D("3.50"), D("3.00"), 1, 1, 0, 1]
# fmt: on


def cells(row):
    return [row.cell(column) for column in CSV_COLUMNS]


def table(report):
    return {row.label: cells(row) for row in report.rows}


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def test_every_cell_by_source_for_everything(known):
    report = lead_source_report(user=None, criteria=Criteria())

    assert [row.label for row in report.rows] == ["Trade Show", "Web", "(none)"]
    assert table(report) == BY_SOURCE
    assert cells(report.totals) == TOTALS


def test_an_administrator_sees_the_same_as_the_command_without_as(known, admin_user):
    report = lead_source_report(user=admin_user, criteria=Criteria())

    assert table(report) == BY_SOURCE
    assert cells(report.totals) == TOTALS


def test_a_rep_counts_only_the_leads_she_may_see(known, alice):
    report = lead_source_report(user=alice, criteria=Criteria())

    web = table(report)["Web"]
    # W4 (carol's, South) is gone: one lead and one open lead fewer.
    assert web[:4] == [4, 1, 2, 1]
    assert web[4:] == [D("0.6667"), 2, 1, D("1500.00"), 0, D("1000.00"), D("0.5000"),
                       D("3.00"), D("4.00"), 1, 0, 0, 0]  # fmt: skip
    assert table(report)["Trade Show"] == BY_SOURCE["Trade Show"]
    assert cells(report.totals)[:4] == [9, 2, 4, 3]


def test_a_manager_sees_her_team_and_a_rep_of_another_team_only_her_own(known, manager, carol):
    assert lead_source_report(user=manager, criteria=Criteria()).totals.leads == 9

    report = lead_source_report(user=carol, criteria=Criteria())

    assert table(report) == {
        "Web": [1, 1, 0, 0, None, 0, 0, D("0.00"), 0, D("0.00"), D("0.0000"),
                None, None, 0, 0, 0, 0],
    }  # fmt: skip


def test_the_date_range_is_read_in_the_users_time_zone(known):
    march = {"created_from": datetime.date(2026, 3, 1), "created_to": datetime.date(2026, 3, 31)}

    in_utc = lead_source_report(user=None, criteria=Criteria(time_zone=datetime.UTC, **march))
    copenhagen = zoneinfo.ZoneInfo("Europe/Copenhagen")
    in_copenhagen = lead_source_report(user=None, criteria=Criteria(time_zone=copenhagen, **march))

    # N2 was created on 28 February at 23:30 UTC: 1 March, 00:30 in Copenhagen.
    assert table(in_utc)["(none)"][:5] == [1, 1, 0, 0, None]
    assert table(in_copenhagen)["(none)"] == BY_SOURCE["(none)"]
    assert in_utc.totals.leads == 9


def test_the_date_range_includes_both_end_days(known):
    day = datetime.date(2026, 3, 3)  # W2 and W3 (T0 + 1 day)
    criteria = Criteria(created_from=day, created_to=day, time_zone=datetime.UTC)

    report = lead_source_report(user=None, criteria=criteria)

    assert table(report) == {
        "Web": [2, 0, 1, 1, D("0.5000"), 1, 0, D("0.00"), 0, D("1000.00"), D("0.5000"),
                D("2.00"), D("6.00"), 1, 0, 0, 0],
    }  # fmt: skip


def test_by_owner(known):
    report = lead_source_report(user=None, criteria=Criteria(by="owner"))

    assert table(report) == {
        "Alice Adams": [5, 1, 3, 1, D("0.7500"), 3, 1, D("1500.00"), 1, D("1000.00"),
                        D("0.6000"), D("2.67"), D("3.67"), 0, 1, 0, 0],
        "Bob Berg": [3, 0, 1, 2, D("0.3333"), 1, 1, D("1500.00"), 0, D("0.00"), D("0.3333"),
                     D("6.00"), D("1.00"), 1, 0, 0, 1],
        "Carol Cruz": [1, 1, 0, 0, None, 0, 0, D("0.00"), 0, D("0.00"), D("0.0000"),
                       None, None, 0, 0, 0, 0],
        "North": [1, 1, 0, 0, None, 0, 0, D("0.00"), 0, D("0.00"), D("0.0000"),
                  None, None, 0, 0, 0, 0],
    }  # fmt: skip
    assert cells(report.totals) == TOTALS


def test_by_team_counts_team_queues_and_members_leads(known):
    report = lead_source_report(user=None, criteria=Criteria(by="team"))

    assert table(report) == {
        "North": [9, 2, 4, 3, D("0.5714"), 3, 1, D("3000.00"), 1, D("1000.00"), D("0.4444"),
                  D("3.50"), D("3.00"), 1, 1, 0, 1],
        "South": [1, 1, 0, 0, None, 0, 0, D("0.00"), 0, D("0.00"), D("0.0000"),
                  None, None, 0, 0, 0, 0],
    }  # fmt: skip
    assert cells(report.totals) == TOTALS


def test_a_rep_in_two_teams_counts_in_both_and_once_in_the_totals(known, bob, south):
    from crm.tests.factories import MembershipFactory

    MembershipFactory(user=bob, team=south)

    report = lead_source_report(user=None, criteria=Criteria(by="team"))

    assert table(report)["South"][:4] == [4, 1, 1, 2]  # W4 and bob's W3, T1, N2
    assert table(report)["North"][:4] == [9, 2, 4, 3]
    assert cells(report.totals) == TOTALS


def test_by_campaign(known):
    report = lead_source_report(user=None, criteria=Criteria(by="campaign"))

    assert [row.label for row in report.rows] == ["Spring (SPRING)", "(none)"]
    assert table(report)["Spring (SPRING)"] == [
        2, 0, 2, 0, D("1.0000"), 2, 1, D("1500.00"), 0, D("1000.00"), D("1.0000"),
        D("3.00"), D("4.00"), 0, 0, 0, 0,
    ]  # fmt: skip
    assert table(report)["(none)"][:4] == [8, 3, 2, 3]


def test_filters_narrow_the_leads(known, alice, north):
    web = LeadSource.objects.get(name="Web")

    assert lead_source_report(user=None, criteria=Criteria(source=web)).totals.leads == 5
    assert lead_source_report(user=None, criteria=Criteria(owner=alice)).totals.leads == 5
    assert lead_source_report(user=None, criteria=Criteria(owner=north)).totals.leads == 1
    assert lead_source_report(user=None, criteria=Criteria(team=north)).totals.leads == 9
    spring = Criteria(campaign=known["campaign"])
    assert lead_source_report(user=None, criteria=spring).totals.leads == 2


def test_an_opportunity_counts_once_per_source_with_its_value_shared(known):
    """O1 is fed by W1 (Web) and T1 (Trade Show); it is won with 3000."""
    report = lead_source_report(user=None, criteria=Criteria())
    rows = {row.label: row for row in report.rows}

    assert (rows["Web"].won, rows["Trade Show"].won, report.totals.won) == (1, 1, 1)
    assert rows["Web"].won_value + rows["Trade Show"].won_value == report.totals.won_value


def test_the_csv_rows_have_the_issue_header_and_no_totals(known):
    rows = list(csv_rows(lead_source_report(user=None, criteria=Criteria())))

    assert ",".join(rows[0]).startswith(
        "source,leads,open,qualified,disqualified,qualification_rate,opportunities,won,won_value"
    )
    assert rows[1][:10] == ["Trade Show", "3", "0", "2", "1", "0.6667", "2", "1", "1500.00", "1"]
    assert rows[3][0] == "(none)"
    assert rows[3][12] == ""  # no qualified lead: no average
    assert len(rows) == 4


def test_no_leads_gives_no_rows_and_zero_totals(db):
    report = lead_source_report(user=None, criteria=Criteria())

    assert report.rows == []
    assert cells(report.totals)[:5] == [0, 0, 0, 0, None]


def test_a_rep_in_two_teams_brings_her_opportunities_to_both(known, alice, south):
    """Alice's O2 and O3 have one source lead each, O1 two (W1, hers, and bob's T1): by team,
    each counts once in each of her teams and once in the totals, O1's value shared."""
    from crm.tests.factories import MembershipFactory

    MembershipFactory(user=alice, team=south)

    report = lead_source_report(user=None, criteria=Criteria(by="team"))

    # opportunities, won, won_value, lost, open_value
    assert table(report)["North"][5:10] == [3, 1, D("3000.00"), 1, D("1000.00")]
    assert table(report)["South"][5:10] == [3, 1, D("1500.00"), 1, D("1000.00")]
    assert cells(report.totals) == TOTALS


def test_a_filtered_report_still_shares_an_opportunity_with_its_leads_out_of_scope(known):
    """With a filter the links are read for the leads in scope only, but each opportunity's
    number of source leads counts them all: O1 (fed by W1 and T1) gives Web half its value."""
    web = LeadSource.objects.get(name="Web")

    filtered = table(lead_source_report(user=None, criteria=Criteria(source=web)))["Web"]

    assert filtered == BY_SOURCE["Web"]
    assert filtered[7] == D("1500.00")
