"""The capped count of a visibility-filtered list (OwnedQuerySet.count_up_to): each branch of
the filter counted by itself and summed must give what one count of the whole filter gives,
shared records that a branch already owns counted once, and the cap respected."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.lib.pagination import ListPaginator
from crm.models import Share, forget_scope
from crm.services import share_record
from leads.models import Lead
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, carol, north, south, admin_user):
    """alice's own leads, her team's queue, her teammate bob's, and carol's (another team),
    two of carol's shared with alice (one for writing) and one with her team; one of bob's
    shared with her too (counted once: she sees it as his teammate already)."""
    LeadFactory.create_batch(4, owner_user=alice, state="open")
    LeadFactory.create_batch(2, owner_user=alice, state="qualified", status="qualified")
    LeadFactory.create_batch(3, owner_user=None, owner_team=north, state="open")
    bobs = LeadFactory.create_batch(3, owner_user=bob, state="open")
    carols = LeadFactory.create_batch(5, owner_user=carol, state="open")
    LeadFactory.create_batch(2, owner_user=None, owner_team=south, state="open")
    share_record(record=carols[0], by=admin_user, user=alice)
    share_record(record=carols[1], by=admin_user, user=alice, access=Share.Access.WRITE)
    share_record(record=carols[2], by=admin_user, team=north)
    share_record(record=bobs[0], by=admin_user, user=alice)
    forget_scope(alice)
    return {"alice": alice, "carol": carol, "admin": admin_user}


@pytest.mark.parametrize(
    "narrowing",
    [{}, {"state": "open"}, {"state": "qualified"}, {"last_name__startswith": "nobody"}],
)
@pytest.mark.parametrize("access", ["visible_to", "editable_by", "appendable_by"])
def test_it_counts_what_one_count_of_the_whole_filter_counts(world, access, narrowing):
    for user in world.values():
        leads = getattr(Lead.objects, access)(user).filter(**narrowing)
        exact = leads.count()
        assert leads.count_up_to(1000) == exact, (user, access, narrowing)
        for cap in (1, max(exact - 1, 1), exact + 1):
            assert leads.count_up_to(cap) == min(exact, cap)


def test_the_branches_are_counted_in_one_statement_by_their_own_conditions(world):
    leads = Lead.objects.visible_to(world["alice"]).filter(state="open")
    # Own, the queue, bob's (one also shared with her), carol's three shared with her or her
    # team.
    assert leads.count() == 4 + 3 + 3 + 3

    with CaptureQueriesContext(connection) as captured:
        assert leads.count_up_to(50) == 13
    (sql,) = [query["sql"] for query in captured.captured_queries]
    # Three counts, none of them carrying the whole OR of the visibility filter.
    assert sql.count("COUNT(*)") == 3
    assert " OR " not in sql.split("FROM", 2)[2].split("branch_0")[0]


def test_a_list_combined_with_or_or_sliced_counts_the_plain_way(world, bob):
    alice = world["alice"]
    mine = Lead.objects.visible_to(alice)
    combined = mine.filter(state="qualified") | mine.filter(state="open", owner_user=bob)
    assert combined.count_up_to(100) == combined.count() == 2 + 3


def test_the_list_paginator_counts_through_it(world):
    leads = Lead.objects.visible_to(world["alice"]).order_by("-pk")
    paginator = ListPaginator(leads, 5, cap=10)
    assert (paginator.count, paginator.capped, paginator.shown_count) == (11, True, 10)
    assert ListPaginator(leads, 5, cap=100).count == leads.count() == 15


def test_own_records_out_of_the_visible_ones_need_no_visibility_filter(world, bob):
    """ "My open leads": their own records are always visible to a user, so own() leaves the
    visibility filter out (the planner then reads the owner's index alone); another user's
    own records keep it."""
    alice = world["alice"]
    visible = Lead.objects.visible_to(alice)
    mine = visible.filter(state="open").own(alice)
    assert sorted(mine.values_list("pk", flat=True)) == sorted(
        Lead.objects.filter(owner_user=alice, state="open").values_list("pk", flat=True)
    )
    where = str(mine.query).split("WHERE", 1)[1]
    assert " OR " not in where and "owner_team_id" not in where

    bobs = visible.own(bob)
    assert bobs.count() == 3 and " OR " in str(bobs.query)
    carols = Lead.objects.visible_to(alice).own(world["carol"])
    assert carols.count() == 3  # the three of carol's shared with alice or her team, not all 5
