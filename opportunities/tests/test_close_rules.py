"""Closing and reopening as a sales team expects (issue 17): no revenue offered for a lost
deal, no close date in the future, and a reopened deal back at its open probability and stage."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory
from crm.errors import DomainError
from opportunities.models import Opportunity, SalesStage
from opportunities.services import (
    lose_opportunity,
    reopen_opportunity,
    update_opportunity,
    win_opportunity,
)
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(alice):
    return OpportunityFactory(
        owner_user=alice, account=AccountFactory(owner_user=alice), estimated_value=Decimal(900)
    )


@pytest.mark.parametrize("close", ["won", "lost"])
def test_reopening_restores_the_probability_and_stage_it_had_while_open(deal, alice, close):
    deal = update_opportunity(
        opportunity=deal,
        user=alice,
        data={"probability": 70, "sales_stage": SalesStage.PROPOSE},
        expected_version=deal.version,
    )
    if close == "won":
        win_opportunity(opportunity=deal, user=alice)
    else:
        lose_opportunity(opportunity=deal, user=alice)
    deal.refresh_from_db()
    assert deal.probability in (0, 100)

    reopen_opportunity(opportunity=deal, user=alice)

    deal.refresh_from_db()
    assert (deal.state, deal.probability, deal.sales_stage) == (
        Opportunity.State.OPEN,
        70,
        SalesStage.PROPOSE,
    )


def test_a_close_date_in_the_future_is_refused_by_the_service(deal, alice):
    later = timezone.localdate() + datetime.timedelta(days=10)
    with pytest.raises(DomainError, match="cannot be in the future"):
        win_opportunity(opportunity=deal, user=alice, close_date=later)
    with pytest.raises(DomainError, match="cannot be in the future"):
        lose_opportunity(opportunity=deal, user=alice, close_date=later)
    deal.refresh_from_db()
    assert deal.state == Opportunity.State.OPEN


def test_the_close_form_offers_the_estimate_for_a_win_only(client, alice, deal):
    client.force_login(alice)
    url = reverse("opportunities:close", args=[deal.pk])

    won = client.get(url, {"outcome": "won"}).context["form"]
    lost = client.get(url, {"outcome": "lost"}).context["form"]

    assert (won["outcome"].value(), won["actual_value"].value()) == ("won", Decimal(900))
    assert (lost["outcome"].value(), lost["actual_value"].value()) == ("canceled", None)


def test_the_close_form_refuses_a_future_date_and_revenue_on_a_lost_deal(client, alice, deal):
    client.force_login(alice)
    url = reverse("opportunities:close", args=[deal.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        url, {"outcome": "canceled", "actual_value": "500", "close_date": tomorrow.isoformat()}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["close_date"] == ["The actual close date cannot be in the future."]
    assert form.errors["actual_value"] == [
        "A lost opportunity has no actual revenue: leave it empty."
    ]
    deal.refresh_from_db()
    assert deal.state == Opportunity.State.OPEN
