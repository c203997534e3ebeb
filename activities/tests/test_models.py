import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities import services
from activities.models import Activity, Inquiry, Note
from activities.tests.factories import AccountFactory
from crm.errors import DomainError


def _call(account, user, **data):
    return services.log_activity(
        regarding=account,
        user=user,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": "Intro call", "direction": "outgoing", **data},
    )


def test_a_logged_call_is_about_its_record_and_owned_by_its_author(account, alice):
    call = _call(account, alice)

    assert call.regarding == account
    assert call.owner == alice
    assert call.created_by == alice
    assert call.state == Activity.State.OPEN
    assert list(Activity.objects.regarding(account)) == [call]


def test_a_phone_call_needs_a_direction(account, alice):
    with pytest.raises(ValidationError, match="direction"):
        _call(account, alice, direction=None)


def test_the_database_refuses_a_task_with_a_direction(account, alice):
    task = services.log_activity(
        regarding=account, user=alice, kind=Activity.Kind.TASK, data={"subject": "Send offer"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=task.pk).update(direction="incoming")


def test_an_appointment_ends_after_it_starts(account, alice):
    from django.utils import timezone

    start = timezone.now()
    with pytest.raises(ValidationError, match="ends after it starts"):
        services.log_activity(
            regarding=account,
            user=alice,
            kind=Activity.Kind.APPOINTMENT,
            data={"subject": "Visit", "due_at": start, "ends_at": start - timezone.timedelta(1)},
        )


def test_completing_is_a_guarded_transition(account, alice):
    call = _call(account, alice)
    call = services.complete_activity(activity=call, user=alice)

    assert call.state == Activity.State.COMPLETED
    assert call.closed_at is not None
    assert call.version == 2
    with pytest.raises(DomainError, match="already Completed"):
        services.cancel_activity(activity=call, user=alice)


def test_canceling_then_completing_is_refused(account, alice):
    call = services.cancel_activity(activity=_call(account, alice), user=alice)

    assert call.state == Activity.State.CANCELED
    with pytest.raises(DomainError, match="already Canceled"):
        services.complete_activity(activity=call, user=alice)


def test_whoever_sees_the_record_sees_its_activities(account, alice, bob, carol, admin_user):
    call = _call(account, alice)

    assert call in Activity.objects.visible_to(bob)
    assert call in Activity.objects.visible_to(admin_user)
    assert call not in Activity.objects.visible_to(carol)


def test_the_owner_of_an_activity_sees_it_even_on_a_record_they_cannot_see(alice, carol):
    south_account = AccountFactory(owner_user=carol)
    call = services.log_activity(
        regarding=south_account,
        user=carol,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": "For Alice", "direction": Activity.Direction.OUTGOING},
        owner=alice,
    )

    assert call in Activity.objects.visible_to(alice)
    assert call in Activity.objects.visible_to(carol)


def test_a_teammate_sees_but_cannot_edit_an_activity_on_alices_record(account, alice, bob):
    call = _call(account, alice)

    assert call in Activity.objects.editable_by(alice)
    assert call not in Activity.objects.editable_by(bob)


def test_the_manager_may_edit_activities_on_a_members_record(account, alice, manager):
    call = _call(account, alice)

    assert call in Activity.objects.editable_by(manager)


def test_a_note_needs_text_or_a_file(account, alice):
    with pytest.raises(ValidationError, match="needs a text or a file"):
        services.add_note(regarding=account, user=alice, text="")


def test_an_inquiry_starts_active(account, alice):
    inquiry = services.add_inquiry(
        regarding=account, user=alice, data={"title": "Pricing?", "channel": "web"}
    )

    assert inquiry.state == Inquiry.State.ACTIVE
    assert inquiry in Inquiry.objects.visible_to(alice)


def test_notes_keep_history(account, alice):
    note = services.add_note(regarding=account, user=alice, text="First")
    services.update_note(note=note, user=alice, text="Second", expected_version=1)

    assert Note.history.filter(id=note.pk).count() == 2
    assert Note.objects.get(pk=note.pk).text == "Second"
