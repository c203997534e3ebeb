"""Writes for accounts and contacts. Views call these; nothing else saves the records."""

from django.db import transaction

from crm.services import lock_for_update, update_record


@transaction.atomic
def create_customer(*, record, user):
    """Store a new account or contact (an unsaved instance from a form), stamped by `user`.

    Duplicate warnings are the view's business (the user may "save anyway")."""
    record.stamp(user)
    record.full_clean()
    record.save()
    return record


def update_customer(*, record, user, data, expected_version):
    """Apply an edit; a stale `expected_version` raises StaleRecord and nothing is written."""
    return update_record(record, user=user, data=data, expected_version=expected_version)


@transaction.atomic
def deactivate_customer(*, record, user):
    """Mark an account or contact inactive (under a row lock, so two clicks race safely)."""
    locked = lock_for_update(record)
    locked.deactivate()
    locked.version += 1
    locked.stamp(user)
    locked.save()
    return locked


@transaction.atomic
def activate_customer(*, record, user):
    locked = lock_for_update(record)
    locked.activate()
    locked.version += 1
    locked.stamp(user)
    locked.save()
    return locked
