"""Funnel, time in status and disqualification reasons over the known data set."""

import datetime
from decimal import Decimal

import pytest

from reports.funnel import build_funnel, conversion, funnel_report
from reports.lead_sources import lead_source_report
from reports.queries import Criteria
from reports.tests.factories import DAY, T0, build_known_data
from reports.time_in_status import time_in_status_report

D = Decimal


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def counts(row):
    return [count for _name, _label, count, _drop in row.steps]


def rates(row):
    return [rate for _name, _label, _count, rate in row.steps]


def test_the_funnel_by_source(known):
    rows, totals = funnel_report(user=None, criteria=Criteria())

    assert {row.label: counts(row) for row in rows} == {
        "Trade Show": [3, 2, 2, 2, 1],  # T1 called, T3 qualified without a call; T2 never
        "Web": [5, 2, 2, 2, 1],
        "(none)": [2, 1, 0, 0, 0],  # N1 called
    }
    assert counts(totals) == [10, 5, 4, 4, 2]  # O1 is won through W1 and T1: both leads won
    assert rates(totals) == [None, D("50.0"), D("80.0"), D("100.0"), D("50.0")]


def test_the_funnel_by_team_and_for_a_rep(known, alice):
    rows, totals = funnel_report(user=None, criteria=Criteria(by="team"))
    assert {row.label: counts(row) for row in rows} == {
        "North": [9, 5, 4, 4, 2],
        "South": [1, 0, 0, 0, 0],
    }

    _rows, mine = funnel_report(user=alice, criteria=Criteria(by="team"))
    assert counts(mine) == [9, 5, 4, 4, 2]


def test_conversion_is_the_share_reached_and_empty_after_an_empty_step():
    assert conversion(None, 3) is None
    assert conversion(0, 0) is None
    assert conversion(3, 1) == D("33.3")
    assert conversion(3, 0) == D("0.0")
    assert conversion(4, 4) == D("100.0")


def test_build_funnel_puts_none_last():
    rows, totals = build_funnel(
        [
            {
                "is_total": 0,
                "k1": None,
                "k2": None,
                "created": 1,
                "contacted": 0,
                "qualified": 0,
                "opportunity": 0,
                "won": 0,
            },
            {
                "is_total": 0,
                "k1": 2,
                "k2": None,
                "created": 2,
                "contacted": 1,
                "qualified": 1,
                "opportunity": 0,
                "won": 0,
            },
            {
                "is_total": 1,
                "k1": None,
                "k2": None,
                "created": 3,
                "contacted": 1,
                "qualified": 1,
                "opportunity": 0,
                "won": 0,
            },
        ],  # fmt: skip
        {(2, None): "Web"},
    )

    assert [row.label for row in rows] == ["Web", "(none)"]
    assert counts(totals) == [3, 1, 1, 0, 0]


def stays(rows, label):
    row = next(row for row in rows if row.label == label)
    return {
        status: (stay.stays, stay.average_days, stay.median_days)
        for status, stay in row.by_status.items()
    }


def test_time_in_status_by_owner(known):
    now = T0 + 10 * DAY
    rows, statuses = time_in_status_report(user=None, criteria=Criteria(by="owner"), now=now)

    assert [status for status, _label in statuses] == ["new", "contacted"]
    # alice: new 2 h, 6 h, 1 d, 2 d, 3 h; contacted 3 d 22 h, 1 d 18 h, N1 still (5 d 21 h)
    assert stays(rows, "Alice Adams") == {
        "new": (5, D("0.69"), D("0.25")),
        "contacted": (3, D("3.85"), D("3.92")),
    }
    # bob: new 1 d (W3), 1 h (T1), 6 d 9.5 h (N2, created 28 Feb 23:30); contacted 5 d 23 h
    assert stays(rows, "Bob Berg") == {
        "new": (3, D("2.48"), D("1.00")),
        "contacted": (1, D("5.96"), D("5.96")),
    }
    assert stays(rows, "Carol Cruz") == {"new": (1, D("8.00"), D("8.00"))}
    assert stays(rows, "North") == {"new": (1, D("8.00"), D("8.00"))}


def test_time_in_status_by_team_for_a_rep_of_another_team(known, carol):
    now = T0 + 10 * DAY
    rows, _statuses = time_in_status_report(user=carol, criteria=Criteria(by="team"), now=now)

    assert [row.label for row in rows] == ["South"]
    assert stays(rows, "South") == {"new": (1, D("8.00"), D("8.00"))}


def test_time_in_status_respects_the_date_range(known):
    criteria = Criteria(
        by="owner",
        created_from=datetime.date(2026, 3, 6),  # N1 only (T0 + 4 days)
        created_to=datetime.date(2026, 3, 6),
        time_zone=datetime.UTC,
    )
    rows, _ = time_in_status_report(user=None, criteria=criteria, now=T0 + 10 * DAY)

    assert stays(rows, "Alice Adams") == {
        "new": (1, D("0.13"), D("0.13")),
        "contacted": (1, D("5.88"), D("5.88")),
    }


def test_disqualification_reasons_by_source(known):
    report = lead_source_report(user=None, criteria=Criteria())

    assert {row.label: row.reason_counts for row in report.rows} == {
        "Trade Show": [0, 1, 0, 0],
        "Web": [1, 0, 0, 0],
        "(none)": [0, 0, 0, 1],
    }
    assert report.totals.reason_counts == [1, 1, 0, 1]


def test_leads_imported_as_qualified_are_qualified_in_the_funnel_too(alice, tmp_path):
    """A historical lead imported as qualified has no qualification of its own: the funnel
    counts it as qualified (and so contacted) as the lead source report does."""
    from django.core.management import call_command

    path = tmp_path / "leads.csv"
    path.write_text(
        "First Name,Last Name,Company,Lead Source,Lead Status\n"
        "Ann,Old,Old Co,Web,qualified:qualified\n"
        "Ben,New,New Co,Web,open:new\n",
        encoding="utf-8",
    )
    call_command("import_leads", str(path), "--owner", "alice", stdout=None)

    _rows, totals = funnel_report(user=None, criteria=Criteria())
    assert counts(totals)[:3] == [2, 1, 1]
    report = lead_source_report(user=None, criteria=Criteria())
    (web,) = [row for row in report.rows if row.label == "Web"]
    assert (web.leads, web.qualified) == (2, 1)
