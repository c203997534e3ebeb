"""Writes shared by every app: version-checked updates and after-commit task enqueueing."""

from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.tasks import Task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from crm.errors import DomainError, StaleRecord
from crm.history import Reason
from crm.models import (
    OwnedRecord,
    Share,
    Team,
    User,
    VersionedSetting,
    forget_scope,
    scope_of,
)
from crm.tasks import send_email


def enqueue_on_commit(task: Task, *args: object, **kwargs: object) -> None:
    """Enqueue a django.tasks task once the surrounding transaction commits (never on rollback)."""
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))


def lock_for_update[R: OwnedRecord](record: R, *, expected_version: int | None = None) -> R:
    """Re-read `record` under a row lock; refuse if it changed since `expected_version`.

    Call inside transaction.atomic(). Returns the locked, fresh instance.
    """
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleRecord(locked)
    return locked


def next_version[R: OwnedRecord](record: R, user: User) -> R:
    """Make `record` its next version, changed by `user`; the caller saves it. The one place
    a version is bumped (the lost-update check compares it)."""
    record.version += 1
    record.stamp(user)
    return record


def save_new_version[R: OwnedRecord](record: R, user: User, *, validate: bool = True) -> R:
    """Store a changed, locked record as its next version, stamped with `user`. Validated,
    except for a guarded state change (`validate=False`): its transition checked what it
    changes, and the fields it did not touch were valid when stored."""
    next_version(record, user)
    if validate:
        record.full_clean()
    record.save()
    return record


@transaction.atomic
def save_setting[S: VersionedSetting](
    model: type[S],
    *,
    user: User,
    values: dict,
    record: S | None = None,
    expected_version: int | None = None,
    check: Callable[[S], None] | None = None,
) -> S:
    """Create configuration managers keep in the app (`record` None: a web form, a scoring
    rule, the scoring settings), or change `record` under a row lock, refusing a stale edit
    (two managers saving at once are told, not silently overwritten): `values` applied,
    `check` run (a DomainError for what `user` may not do), the version bumped, validated,
    stored; its history row says who and why."""
    if record is None:
        locked, reason = model(), Reason.CREATED_IN_APP
        locked.stamp(user)
    else:
        locked = lock_for_update(record, expected_version=expected_version)
        next_version(locked, user)
        reason = Reason.CHANGED_IN_APP
    for name, value in values.items():
        setattr(locked, name, value)
    if check is not None:
        check(locked)
    locked.full_clean()
    locked._change_reason = reason
    locked.save()
    return locked


def create_record[R: OwnedRecord](record: R, user: User, *, known_relations: bool = False) -> R:
    """Store a new business record stamped by `user`. It is validated before the transaction
    starts, so a refusal leaves an enclosing one usable and costs no savepoint.

    `known_relations`: every foreign key holds an instance the caller loaded or just created
    and the constraints hold by construction (qualify builds the records from the lead): only
    the field values are validated, with no query (not one per foreign key)."""
    record.stamp(user)
    if known_relations:
        relations = [f.name for f in record._meta.concrete_fields if f.is_relation]
        record.full_clean(exclude=relations, validate_constraints=False)
    else:
        record.full_clean()
    with transaction.atomic(savepoint=False):  # the record and its history row, or neither
        record.save()
    return record


@transaction.atomic
def update_record[R: OwnedRecord](
    record: R, *, user: User, data: dict, expected_version: int | None = None
) -> R:
    """Apply `data` (field name -> value) to a business record with a lost-update check. Data
    that changes nothing saves nothing (no new version, no empty History entry)."""
    locked = lock_for_update(record, expected_version=expected_version)
    if changes_nothing(locked, data):
        return locked
    if "owner" in data and data["owner"] != locked.owner:
        check_may_give_away(locked, user)
    for name, value in data.items():
        setattr(locked, name, value)
    return save_new_version(locked, user)


def ensure_not_merged(record: OwnedRecord) -> None:
    """DomainError when `record` was merged into another: it stays read-only (Dynamics keeps
    it pointing to its master). Records of a kind that is never merged pass."""
    check = getattr(record, "ensure_not_merged", None)
    if check is not None:
        check()


def check_may_give_away(record: OwnedRecord, user: User) -> None:
    """DomainError when `record` reaches `user` through a share and not through their scope
    (assignable_by): one shared with them, even for writing, stays with its owner. Who may
    change the record at all the callers' scoped fetch has said; no query unless something
    is shared with the user."""
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
    if record.pk not in scope_of(user).shared.get(content_type.pk, {}):
        return
    if not type(record)._default_manager.assignable_by(user).filter(pk=record.pk).exists():
        raise DomainError(
            _(
                "This record is shared with you: only its owner, their team or their manager "
                "may give it to someone else."
            )
        )


def changes_nothing(record: OwnedRecord, data: dict) -> bool:
    """Whether every value of `data` is what `record` holds already."""
    return all(getattr(record, name) == value for name, value in data.items())


def set_user_language(*, user: User, language: str) -> None:
    """The language the user's pages are shown in ("" follows the browser)."""
    user.language = language
    user.save(update_fields=["language"])


def invitation_link(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("invitation_accept", kwargs={"uidb64": uidb64, "token": token})
    return f"{settings.SITE_URL}{path}"


def send_invitation(*, user: User, invited_by: User) -> None:
    """E-mail the user a link to set their password (after commit)."""
    if not user.email:
        raise ValueError("An invitation needs an e-mail address.")
    # In the new user's language (the administrator's own may differ).
    with translation.override(user.language_or_default):
        body = _(
            "Hello %(name)s,\n\n%(inviter)s has invited you to the CRM.\n"
            "Choose your password here (the link works once):\n\n%(link)s\n\n"
            "Your username is: %(username)s\n"
        ) % {
            "name": user.get_full_name() or user.username,
            "inviter": invited_by.get_full_name() or invited_by.username,
            "link": invitation_link(user),
            "username": user.username,
        }
        subject = _("Your CRM invitation")
    enqueue_on_commit(send_email, to=user.email, subject=subject, body=body)


@transaction.atomic
def invite_user(*, user: User, invited_by: User) -> User:
    """Store a new user without a usable password and invite them by e-mail."""
    user.set_unusable_password()
    user.save()
    send_invitation(user=user, invited_by=invited_by)
    return user


def _refuse_unless_may_share(record: OwnedRecord, by: User) -> None:
    if not by.can_share(record):
        raise DomainError(
            _("Only the owner of %(record)s, their manager or an administrator may share it.")
            % {"record": record}
        )


@transaction.atomic
def share_record(
    *,
    record: OwnedRecord,
    by: User,
    user: User | None = None,
    team: Team | None = None,
    access: str = Share.Access.READ,
) -> Share:
    """Share `record` with one user or one team, to read or to read and write. Sharing with
    someone who has a share already changes its access. The record's row is locked, so two
    people sharing it at once make one share."""
    if (user is None) == (team is None):
        raise DomainError(_("Share with exactly one user or one team."))
    if access not in Share.Access.values:
        raise DomainError(_("Choose read, or read and write."))
    if user is not None and not user.is_active:
        raise DomainError(_("%(user)s is no longer active.") % {"user": user})
    if team is not None and not team.is_active:
        raise DomainError(_("The team %(team)s is no longer active.") % {"team": team})
    record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    ensure_not_merged(record)
    _refuse_unless_may_share(record, by)
    if user is not None and user.pk == record.owner_user_id:
        raise DomainError(_("%(user)s owns this record already.") % {"user": user})
    content_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
    existing = (
        Share.objects.active()
        .select_for_update()
        .filter(content_type=content_type, object_id=record.pk, user=user, team=team)
        .first()
    )
    if existing is not None:
        if existing.access != access:
            existing.access = access
            existing._history_user = by
            existing._change_reason = f"Access changed by {by}"  # English (crm/history.py)
            existing.save(update_fields=["access"])
        return existing
    share = Share(
        content_type=content_type,
        object_id=record.pk,
        user=user,
        team=team,
        access=access,
        granted_by=by,
    )
    share._history_user = by
    share._change_reason = f"Shared by {by}"
    share.save()
    if user is not None:
        forget_scope(user)
    return share


@transaction.atomic
def revoke_share(*, share: Share, by: User) -> Share:
    """End a share (kept, with who ended it and when). By the one who shared, or whoever may
    share the record."""
    share = Share.objects.select_for_update().get(pk=share.pk)
    if share.revoked_at is not None:
        return share  # revoked already: the second click changes nothing
    record = share.record
    if record is None:
        raise DomainError(_("The shared record no longer exists."))
    if share.granted_by_id != by.pk:
        _refuse_unless_may_share(record, by)
    share.revoked_at = timezone.now()
    share.revoked_by = by
    share._history_user = by
    share._change_reason = f"Revoked by {by}"
    share.save(update_fields=["revoked_at", "revoked_by"])
    if share.user is not None:
        forget_scope(share.user)
    return share
