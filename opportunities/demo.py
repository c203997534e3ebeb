"""Demo currencies and opportunities, some of them won or lost. Deterministic and idempotent."""

import datetime
from decimal import Decimal

from django.conf import settings

from opportunities.models import Currency, Opportunity, SalesStage
from opportunities.services import create_opportunity, lose_opportunity, win_opportunity

# code, name, symbol, units per one euro (demo figures); stored against the base currency
DEMO_CURRENCIES = [
    ("EUR", "Euro", "€", Decimal(1)),
    ("DKK", "Danish Krone", "kr.", Decimal("7.46")),
    ("USD", "US Dollar", "$", Decimal("1.08")),
    ("GBP", "Pound Sterling", "£", Decimal("0.85")),
]

# topic, customer (account name or contact "First Last"), owner, currency, value, stage, outcome
DEMO_OPPORTUNITIES = [
    ("Fjernaflæste målere", "Nordlys Energi A/S", "alice", "EUR", "120000", SalesStage.PROPOSE, ""),  # noqa: E501
    ("Telematik til vognparken", "Havn Logistik ApS", "bob", "DKK", "450000", SalesStage.DEVELOP, ""),  # noqa: E501
    ("Lagerscannere", "Havn Logistik ApS", "bob", "DKK", "90000", SalesStage.CLOSE, "won"),
    ("Sensorer til produktionslinjen", "Fyns Maskinfabrik A/S", "alice", "USD", "80000", SalesStage.QUALIFY, ""),  # noqa: E501
    ("Overvågning af kølekæden", "Sydkyst Fødevarer A/S", "carol", "DKK", "450000", SalesStage.CLOSE, "lost"),  # noqa: E501
    ("Værktøj til kontraktgennemgang", "Lars Østergaard", "carol", "DKK", "110000", SalesStage.DEVELOP, ""),  # noqa: E501
]  # fmt: skip


def seed(context):
    base = settings.BASE_CURRENCY
    per_euro = {code: rate for code, _name, _symbol, rate in DEMO_CURRENCIES}
    currencies = {}
    for code, name, symbol, rate in DEMO_CURRENCIES:
        # Rates are per euro: against another of these base currencies they are divided by its
        # rate (DKK: 1 EUR = 7.46 DKK gives EUR 0.134 per krone); with any other only it is kept.
        if base not in per_euro and code != base:
            continue
        exchange_rate = 1 if code == base else (rate / per_euro[base]).quantize(Decimal("1e-10"))
        currency, _created = Currency.objects.get_or_create(
            code=code,
            defaults={"name": name, "symbol": symbol, "exchange_rate": exchange_rate},
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
