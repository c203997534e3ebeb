"""The home dashboards: the salesperson's tiles, the manager's additions, links, queries."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.urls import reverse

from activities.models import Activity
from leads.tests.factories import make_lead
from reports import dashboards
from reports.tests.factories import DAY, T0, build_known_data

HOME = reverse("home")
NOW = datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)  # a Thursday


def _activity(owner, lead, due_at):
    from activities.services import log_activity

    return log_activity(
        regarding=lead,
        user=owner,
        kind=Activity.Kind.TASK,
        data={"subject": "Follow up", "due_at": due_at},
    )


@pytest.fixture
def alices_week(alice):
    with time_machine.travel(NOW - 7 * DAY, tick=False):
        make_lead(owner=alice, last_name="Last week")
    with time_machine.travel(NOW - 2 * DAY, tick=False):  # Tuesday
        lead = make_lead(owner=alice, last_name="This week")
    _activity(alice, lead, NOW - DAY)  # overdue
    _activity(alice, lead, NOW + datetime.timedelta(hours=3))  # later today
    _activity(alice, lead, NOW + 2 * DAY)  # not yet
    return lead


def test_a_salespersons_week_and_day(alice, alices_week):
    with time_machine.travel(NOW, tick=False):
        tiles = dashboards.salesperson_tiles(alice)

    assert tiles["new_leads_this_week"] == 1
    assert (tiles["activities_overdue"], tiles["activities_due_today"]) == (1, 1)
    query = parse_qs(urlparse(tiles["new_leads_this_week_url"]).query)
    assert query == {
        "view": ["any"],
        "owner": [f"user:{alice.pk}"],
        "created_after": ["2026-03-09"],
    }


def test_the_new_leads_tile_links_to_the_list_that_shows_them(as_alice, alice, alices_week):
    with time_machine.travel(NOW, tick=False):
        url = dashboards.salesperson_tiles(alice)["new_leads_this_week_url"]
        listed = as_alice.get(url).content.decode()

    assert "This week" in listed
    assert "Last week" not in listed


def test_a_rep_gets_no_manager_tiles(as_alice, alices_week):
    response = as_alice.get(HOME)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="tile-new-leads-week"' in body
    assert 'data-testid="tile-activities-due"' in body
    assert 'data-testid="tile-my-open-leads"' in body  # the leads app's tiles stay
    assert 'data-testid="tile-open-opportunities"' in body
    assert 'data-testid="manager-tiles"' not in body
    assert "chart.umd.min.js" not in body


@pytest.fixture
def known(alice, bob, carol, north, manager):
    return build_known_data(alice=alice, bob=bob, carol=carol, north=north)


def test_a_manager_sees_her_teams_tiles(known, manager, alice, north):
    with time_machine.travel(T0 + 30 * DAY, tick=False):
        tiles = dashboards.manager_tiles(manager)

    # open leads: N1 (alice), Q1 (North's queue); W4 is carol's in South
    assert [(o["name"], o["count"]) for o in tiles["team_open_leads_by_owner"]] == [
        ("Alice Adams", 1)
    ]
    assert parse_qs(urlparse(tiles["team_open_leads_by_owner"][0]["url"]).query) == {
        "view": ["any"],
        "state": ["open"],
        "owner": [f"user:{alice.pk}"],
    }
    assert [(q["name"], q["count"]) for q in tiles["team_queues"]] == [("North", 1)]
    assert tiles["team_queues"][0]["url"].endswith(f"owner=team%3A{north.pk}")
    assert tiles["untouched_leads"] == 2
    assert tiles["month_sources_chart"]["labels"] == []  # nothing created in April
    assert tiles["month_sources_url"].endswith("created_from=2026-04-01")


def test_the_month_chart_counts_this_months_leads(known, manager):
    with time_machine.travel(T0 + 10 * DAY, tick=False):
        chart = dashboards.manager_tiles(manager)["month_sources_chart"]

    # March: N2 was created on 28 February (UTC), carol's W4 is not hers to see
    assert chart["labels"] == ["Trade Show", "Web", "(none)"]
    assert chart["datasets"][0]["data"] == [3, 4, 1]


def test_a_lead_touched_recently_is_not_untouched(known, manager, alice):
    n1 = known["leads"]["N1"]
    with time_machine.travel(T0 + 30 * DAY, tick=False):
        _activity(alice, n1, T0 + 31 * DAY)
        leads = list(dashboards.untouched_leads(manager))

    assert [lead.last_name for lead in leads] == ["Q1"]


def test_the_untouched_page_lists_the_leads_behind_the_tile(as_manager, known):
    with time_machine.travel(T0 + 30 * DAY, tick=True):
        response = as_manager.get(reverse("reports:untouched_leads"))

    body = response.content.decode()
    assert response.status_code == 200
    for name in ("N1", "Q1"):
        assert f'href="/leads/{known["leads"][name].pk}/"' in body
    assert f'href="/leads/{known["leads"]["W4"].pk}/"' not in body


def test_a_rep_has_no_untouched_leads_of_her_own_to_manage(as_alice, known):
    with time_machine.travel(T0 + 30 * DAY, tick=True):
        response = as_alice.get(reverse("reports:untouched_leads"))

    assert "Every lead was touched recently." in response.content.decode()


def test_a_manager_home_shows_the_tiles_and_the_chart(as_manager, known):
    with time_machine.travel(T0 + 10 * DAY, tick=True):
        body = as_manager.get(HOME).content.decode()

    assert 'data-testid="manager-tiles"' in body
    assert 'id="month-sources-chart"' in body
    assert "chart.umd.min.js" in body
    assert "reports.js" in body


def test_home_refuses_post(as_alice):
    assert as_alice.post(HOME).status_code == 405


def test_a_reps_home_query_count_is_the_same_for_one_lead_and_fifty(
    client, alice, django_assert_num_queries
):
    from leads.tests.factories import LeadFactory

    client.force_login(alice)
    LeadFactory(owner_user=alice)
    client.get(HOME)
    # session, user, teams, opportunities, accounts, contacts, leads by status, follow-ups,
    # new this week, activities due, is_administrator (groups), is_sales_manager
    with django_assert_num_queries(12):
        client.get(HOME)
    LeadFactory.create_batch(49, owner_user=alice)
    with django_assert_num_queries(12):
        client.get(HOME)


def test_a_managers_home_query_count(client, manager, known, django_assert_num_queries):
    client.force_login(manager)
    with time_machine.travel(T0 + 10 * DAY, tick=True):  # March: the month chart has bars
        client.get(HOME)
        # the rep's 12, then this month's report (lead counts, opportunity counts, source
        # labels), open leads by owner, team queues, untouched
        with django_assert_num_queries(18):
            client.get(HOME)
