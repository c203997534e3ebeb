"""Regarding records for the tests: customer accounts and contacts (the customers app)."""

import factory

from accounts.models import Account, Contact


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    last_name = factory.Sequence(lambda n: f"Person {n}")
