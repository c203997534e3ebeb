import datetime
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import AccountFactory
from crm.errors import StaleRecord
from opportunities.models import Opportunity
from opportunities.services import lose_opportunity, reopen_opportunity, win_opportunity
from opportunities.signals import opportunity_closed, opportunity_reopened
from opportunities.tests.factories import OpportunityFactory


@pytest.fixture
def deal(alice):
    return OpportunityFactory(
        owner_user=alice, account=AccountFactory(owner_user=alice), estimated_value=Decimal(900)
    )


def test_win_stores_the_outcome_history_and_sends_a_signal(deal, alice):
    received = []
    opportunity_closed.connect(
        lambda **kwargs: received.append(kwargs["opportunity"].pk), weak=False, dispatch_uid="t1"
    )
    try:
        won = win_opportunity(opportunity=deal, user=alice, actual_value=Decimal(1000))
    finally:
        opportunity_closed.disconnect(dispatch_uid="t1")
    deal.refresh_from_db()
    assert (deal.state, deal.actual_value, deal.version) == (Opportunity.State.WON, 1000, 2)
    assert deal.modified_by == alice
    assert deal.history.first().history_user == alice
    assert received == [won.pk]


def test_lose_with_a_reason_and_date(deal, alice):
    lose_opportunity(
        opportunity=deal,
        user=alice,
        status=Opportunity.Status.OUT_SOLD,
        close_date=datetime.date(2026, 3, 3),
        description="Went with a rival",
    )
    deal.refresh_from_db()
    assert (deal.status, deal.actual_close_date) == (
        Opportunity.Status.OUT_SOLD,
        datetime.date(2026, 3, 3),
    )
    assert deal.close_description == "Went with a rival"


def test_closing_from_a_stale_page_is_refused(deal, alice, bob):
    win_opportunity(opportunity=deal, user=bob)
    with pytest.raises(StaleRecord):
        lose_opportunity(opportunity=deal, user=alice, expected_version=1)


def test_reopen_clears_the_outcome(deal, alice):
    received = []
    opportunity_reopened.connect(
        lambda **kwargs: received.append(1), weak=False, dispatch_uid="t2"
    )
    try:
        win_opportunity(opportunity=deal, user=alice)
        reopen_opportunity(opportunity=deal, user=alice)
    finally:
        opportunity_reopened.disconnect(dispatch_uid="t2")
    deal.refresh_from_db()
    assert (deal.state, deal.status, deal.actual_value, deal.version) == (0, 1, None, 3)
    assert received == [1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_closes_win_only_once(alice, bob):
    """Two users press "close" at once: the row lock lets one through, the other is stale."""

    deal = OpportunityFactory(owner_user=alice, account=AccountFactory(owner_user=alice))

    def close(user):
        try:
            win_opportunity(opportunity=deal, user=user, expected_version=1)
            return "won"
        except StaleRecord:
            return "stale"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(close, [alice, bob]))
    assert results == ["stale", "won"]
    deal.refresh_from_db()
    assert deal.version == 2
