"""The opportunity board (opportunities/board.py): open opportunities by sales stage, values
in the base currency, moves with the card's version, and the close dialog that returns to the
board."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from opportunities import services
from opportunities.models import Opportunity, SalesStage
from opportunities.tests.factories import CurrencyFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

BOARD = reverse("opportunities:board")


@pytest.fixture
def account(alice):
    return AccountFactory(owner_user=alice, name="Contoso")


def _column(response, stage):
    (column,) = [c for c in response.context["columns"] if c["status"] == stage]
    return column


def _move(client, deal, stage, version):
    return client.post(
        reverse("opportunities:set_stage", args=[deal.pk]),
        {"sales_stage": stage, "expected_version": version},
        HTTP_ACCEPT="application/json",
    )


def test_open_opportunities_by_stage_with_values_in_the_base_currency(
    as_alice, alice, carol, account
):
    usd = CurrencyFactory(code="USD", exchange_rate=Decimal("2"))
    OpportunityFactory(topic="In base", account=account, owner_user=alice,
                       estimated_value=Decimal("1000"), probability=50)  # fmt: skip
    OpportunityFactory(topic="In dollars", account=account, owner_user=alice, currency=usd,
                       estimated_value=Decimal("1000"), probability=10)  # fmt: skip
    OpportunityFactory(topic="Proposed", account=account, owner_user=alice,
                       sales_stage=SalesStage.PROPOSE)  # fmt: skip
    won = OpportunityFactory(topic="Won already", account=account, owner_user=alice)
    services.win_opportunity(opportunity=won, user=alice)
    OpportunityFactory(topic="Theirs", account=AccountFactory(owner_user=carol), owner_user=carol)
    response = as_alice.get(BOARD)
    first = _column(response, SalesStage.QUALIFY)
    assert {deal.topic for deal in first["page"]} == {"In base", "In dollars"}
    assert first["value"] == Decimal("1500")  # 1,000 + 1,000 / 2
    assert first["weighted"] == Decimal("550")  # 500 + 50
    assert first["probability"] == 30
    assert [d.topic for d in _column(response, SalesStage.PROPOSE)["page"]] == ["Proposed"]
    page = response.content.decode()
    assert "Won already" not in page and "Theirs" not in page


def test_a_move_with_the_cards_version_and_a_stale_card(as_alice, alice, bob, account):
    deal = OpportunityFactory(account=account, owner_user=alice)
    response = _move(as_alice, deal, SalesStage.DEVELOP, deal.version)
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.sales_stage == SalesStage.DEVELOP and response.json()["version"] == deal.version
    stale = _move(as_alice, deal, SalesStage.PROPOSE, deal.version - 1)
    assert stale.status_code == 409 and stale.json()["error"]
    assert Opportunity.objects.get(pk=deal.pk).sales_stage == SalesStage.DEVELOP
    assert _move(as_alice, deal, 9, deal.version).status_code == 400


def test_a_closed_opportunity_does_not_move(as_alice, alice, account):
    deal = OpportunityFactory(account=account, owner_user=alice)
    deal = services.lose_opportunity(opportunity=deal, user=alice)
    response = _move(as_alice, deal, SalesStage.PROPOSE, deal.version)
    assert response.status_code == 400 and "lost" in response.json()["error"]


def test_the_close_dialog_returns_to_the_board(as_alice, alice, account):
    deal = OpportunityFactory(account=account, owner_user=alice, estimated_value=Decimal("900"))
    close = reverse("opportunities:close", args=[deal.pk])
    dialog = as_alice.get(close, {"outcome": "won", "dialog": "1", "next": BOARD})
    page = dialog.content.decode()
    assert "<html" not in page and 'data-testid="close-form"' in page and BOARD in page
    response = as_alice.post(
        f"{close}?outcome=won",
        {"outcome": "won", "actual_value": "900", "close_date": deal.created_at.date().isoformat(),
         "expected_version": deal.version, "next": BOARD},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == BOARD
    assert Opportunity.objects.get(pk=deal.pk).state == Opportunity.State.WON


def test_fixed_queries(as_alice, alice, account):
    OpportunityFactory(account=account, owner_user=alice)
    as_alice.get(BOARD)
    with CaptureQueriesContext(connection) as few:
        as_alice.get(BOARD)
    for _number in range(25):
        OpportunityFactory(account=account, owner_user=alice)
    with CaptureQueriesContext(connection) as many:
        response = as_alice.get(BOARD)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert _column(response, SalesStage.QUALIFY)["page"].has_next()
