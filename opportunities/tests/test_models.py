import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.tests.factories import AccountFactory, ContactFactory
from crm.errors import DomainError
from opportunities.models import Currency, Opportunity
from opportunities.tests.factories import CurrencyFactory, OpportunityFactory


def test_the_base_currency_exists_right_after_migrate(db, settings):
    base = Currency.objects.base()
    assert (base.code, base.exchange_rate, base.is_base) == (settings.BASE_CURRENCY, 1, True)


def test_amounts_convert_to_the_base_currency(db):
    dkk = CurrencyFactory(code="DKK", name="Danish Krone", symbol="kr.", exchange_rate="7.46")
    assert dkk.to_base(Decimal("746.00")) == Decimal("100.00")
    assert dkk.to_base(None) is None
    assert Currency.objects.base().to_base(Decimal("12.34")) == Decimal("12.34")


def test_the_base_currency_keeps_rate_one_and_stays_active(db):
    base = Currency.objects.base()
    base.exchange_rate = Decimal(2)
    base.is_active = False
    with pytest.raises(ValidationError) as error:
        base.full_clean()
    assert error.value.message_dict.keys() == {"exchange_rate", "is_active"}


def test_a_currency_code_is_three_capital_letters(db):
    with pytest.raises(ValidationError, match="ISO 4217"):
        Currency(code="eu", name="Bad", symbol="?").full_clean()


def test_a_currency_rate_must_be_positive(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Currency.objects.create(code="XXX", name="Zero", symbol="0", exchange_rate=0)


def test_the_customer_is_exactly_one_account_or_contact(alice):
    account = AccountFactory(owner_user=alice)
    contact = ContactFactory(owner_user=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        OpportunityFactory(owner_user=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        OpportunityFactory(owner_user=alice, account=account, contact=contact)
    with pytest.raises(ValidationError, match="exactly one potential customer"):
        OpportunityFactory.build(owner_user=alice, account=account, contact=contact).full_clean()


def test_the_customer_property_sets_one_side(alice):
    account = AccountFactory(owner_user=alice)
    contact = ContactFactory(owner_user=alice)
    opportunity = OpportunityFactory(owner_user=alice, account=account)
    opportunity.customer = contact
    assert (opportunity.account, opportunity.contact, opportunity.customer) == (
        None,
        contact,
        contact,
    )
    with pytest.raises(TypeError):
        opportunity.customer = "nobody"


def test_the_status_reason_must_fit_the_state(alice):
    opportunity = OpportunityFactory(owner_user=alice, account=AccountFactory(owner_user=alice))
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opportunity.pk).update(status=Opportunity.Status.WON)


def test_winning_sets_actual_value_date_and_probability(alice):
    opportunity = OpportunityFactory.build(estimated_value=Decimal(500))
    opportunity.close_as_won(close_date=datetime.date(2026, 5, 1))
    assert (opportunity.state, opportunity.status) == (
        Opportunity.State.WON,
        Opportunity.Status.WON,
    )
    assert (opportunity.actual_value, opportunity.actual_close_date) == (
        500,
        datetime.date(2026, 5, 1),
    )
    assert opportunity.probability == 100


def test_losing_needs_a_lost_reason_and_zeroes_the_value(db):
    opportunity = OpportunityFactory.build()
    with pytest.raises(DomainError, match="Canceled or Out-Sold"):
        opportunity.close_as_lost(status=Opportunity.Status.ON_HOLD)
    opportunity.close_as_lost(status=Opportunity.Status.OUT_SOLD)
    assert (opportunity.state, opportunity.actual_value) == (Opportunity.State.LOST, 0)


def test_a_closed_opportunity_cannot_be_closed_again_until_reopened(db):
    opportunity = OpportunityFactory.build()
    opportunity.close_as_won()
    with pytest.raises(DomainError, match="this one is won"):
        opportunity.close_as_lost()
    with pytest.raises(DomainError, match="this one is won"):
        opportunity.close_as_won()
    opportunity.reopen()
    assert (opportunity.state, opportunity.actual_value) == (Opportunity.State.OPEN, None)
    with pytest.raises(DomainError, match="already open"):
        opportunity.reopen()


def test_a_negative_actual_value_is_refused(db):
    with pytest.raises(DomainError, match="negative"):
        OpportunityFactory.build().close_as_won(actual_value=Decimal(-1))


def test_the_base_currency_comes_back_after_a_flush(transactional_db):
    from django.core.management import call_command

    from opportunities.models import Currency

    call_command("flush", "--no-input", verbosity=0)
    assert Currency.objects.base().exchange_rate == 1
