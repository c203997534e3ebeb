from decimal import Decimal

import factory

from opportunities.models import Currency, Opportunity


class CurrencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Currency
        django_get_or_create = ["code"]

    code = "USD"
    name = "US Dollar"
    symbol = "$"
    exchange_rate = Decimal("1.25")


class OpportunityFactory(factory.django.DjangoModelFactory):
    """Pass an owner (`owner_user=` / `owner_team=`) and a customer (`account=` or `contact=`)."""

    class Meta:
        model = Opportunity

    topic = factory.Sequence(lambda n: f"Deal {n}")
    currency = factory.LazyFunction(lambda: Currency.objects.base())
    estimated_value = Decimal("1000.00")
