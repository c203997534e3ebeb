"""The lead source report's count cells link to the lead list of exactly those leads."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from crm.tests.factories import MembershipFactory
from leads.models import LeadSource
from reports.tests.factories import build_known_data

LEAD_SOURCES = reverse("reports:lead_sources")
COUNT_COLUMNS = ("leads", "open", "qualified", "disqualified")


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def listed(client, url):
    """How many leads the lead list shows at `url` (its filters must all be understood)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return response.context["page"].paginator.count


def assert_every_link_lists_its_count(client, params):
    response = client.get(LEAD_SOURCES, params)
    report, html = response.context["report"], response.content.decode()
    assert report.rows
    checked = 0
    for row in [*report.rows, report.totals]:
        assert set(row.links) == set(COUNT_COLUMNS)
        for column in COUNT_COLUMNS:
            url = row.links[column]
            assert f'href="{escape(url)}"' in html
            assert listed(client, url) == getattr(row, column), (row.label, column, url)
            checked += getattr(row, column)
    assert checked  # the data set is not empty: the links were checked against real numbers
    return report


@pytest.mark.parametrize("by", ["source", "campaign", "owner", "team"])
def test_every_count_cell_lists_that_many_leads(as_admin, known, by):
    report = assert_every_link_lists_its_count(as_admin, {"by": by})
    if by in ("source", "campaign"):
        assert report.rows[-1].label == "(none)"  # the "(none)" row links too


@pytest.mark.parametrize("by", ["source", "campaign", "owner", "team"])
def test_the_links_carry_the_reports_filters(as_admin, admin_user, known, north, alice, by):
    # The dates are read in the user's time zone on both pages: N2 (28 February 23:30 UTC)
    # was created on 1 March in Berlin.
    admin_user.time_zone = "Europe/Berlin"
    admin_user.save(update_fields=["time_zone"])
    params = {"by": by, "created_from": "2026-03-01", "created_to": "2026-03-04"}

    assert_every_link_lists_its_count(as_admin, params)
    assert_every_link_lists_its_count(as_admin, {**params, "team": north.pk})
    assert_every_link_lists_its_count(as_admin, {"by": by, "owner": f"user:{alice.pk}"})
    web = LeadSource.objects.get(name="Web")
    assert_every_link_lists_its_count(
        as_admin, {"by": by, "source": web.pk, "campaign": known["campaign"].pk}
    )


def test_the_berlin_day_includes_the_lead_created_late_on_the_utc_day_before(
    as_admin, admin_user, known
):
    params = {"by": "source", "created_from": "2026-03-01", "created_to": "2026-03-01"}
    utc_report = as_admin.get(LEAD_SOURCES, params).context["report"]
    admin_user.time_zone = "Europe/Berlin"
    admin_user.save(update_fields=["time_zone"])
    berlin_report = as_admin.get(LEAD_SOURCES, params).context["report"]

    assert berlin_report.totals.leads == utc_report.totals.leads + 1
    assert listed(as_admin, berlin_report.totals.links["leads"]) == berlin_report.totals.leads


@pytest.mark.parametrize("by", ["owner", "team"])
def test_a_managers_links_list_what_she_may_see(as_manager, known, by):
    assert_every_link_lists_its_count(as_manager, {"by": by})


def test_a_team_row_under_a_team_filter_lists_the_leads_in_both_teams(as_admin, known, bob, south):
    MembershipFactory(user=bob, team=south)  # bob's leads count in both teams' rows

    report = assert_every_link_lists_its_count(as_admin, {"by": "team", "team": south.pk})

    assert [row.label for row in report.rows] == ["North", "South"]
    assert report.rows[0].leads == 3  # bob's leads: W3, T1, N2


def test_leads_of_a_former_member_link_to_the_none_team_and_the_inactive_owner(
    as_admin, known, carol
):
    carol.memberships.update(is_active=False)
    carol.is_active = False
    carol.save(update_fields=["is_active"])

    teams = assert_every_link_lists_its_count(as_admin, {"by": "team"})
    assert teams.rows[-1].label == "(none)"
    assert teams.rows[-1].leads == 1
    owners = assert_every_link_lists_its_count(as_admin, {"by": "owner"})
    assert "Carol Cruz" in [row.label for row in owners.rows]
