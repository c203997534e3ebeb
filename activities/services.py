"""Writes on activities, notes and inquiries. Views call exactly one of these."""

from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from activities.models import Activity, Inquiry, Note
from activities.signals import activity_logged
from crm.services import lock_for_update


def _regarding_fields(record):
    return {
        "content_type": ContentType.objects.get_for_model(record, for_concrete_model=False),
        "object_id": record.pk,
    }


def _send_logged(activity, regarding, user):
    if activity.is_communication and activity.state == Activity.State.COMPLETED:
        activity_logged.send(sender=Activity, activity=activity, regarding=regarding, user=user)


@transaction.atomic
def log_activity(*, regarding, user, kind, data, completed=False):
    """Store a new activity regarding `regarding`, owned by `user`.

    `completed=True` logs something that already happened (a call made, an e-mail sent): it
    is stored completed and, for calls and e-mails, `activity_logged` is sent."""
    activity = Activity(kind=kind, **data, **_regarding_fields(regarding))
    activity.owner = user
    activity.stamp(user)
    if completed:
        activity.complete()
    activity.full_clean()
    activity.save()
    _send_logged(activity, regarding, user)
    return activity


def _close(activity, user, transition):
    # The row lock serialises two people completing the same activity at once: the second
    # sees the new state and gets the guarded transition's message.
    locked = lock_for_update(activity)
    getattr(locked, transition)()
    locked.version += 1
    locked.stamp(user)
    locked.save()
    return locked


@transaction.atomic
def complete_activity(*, activity, user):
    locked = _close(activity, user, "complete")
    _send_logged(locked, locked.regarding, user)
    return locked


@transaction.atomic
def cancel_activity(*, activity, user):
    return _close(activity, user, "cancel")


@transaction.atomic
def add_note(*, regarding, user, text, upload=None, content_type=""):
    """Store a note; `upload` (already checked by activities.attachments.check_attachment) is
    saved under a random name, after the row has validated, and removed again if the row
    cannot be saved."""
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
def update_note(*, note, user, text, expected_version=None):
    locked = lock_for_update(note, expected_version=expected_version)
    locked.text = text
    locked.version += 1
    locked.stamp(user)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def delete_note(*, note, user):
    """Delete the note; its file goes once the deletion has committed."""
    locked = lock_for_update(note)
    locked._history_user = user
    if locked.attachment:
        transaction.on_commit(
            partial(locked.attachment.storage.delete, locked.attachment.name), robust=True
        )
    locked.delete()


@transaction.atomic
def add_inquiry(*, regarding, user, data):
    inquiry = Inquiry(**data, **_regarding_fields(regarding))
    inquiry.owner = user
    inquiry.stamp(user)
    inquiry.full_clean()
    inquiry.save()
    return inquiry
