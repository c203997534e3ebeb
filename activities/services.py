"""Writes on activities, notes and inquiries. Views call exactly one of these."""

from collections.abc import Callable
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from activities.models import Activity, Inquiry, Note
from activities.signals import activity_logged
from crm.errors import DomainError, StaleRecord
from crm.models import OwnedRecord, Team, User, is_merged
from crm.permissions import merged_record_denied
from crm.services import ensure_not_merged, lock_for_update, save_new_version


def _regarding_fields(record: OwnedRecord) -> dict:
    return {
        "content_type": ContentType.objects.get_for_model(record, for_concrete_model=False),
        "object_id": record.pk,
    }


def _send_logged(activity: Activity, regarding: OwnedRecord, user: User) -> None:
    if activity.is_communication and activity.state == Activity.State.COMPLETED:
        activity_logged.send(sender=Activity, activity=activity, regarding=regarding, user=user)


def may_add_to(record: OwnedRecord, user: User) -> bool:
    """Whether `user` may add an activity, note (a file), or inquiry to `record`
    (appendable_by: through their scope or a write share, not a read share). A page that
    annotated `can_add` for this user (with_access) answers without a query."""
    can_add = getattr(record, "can_add", None)
    if can_add is not None:
        return can_add
    return type(record)._default_manager.appendable_by(user).filter(pk=record.pk).exists()


def check_may_add_to(record: OwnedRecord, user: User) -> None:
    """PermissionDenied (the 403 page, the API's 403) unless `user` may add to `record`."""
    if not may_add_to(record, user):
        if is_merged(record):
            raise merged_record_denied(record)
        raise PermissionDenied(_("You can see this record but not add to it."))


def check_assignable(owner: User | Team | None) -> None:
    """The owner rule the leads use (leads.services.assign_lead with crm.forms.OwnerChoiceField
    and api.fields.OwnerField): any active user or any active team. Read again here, so an
    owner deactivated after the form was shown is refused too."""
    if owner is None:
        raise DomainError(_("Choose a user or a team."))
    if not isinstance(owner, (get_user_model(), Team)):
        raise TypeError(f"An owner is a user or a team, not {type(owner).__name__}.")
    if not type(owner)._default_manager.filter(pk=owner.pk, is_active=True).exists():
        raise DomainError(
            _("%(owner)s is no longer active: choose someone else.") % {"owner": owner}
        )


@transaction.atomic
def log_activity(
    *,
    regarding: OwnedRecord,
    user: User,
    kind: str,
    data: dict,
    completed: bool = False,
    owner: User | Team | None = None,
) -> Activity:
    """Store a new activity regarding `regarding`, owned by `owner` (default: `user`).

    `completed=True` logs something that already happened (a call made, an e-mail sent): it
    is stored completed and, for calls and e-mails, `activity_logged` is sent."""
    ensure_not_merged(regarding)
    check_may_add_to(regarding, user)
    activity = Activity(kind=kind, **data, **_regarding_fields(regarding))
    if owner is not None:
        check_assignable(owner)
    activity.owner = owner or user
    activity.stamp(user)
    if completed:
        activity.complete()
    activity.full_clean()
    activity.save()
    _send_logged(activity, regarding, user)
    return activity


def _close(activity: Activity, user: User, transition: str) -> Activity:
    # The row lock serialises two people completing the same activity at once: the second
    # sees the new state and gets the guarded transition's message.
    locked = lock_for_update(activity)
    getattr(locked, transition)()
    return save_new_version(locked, user, validate=False)


@transaction.atomic
def complete_activity(*, activity: Activity, user: User) -> Activity:
    locked = _close(activity, user, "complete")
    _send_logged(locked, locked.regarding, user)
    return locked


@transaction.atomic
def cancel_activity(*, activity: Activity, user: User) -> Activity:
    return _close(activity, user, "cancel")


# What may change on an open activity. The kind, the regarding record and the state do not
# (the state moves only through complete / cancel); "owner" reassigns it (check_assignable).
ACTIVITY_EDITABLE_FIELDS = frozenset(
    {
        "subject",
        "description",
        "due_at",
        "duration_minutes",
        "priority",
        "direction",
        "other_party",
        "ends_at",
        "location",
        "owner",
    }
)


def ensure_open(activity: Activity) -> None:
    """Refuse to change a completed or canceled activity (they are read-only, as in Dynamics)."""
    if not activity.is_open:
        raise DomainError(
            _("This activity is %(state)s: it can no longer be changed.")
            % {"state": activity.get_state_display().lower()}
        )


@transaction.atomic
def update_activity(
    *, activity: Activity, user: User, data: dict, expected_version: int | None = None
) -> Activity:
    """Change an open activity (Dynamics: completed and canceled activities are read-only).

    `data` maps names from ACTIVITY_EDITABLE_FIELDS to values; "owner" gives the activity to
    another user or team (no e-mail: Dynamics sends none on activity assignment). Under a
    row lock: a closed activity is refused first (the clearer message), then a stale
    `expected_version`. Nothing changed: nothing saved, no new version."""
    unknown = set(data) - ACTIVITY_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"These activity fields cannot be changed: {', '.join(sorted(unknown))}")
    locked = lock_for_update(activity)
    ensure_open(locked)
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleRecord(locked)
    if "owner" in data and data["owner"] != locked.owner:
        check_assignable(data["owner"])
    changed = {name: value for name, value in data.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    return save_new_version(locked, user)


def assign_activity(
    *,
    activity: Activity,
    user: User,
    owner: User | Team | None,
    expected_version: int | None = None,
) -> Activity:
    """Give an open activity to another active user or team (see update_activity)."""
    return update_activity(
        activity=activity, user=user, data={"owner": owner}, expected_version=expected_version
    )


@transaction.atomic
def add_note(
    *,
    regarding: OwnedRecord,
    user: User,
    text: str,
    upload: UploadedFile | None = None,
    content_type: str = "",
) -> Note:
    """Store a note; `upload` (already checked by activities.attachments.check_attachment) is
    saved under a random name, after the row has validated, and removed again if the row
    cannot be saved."""
    ensure_not_merged(regarding)
    check_may_add_to(regarding, user)
    note = Note(text=text, **_regarding_fields(regarding))
    note.owner = user
    note.stamp(user)
    if upload is not None:
        note.attachment_name = upload.name[:255]
        note.attachment_content_type = content_type
        note.attachment_size = upload.size
        note.attachment = "attachments/pending"  # satisfies "text or file" for full_clean
    note.full_clean()
    if upload is None:
        note.save()
        return note
    note.attachment.save(upload.name, upload, save=False)
    try:
        note.save()
    except Exception:
        note.attachment.storage.delete(note.attachment.name)
        raise
    return note


@transaction.atomic
def update_note(*, note: Note, user: User, text: str, expected_version: int | None = None) -> Note:
    locked = lock_for_update(note, expected_version=expected_version)
    locked.text = text
    return save_new_version(locked, user)


@transaction.atomic
def delete_note(*, note: Note, user: User) -> None:
    """Delete the note; its file goes once the deletion has committed."""
    locked = lock_for_update(note)
    locked._history_user = user
    if locked.attachment:
        transaction.on_commit(
            partial(locked.attachment.storage.delete, locked.attachment.name), robust=True
        )
    locked.delete()


@transaction.atomic
def add_inquiry(*, regarding: OwnedRecord, user: User, data: dict) -> Inquiry:
    ensure_not_merged(regarding)
    check_may_add_to(regarding, user)
    inquiry = Inquiry(**data, **_regarding_fields(regarding))
    inquiry.owner = user
    inquiry.stamp(user)
    inquiry.full_clean()
    inquiry.save()
    return inquiry


def _close_inquiry(
    inquiry: Inquiry,
    user: User,
    transition: str,
    expected_version: int | None = None,
    **arguments: str,
) -> Inquiry:
    # Row lock, as for activities: of two people closing the same inquiry at once, the second
    # sees the new state and gets the guarded transition's message.
    locked = lock_for_update(inquiry, expected_version=expected_version)
    getattr(locked, transition)(**arguments)
    return save_new_version(locked, user)


@transaction.atomic
def resolve_inquiry(
    *, inquiry: Inquiry, user: User, resolution: str = "", expected_version: int | None = None
) -> Inquiry:
    """Active -> resolved, with an optional resolution text (Dynamics' incident resolution)."""
    return _close_inquiry(
        inquiry, user, "resolve", expected_version, resolution=resolution.strip()
    )


@transaction.atomic
def cancel_inquiry(
    *, inquiry: Inquiry, user: User, expected_version: int | None = None
) -> Inquiry:
    """Active -> canceled."""
    return _close_inquiry(inquiry, user, "cancel", expected_version)


def goes_with(record: OwnedRecord) -> list[str]:
    """What deleting `record` deletes too, for its confirmation page: "3 activities",
    "1 note" (kinds it has none of left out)."""
    counts = []
    for model in (Activity, Note, Inquiry):
        if count := model.objects.regarding(record).count():
            options = model._meta
            name = options.verbose_name if count == 1 else options.verbose_name_plural
            counts.append(f"{count} {name}")
    return counts


def delete_work_regarding(*, record: OwnedRecord, user: User, reason: str) -> None:
    """Delete the activities, notes (their files once committed) and inquiries about `record`,
    each with a history entry by `user` saying `reason`; call inside the record's deletion."""
    for model in (Activity, Note, Inquiry):
        for item in model.objects.regarding(record).select_for_update():
            item._history_user, item._change_reason = user, reason
            if isinstance(item, Note) and item.attachment:
                transaction.on_commit(
                    partial(item.attachment.storage.delete, item.attachment.name), robust=True
                )
            item.delete()


# What refuses a deletion, per model label ("accounts.Account"): check(record) -> a sentence
# saying why it must stay, or "" (higher apps register theirs: leads refuses deleting a
# customer a qualified lead created).
_deletion_checks: dict[str, list] = {}


def register_deletion_check(model_label: str, check: Callable[[OwnedRecord], str]) -> None:
    checks = _deletion_checks.setdefault(model_label, [])
    if check not in checks:
        checks.append(check)


def deletion_refusals(record: OwnedRecord) -> list[str]:
    checks = _deletion_checks.get(record._meta.label, [])
    return [text for text in (check(record) for check in checks) if text]


def deletion_reason(*, user: User, reason: str) -> str:
    """The history's reason of a deletion, stored in English as every reason is."""
    with translation.override("en"):
        return _("Deleted by %(user)s: %(reason)s") % {"user": user, "reason": reason}


@transaction.atomic
def delete_record(*, record: OwnedRecord, user: User, reason: str) -> None:
    """Delete a business record made by mistake, with its activities, notes and inquiries;
    each leaves a "-" history row saying who deleted it and why. Refused (DomainError) when a
    registered check says it must stay."""
    if not reason.strip():
        raise DomainError(_("Say why the record is deleted."))
    locked = lock_for_update(record)
    if refusals := deletion_refusals(locked):
        raise DomainError(" ".join(refusals))
    why = deletion_reason(user=user, reason=reason.strip())
    delete_work_regarding(record=locked, user=user, reason=why)
    locked._history_user, locked._change_reason = user, why
    locked.delete()
