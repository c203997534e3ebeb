"""Demo currencies and opportunities, some of them won or lost. Deterministic and idempotent."""

import datetime
from decimal import Decimal

from django.conf import settings

from opportunities.models import Currency, Opportunity, SalesStage
from opportunities.services import create_opportunity, lose_opportunity, win_opportunity

# code, name, symbol, units per one base-currency unit (demo figures against EUR)
DEMO_CURRENCIES = [
    ("EUR", "Euro", "€", Decimal(1)),
    ("DKK", "Danish Krone", "kr.", Decimal("7.46")),
    ("USD", "US Dollar", "$", Decimal("1.08")),
    ("GBP", "Pound Sterling", "£", Decimal("0.85")),
]

# topic, customer (account name or contact "First Last"), owner, currency, value, stage, outcome
DEMO_OPPORTUNITIES = [
    ("Smart meter rollout", "Nordlys Energi A/S", "alice", "EUR", "120000", SalesStage.PROPOSE, ""),  # noqa: E501
    ("Fleet telematics", "Havn Logistics ApS", "bob", "DKK", "450000", SalesStage.DEVELOP, ""),
    ("Warehouse scanners", "Havn Logistics ApS", "bob", "DKK", "90000", SalesStage.CLOSE, "won"),
    ("Production line sensors", "Acme Inc.", "alice", "USD", "80000", SalesStage.QUALIFY, ""),
    ("Cold chain monitoring", "Sydkyst Foods GmbH", "carol", "EUR", "60000", SalesStage.CLOSE, "lost"),  # noqa: E501
    ("Contract review tool", "Lars Østergaard", "carol", "EUR", "15000", SalesStage.DEVELOP, ""),
]  # fmt: skip


def seed(context):
    base = settings.BASE_CURRENCY
    currencies = {}
    for code, name, symbol, rate in DEMO_CURRENCIES:
        # Rates are relative to EUR: with another base currency only that one (rate 1) is kept.
        if base != "EUR" and code != base:
            continue
        currency, _created = Currency.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "symbol": symbol,
                "exchange_rate": rate if code != base else 1,
            },
        )
        currencies[code] = currency
    admin = context["users"]["admin"]
    accounts, contacts = context.get("accounts", {}), context.get("contacts", {})
    for topic, customer, owner, code, value, stage, outcome in DEMO_OPPORTUNITIES:
        if Opportunity.objects.filter(topic=topic).exists():
            continue
        opportunity = Opportunity(
            topic=topic,
            currency=currencies.get(code) or Currency.objects.base(),
            estimated_value=Decimal(value),
            estimated_close_date=datetime.date(2026, 12, 15),
            sales_stage=stage,
            probability=50,
        )
        opportunity.customer = accounts.get(customer) or contacts[customer]
        opportunity.owner = context["users"][owner]
        create_opportunity(opportunity=opportunity, user=admin)
        if outcome == "won":
            win_opportunity(
                opportunity=opportunity, user=admin, close_date=datetime.date(2026, 10, 1)
            )
        elif outcome == "lost":
            lose_opportunity(
                opportunity=opportunity,
                user=admin,
                status=Opportunity.Status.OUT_SOLD,
                close_date=datetime.date(2026, 9, 1),
            )
