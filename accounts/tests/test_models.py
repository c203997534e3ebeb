import pytest
from django.db import IntegrityError, transaction

from accounts.models import Account, Contact
from accounts.services import create_customer, deactivate_customer
from accounts.tests.factories import AccountFactory, ContactFactory
from crm.errors import DomainError


def test_matching_keys_are_kept_current_on_save(alice):
    account = AccountFactory(
        owner_user=alice,
        name="ACME, Inc",
        phone="33 88 11 00",
        email="Sales@Acme.example",
        website="https://www.acme.example/",
    )
    assert (account.name_key, account.phone_key) == ("acme", "+4533881100")
    assert (account.email_key, account.domain_key) == ("sales@acme.example", "acme.example")
    account.name = "Acme Nordic"
    account.save(update_fields=["name"])
    account.refresh_from_db()
    assert account.name_key == "acme nordic"


def test_phone_and_e_mail_are_stored_as_typed_even_when_unparsable(alice):
    contact = ContactFactory(
        owner_user=alice, business_phone="call reception", email="Anna@Example.COM"
    )
    contact.refresh_from_db()
    assert contact.business_phone == "call reception"
    assert contact.phone_key == ""
    assert contact.email == "Anna@Example.COM"


def test_a_contact_key_is_its_first_and_last_name(alice):
    contact = ContactFactory(
        owner_user=alice, first_name="Søren", middle_name="K.", last_name="Ørsted"
    )
    assert contact.name_key == "soren orsted"
    assert str(contact) == "Søren K. Ørsted"


def test_a_customer_has_exactly_one_owner(alice, north):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(name="Nobody's")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(last_name="Both", owner_user=alice, owner_team=north)


def test_create_customer_stamps_the_creator_and_history(alice):
    account = Account(name="Nordlys")
    account.owner = alice
    create_customer(record=account, user=alice)
    assert account.created_by == alice
    assert account.history.get().history_user == alice


def test_deactivating_twice_is_refused(alice):
    account = AccountFactory(owner_user=alice)
    account = deactivate_customer(record=account, user=alice)
    assert not account.is_active
    assert account.version == 2
    with pytest.raises(DomainError, match="already inactive"):
        deactivate_customer(record=account, user=alice)


def test_active_lists_only_active_customers(alice):
    active = AccountFactory(owner_user=alice)
    AccountFactory(owner_user=alice, is_active=False)
    assert list(Account.objects.active()) == [active]
