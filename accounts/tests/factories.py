import factory

from accounts.models import Account, Contact


class AccountFactory(factory.django.DjangoModelFactory):
    """Pass `owner_user=` or `owner_team=` (exactly one)."""

    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    city = "Copenhagen"
    country = "Denmark"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Jensen"
    email = factory.Sequence(lambda n: f"person{n}@example.com")
