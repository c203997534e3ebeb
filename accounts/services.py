"""Writes for accounts and contacts. Views call these; nothing else saves the records."""

from collections.abc import Callable

from django.db import transaction

from accounts.models import Account, Contact
from crm.models import User
from crm.services import create_record, lock_for_update, save_new_version, update_record


def create_customer(
    *, record: Account | Contact, user: User, known_relations: bool = False
) -> Account | Contact:
    """Store a new account or contact (an unsaved instance from a form), stamped by `user`
    (`known_relations`: see crm.services.create_record).

    Duplicate warnings are the view's business (the user may "save anyway")."""
    return create_record(record, user, known_relations=known_relations)


def update_customer(
    *, record: Account | Contact, user: User, data: dict, expected_version: int | None
) -> Account | Contact:
    """Apply an edit; a stale `expected_version` raises StaleRecord and nothing is written.
    A merged record is read-only (DomainError)."""
    record.ensure_not_merged()
    return update_record(record, user=user, data=data, expected_version=expected_version)


# What deactivating a record leaves behind, from apps above (opportunities: its open deals):
# check(record) -> a sentence or "", shown on the confirmation page before the user confirms.
_deactivation_checks = []


def register_deactivation_check(check: Callable[[Account | Contact], str]) -> None:
    if check not in _deactivation_checks:
        _deactivation_checks.append(check)


def deactivation_warnings(record: Account | Contact) -> list[str]:
    return [text for check in _deactivation_checks if (text := check(record))]


@transaction.atomic
def deactivate_customer(*, record: Account | Contact, user: User) -> Account | Contact:
    """Mark an account or contact inactive (under a row lock, so two clicks race safely)."""
    locked = lock_for_update(record)
    locked.deactivate()
    return save_new_version(locked, user, validate=False)


@transaction.atomic
def activate_customer(*, record: Account | Contact, user: User) -> Account | Contact:
    locked = lock_for_update(record)
    locked.activate()
    return save_new_version(locked, user, validate=False)
