"""CSV downloads of the funnel and time-in-status reports: header and every cell."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from leads.models import LeadSource
from leads.tests.factories import make_lead
from reports.tests.factories import DAY, T0, build_known_data

FUNNEL = reverse("reports:funnel")
TIME_IN_STATUS = reverse("reports:time_in_status")


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def download(client, url, params):
    response = client.get(url, {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


FUNNEL_HEADER = [
    "created",
    "contacted",
    "qualified",
    "opportunity",
    "won",
    "contacted_percent_of_created",
    "qualified_percent_of_contacted",
    "opportunity_percent_of_qualified",
    "won_percent_of_opportunity",
]


def test_the_funnel_csv_by_source(as_admin, known):
    assert download(as_admin, FUNNEL, {"by": "source"}) == [
        ["source", *FUNNEL_HEADER],
        ["Trade Show", "3", "2", "2", "2", "1", "66.7", "100.0", "100.0", "50.0"],
        ["Web", "5", "2", "2", "2", "1", "40.0", "100.0", "100.0", "50.0"],
        # no percentage after an empty step
        ["(none)", "2", "1", "0", "0", "0", "50.0", "0.0", "", ""],
    ]


def test_the_funnel_csv_by_team_applies_the_filters_and_visibility(as_alice, known):
    assert download(as_alice, FUNNEL, {"by": "team"}) == [
        ["team", *FUNNEL_HEADER],
        ["North", "9", "5", "4", "4", "2", "55.6", "80.0", "100.0", "50.0"],
    ]
    web = LeadSource.objects.get(name="Web")
    params = {"by": "team", "source": web.pk, "created_from": "2026-03-03"}
    assert download(as_alice, FUNNEL, params) == [
        ["team", *FUNNEL_HEADER],
        # W2 (e-mailed, qualified into O2, still open), W3 and Q1 (never contacted)
        ["North", "3", "1", "1", "1", "0", "33.3", "100.0", "100.0", "0.0"],
    ]


def test_time_in_status_csv_by_owner(as_admin, known):
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        rows = download(as_admin, TIME_IN_STATUS, {"by": "owner"})

    assert rows == [
        ["owner", "status", "stays", "average_days", "median_days"],
        ["Alice Adams", "New", "5", "0.69", "0.25"],
        ["Alice Adams", "Contacted", "3", "3.85", "3.92"],
        ["Bob Berg", "New", "3", "2.48", "1.00"],
        ["Bob Berg", "Contacted", "1", "5.96", "5.96"],
        ["Carol Cruz", "New", "1", "8.00", "8.00"],
        ["North", "New", "1", "8.00", "8.00"],
    ]


def test_time_in_status_csv_by_team_for_a_rep_of_another_team(as_carol, known):
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        rows = download(as_carol, TIME_IN_STATUS, {"by": "team"})

    assert rows == [
        ["team", "status", "stays", "average_days", "median_days"],
        ["South", "New", "1", "8.00", "8.00"],
    ]


def test_labels_a_spreadsheet_would_run_are_neutralised(as_admin, alice):
    make_lead(owner=alice, source=LeadSource.objects.create(name="=HYPERLINK(1)"))

    rows = download(as_admin, FUNNEL, {"by": "source"})
    assert rows[1][0] == "'=HYPERLINK(1)"
    alice.first_name = "+Alice"
    alice.save(update_fields=["first_name"])
    rows = download(as_admin, TIME_IN_STATUS, {"by": "owner"})
    assert rows[1][:3] == ["'+Alice Adams", "New", "1"]


@pytest.mark.parametrize("url", [FUNNEL, TIME_IN_STATUS])
def test_each_page_offers_the_download_of_its_filters(as_admin, known, url):
    response = as_admin.get(url, {"by": "team", "created_from": "2026-03-01"})
    link = escape("?by=team&created_from=2026-03-01&format=csv")
    assert f'href="{link}" data-testid="download-csv"' in response.content.decode()


@pytest.mark.parametrize("url", [FUNNEL, TIME_IN_STATUS])
def test_a_bad_csv_request_is_a_400_with_a_message(as_admin, db, url):
    response = as_admin.get(url, {"format": "csv", "created_from": "yesterday"})
    assert response.status_code == 400
    assert "not understood" in response.content.decode()
    page = as_admin.get(url, {"created_from": "yesterday"}).content.decode()
    assert 'data-testid="download-csv"' not in page


def test_the_lead_source_csv_neutralises_its_labels_too(as_admin, alice):
    make_lead(owner=alice, source=LeadSource.objects.create(name="=HYPERLINK(1)"))

    rows = download(as_admin, reverse("reports:lead_sources"), {"by": "source"})

    assert [row[0] for row in rows if "HYPERLINK" in row[0]] == ["'=HYPERLINK(1)"]


def test_time_in_status_csv_names_the_statuses_in_the_users_language(as_carol, known):
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        response = as_carol.get(
            TIME_IN_STATUS, {"by": "team", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="da"
        )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["South", "Ny", "1", "8,00", "8,00"]
