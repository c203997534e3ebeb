"""Closing (won, lost), moving the sales stage and reopening change the opportunity: they need
edit rights on it (editable_by; a record seen but not editable is a 404 as for editing) and
the role's permission to change opportunities (crm/permissions.py; a 403 saying what is
missing), and the page offers them only then."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from crm.models import SALESPERSON_GROUP
from opportunities.models import Opportunity, SalesStage
from opportunities.services import win_opportunity
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

CLOSE_WON = {"outcome": "won", "actual_value": "1500", "close_date": "2026-11-20"}


@pytest.fixture
def deal(alice):
    account = AccountFactory(owner_user=alice, name="Acme")
    return OpportunityFactory(owner_user=alice, account=account, topic="Smart meters")


@pytest.fixture
def without_change_permission(alice):
    Group.objects.get(name=SALESPERSON_GROUP).permissions.remove(
        Permission.objects.get(
            content_type__app_label="opportunities", codename="change_opportunity"
        )
    )


def _state(deal):
    deal.refresh_from_db()
    return (deal.state, deal.sales_stage, deal.version)


class TestARoleWithoutTheChangePermission:
    def test_may_not_close(self, as_alice, deal, without_change_permission):
        url = reverse("opportunities:close", args=[deal.pk])
        before = _state(deal)

        assert as_alice.get(url).status_code == 403
        response = as_alice.post(url, {**CLOSE_WON, "expected_version": deal.version})

        assert response.status_code == 403
        assert "change opportunity" in response.text.lower()
        assert _state(deal) == before

    def test_may_not_move_the_stage(self, as_alice, deal, without_change_permission):
        before = _state(deal)

        response = as_alice.post(
            reverse("opportunities:set_stage", args=[deal.pk]),
            {"sales_stage": SalesStage.PROPOSE, "expected_version": deal.version},
            headers={"Accept": "application/json"},
        )

        assert response.status_code == 403
        assert _state(deal) == before

    def test_may_not_reopen(self, as_alice, alice, deal, without_change_permission):
        win_opportunity(opportunity=deal, user=alice)
        before = _state(deal)

        response = as_alice.post(reverse("opportunities:reopen", args=[deal.pk]))

        assert response.status_code == 403
        assert _state(deal) == before

    def test_is_offered_none_of_them(self, as_alice, alice, deal, without_change_permission):
        content = as_alice.get(deal.get_absolute_url()).content.decode()
        assert reverse("opportunities:close", args=[deal.pk]) not in content
        assert reverse("opportunities:set_stage", args=[deal.pk]) not in content
        board = as_alice.get(reverse("opportunities:board")).content.decode()
        assert reverse("opportunities:close", args=[deal.pk]) not in board

        win_opportunity(opportunity=deal, user=alice)
        content = as_alice.get(deal.get_absolute_url()).content.decode()
        assert reverse("opportunities:reopen", args=[deal.pk]) not in content


class TestWithThePermission:
    def test_the_owner_closes_moves_and_reopens(self, as_alice, deal):
        stage = reverse("opportunities:set_stage", args=[deal.pk])
        response = as_alice.post(stage, {"sales_stage": SalesStage.PROPOSE, "expected_version": 1})
        assert response.status_code == 302
        url = reverse("opportunities:close", args=[deal.pk])
        assert as_alice.post(url, {**CLOSE_WON, "expected_version": 2}).status_code == 302
        assert _state(deal)[0] == Opportunity.State.WON
        assert as_alice.post(reverse("opportunities:reopen", args=[deal.pk])).status_code == 302
        assert _state(deal)[0] == Opportunity.State.OPEN

    def test_a_teammate_who_only_sees_it_gets_404s(self, client, bob, alice, deal):
        client.force_login(bob)
        assert client.get(deal.get_absolute_url()).status_code == 200
        before = _state(deal)
        for name in ("close", "set_stage", "reopen"):
            url = reverse(f"opportunities:{name}", args=[deal.pk])
            assert client.post(url, CLOSE_WON).status_code == 404, name
        assert _state(deal) == before
