"""Writes for opportunities: create, edit, close as won or lost, reopen."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from crm.models import OwnedRecord, User
from crm.services import create_record, lock_for_update, save_new_version, update_record
from opportunities.models import Opportunity
from opportunities.signals import opportunity_closed, opportunity_reopened


def create_opportunity(
    *, opportunity: Opportunity, user: User, known_relations: bool = False
) -> Opportunity:
    """Store a new opportunity (an unsaved instance, e.g. from a form), stamped by `user`
    (`known_relations`: see crm.services.create_record)."""
    return create_record(opportunity, user, known_relations=known_relations)


def update_opportunity(
    *, opportunity: Opportunity, user: User, data: dict, expected_version: int | None
) -> Opportunity:
    """Apply an edit with the lost-update check (StaleRecord when someone saved in between)."""
    return update_record(opportunity, user=user, data=data, expected_version=expected_version)


@transaction.atomic
def set_sales_stage(
    *, opportunity: Opportunity, user: User, stage: int, expected_version: int | None = None
) -> Opportunity:
    """Move an open opportunity to another sales stage (the board's drag, its Move button);
    StaleRecord when someone saved it since `expected_version`, DomainError when it is closed
    or the stage is not one."""
    locked = lock_for_update(opportunity, expected_version=expected_version)
    locked.move_to_stage(stage)
    return save_new_version(locked, user)


def _save_transition(locked: Opportunity, user: User) -> Opportunity:
    return save_new_version(locked, user)


@transaction.atomic
def win_opportunity(
    *,
    opportunity: Opportunity,
    user: User,
    actual_value: Decimal | None = None,
    close_date: datetime.date | None = None,
    description: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """Close as Won. The row lock makes a double click (or two users) close it only once."""
    locked = lock_for_update(opportunity, expected_version=expected_version)
    locked.close_as_won(actual_value=actual_value, close_date=close_date, description=description)
    _save_transition(locked, user)
    opportunity_closed.send(sender=Opportunity, opportunity=locked, user=user)
    return locked


@transaction.atomic
def lose_opportunity(
    *,
    opportunity: Opportunity,
    user: User,
    status: str = Opportunity.Status.CANCELED,
    close_date: datetime.date | None = None,
    description: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    """Close as Lost with reason Canceled or Out-Sold."""
    locked = lock_for_update(opportunity, expected_version=expected_version)
    locked.close_as_lost(status=status, close_date=close_date, description=description)
    _save_transition(locked, user)
    opportunity_closed.send(sender=Opportunity, opportunity=locked, user=user)
    return locked


@transaction.atomic
def reopen_opportunity(*, opportunity: Opportunity, user: User) -> Opportunity:
    """Won or Lost back to Open (In Progress)."""
    locked = lock_for_update(opportunity)
    locked.reopen()
    _save_transition(locked, user)
    opportunity_reopened.send(sender=Opportunity, opportunity=locked, user=user)
    return locked


def customer_deletion_refusal(customer: OwnedRecord) -> str:
    """An account or contact with opportunities is not deleted (activities.services.
    delete_record's check): its deals would lose their customer."""
    if customer._meta.model_name == "account":
        mine = Q(account=customer)
    else:
        mine = Q(contact=customer) | Q(parent_contact=customer)
    if Opportunity.objects.filter(mine).exists():
        return _("Opportunities have this customer: delete them or move them first.")
    return ""
