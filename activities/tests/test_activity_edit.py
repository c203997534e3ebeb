"""Editing and reassigning open activities (Dynamics: an open activity's subject, times,
priority, parties and owner can change; completed and canceled ones are read-only)."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, Priority
from crm.errors import DomainError, StaleRecord
from crm.forms import OwnerChoiceField
from crm.models import Team

pytestmark = pytest.mark.django_db


def _task(record, user, subject="Follow up", **data):
    return services.log_activity(
        regarding=record, user=user, kind=Activity.Kind.TASK, data={"subject": subject, **data}
    )


def _call(record, user, subject="Call back"):
    return services.log_activity(
        regarding=record,
        user=user,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": subject, "direction": Activity.Direction.OUTGOING},
    )


def _appointment(record, user):
    start = timezone.now() + timedelta(days=2)
    return services.log_activity(
        regarding=record,
        user=user,
        kind=Activity.Kind.APPOINTMENT,
        data={"subject": "Demo", "due_at": start, "ends_at": start + timedelta(hours=1)},
    )


def edit_url(activity, next_url=None):
    url = reverse("activities:edit", args=[activity.pk])
    return f"{url}?next={next_url}" if next_url else url


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _task_form(activity, owner, **changes):
    data = {
        "subject": activity.subject,
        "description": activity.description,
        "due_at": _local(activity.due_at) if activity.due_at else "",
        "duration_minutes": activity.duration_minutes or "",
        "priority": activity.priority,
        "owner": OwnerChoiceField.value_for(owner),
        "expected_version": activity.version,
    }
    data.update(changes)
    return data


class TestUpdateService:
    def test_changes_the_fields_bumps_the_version_and_records_history(self, account, alice):
        task = _task(account, alice)
        due = timezone.now() + timedelta(days=3)

        saved = services.update_activity(
            activity=task,
            user=alice,
            data={
                "subject": "Send the contract",
                "description": "Version 2",
                "due_at": due,
                "duration_minutes": 30,
                "priority": Priority.HIGH,
            },
            expected_version=1,
        )

        task.refresh_from_db()
        assert (task.subject, task.description, task.due_at) == (
            "Send the contract",
            "Version 2",
            due,
        )
        assert (task.duration_minutes, task.priority) == (30, Priority.HIGH)
        assert (task.version, task.modified_by, saved.version) == (2, alice, 2)
        history = list(task.history.order_by("history_date"))
        assert [h.subject for h in history] == ["Follow up", "Send the contract"]
        assert history[-1].history_user == alice

    def test_a_call_gets_a_new_direction_and_other_party(self, account, alice):
        call = _call(account, alice)

        services.update_activity(
            activity=call,
            user=alice,
            data={"direction": Activity.Direction.INCOMING, "other_party": "Erik"},
        )

        call.refresh_from_db()
        assert (call.direction, call.other_party) == ("incoming", "Erik")

    def test_nothing_changed_saves_nothing(self, account, alice):
        task = _task(account, alice)

        services.update_activity(activity=task, user=alice, data={"subject": "Follow up"})

        assert Activity.objects.get().version == 1
        assert task.history.count() == 1

    def test_a_stale_version_is_refused(self, account, alice, bob):
        task = _task(account, alice)
        services.update_activity(activity=task, user=alice, data={"subject": "First"})

        with pytest.raises(StaleRecord, match="changed this record"):
            services.update_activity(
                activity=task, user=alice, data={"subject": "Second"}, expected_version=1
            )

        assert (Activity.objects.get().subject, Activity.objects.get().version) == ("First", 2)

    @pytest.mark.parametrize("close", ["complete_activity", "cancel_activity"])
    def test_a_closed_activity_is_read_only(self, account, alice, close):
        task = _task(account, alice)
        getattr(services, close)(activity=task, user=alice)

        # The instance in hand is still "open" and its version stale: the row lock re-reads
        # the row, and the closed state is the message (not "reload the page").
        with pytest.raises(DomainError, match="it can no longer be changed") as refused:
            services.update_activity(
                activity=task, user=alice, data={"subject": "Late"}, expected_version=1
            )
        assert not isinstance(refused.value, StaleRecord)
        with pytest.raises(DomainError, match="it can no longer be changed"):
            services.assign_activity(activity=task, user=alice, owner=alice)

        assert Activity.objects.get().subject == "Follow up"
        assert Activity.objects.get().version == 2

    @pytest.mark.parametrize("name", ["kind", "state", "object_id", "version", "closed_at"])
    def test_the_kind_regarding_and_state_cannot_be_set(self, account, alice, name):
        task = _task(account, alice)

        with pytest.raises(ValueError, match=name):
            services.update_activity(activity=task, user=alice, data={name: "x"})

    def test_kind_rules_still_hold(self, account, alice):
        task = _task(account, alice)
        appointment = _appointment(account, alice)

        with pytest.raises(ValidationError):
            services.update_activity(activity=task, user=alice, data={"location": "Oslo"})
        with pytest.raises(ValidationError):
            services.update_activity(
                activity=appointment,
                user=alice,
                data={"ends_at": appointment.due_at - timedelta(minutes=5)},
            )
        assert set(Activity.objects.values_list("version", flat=True)) == {1}


class TestAssign:
    def test_a_teammate_gets_it_without_an_email(
        self, account, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        task = _task(account, alice)

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assigned = services.assign_activity(
                activity=task, user=alice, owner=bob, expected_version=1
            )

        assert (assigned.owner, assigned.version, assigned.modified_by) == (bob, 2, alice)
        assert callbacks == []  # no e-mail, no task: Dynamics does not mail on assignment
        assert mailoutbox == []
        assert list(Activity.objects.filter(owner_user=bob)) == [task]

    def test_a_team_may_own_it(self, account, alice, north):
        task = _task(account, alice)

        services.update_activity(activity=task, user=alice, data={"owner": north})

        task.refresh_from_db()
        assert (task.owner_team, task.owner_user) == (north, None)

    def test_an_inactive_user_or_team_or_nobody_is_refused(self, account, alice, bob, south):
        task = _task(account, alice)
        bob.is_active = False
        bob.save()
        Team.objects.filter(pk=south.pk).update(is_active=False)

        for owner in (bob, south):
            with pytest.raises(DomainError, match="no longer active"):
                services.assign_activity(activity=task, user=alice, owner=owner)
        with pytest.raises(DomainError, match="Choose a user or a team"):
            services.assign_activity(activity=task, user=alice, owner=None)
        with pytest.raises(TypeError):
            services.assign_activity(activity=task, user=alice, owner=account)

        assert (Activity.objects.get().owner_user, Activity.objects.get().version) == (alice, 1)

    def test_logging_for_someone_else_follows_the_same_rule(self, account, alice, bob):
        task = services.log_activity(
            regarding=account, user=alice, kind="task", data={"subject": "For Bob"}, owner=bob
        )
        assert (task.owner, task.created_by) == (bob, alice)

        bob.is_active = False
        bob.save()
        with pytest.raises(DomainError, match="no longer active"):
            services.log_activity(
                regarding=account, user=alice, kind="task", data={"subject": "X"}, owner=bob
            )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_of_the_same_version_save_one(alice, bob):
    from activities.tests.factories import AccountFactory

    account = AccountFactory(owner_user=alice)
    task = _task(account, alice)
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(user, subject):
        try:
            barrier.wait()
            services.update_activity(
                activity=task, user=user, data={"subject": subject}, expected_version=1
            )
            outcomes.append("saved")
        except StaleRecord:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(alice, "Alice's")),
        threading.Thread(target=edit, args=(bob, "Bob's")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["saved", "stale"]
    assert Activity.objects.get().version == 2


class TestEditPage:
    def test_the_form_carries_the_version_and_the_owner(self, as_alice, account, alice):
        task = _task(account, alice)

        response = as_alice.get(edit_url(task))

        assert response.status_code == 200
        content = response.content.decode()
        assert 'name="expected_version" value="1"' in content
        assert f'<option value="user:{alice.pk}" selected>' in content
        assert 'name="location"' not in content  # a task has no location
        assert 'name="priority"' in content

    def test_each_kind_shows_its_own_fields(self, as_alice, account, alice):
        content = as_alice.get(edit_url(_call(account, alice))).content.decode()
        assert 'name="direction"' in content and 'name="other_party"' in content
        content = as_alice.get(edit_url(_appointment(account, alice))).content.decode()
        assert 'name="ends_at"' in content and 'name="location"' in content
        assert 'name="direction"' not in content

    def test_saving_changes_it_and_gives_it_to_a_teammate(self, as_alice, account, alice, bob):
        task = _task(account, alice)
        due = timezone.localtime().replace(second=0, microsecond=0) + timedelta(days=1)

        response = as_alice.post(
            edit_url(task),
            _task_form(task, bob, subject="Send the contract", due_at=_local(due), priority=2),
        )

        assert response.status_code == 302
        assert response["Location"] == account.get_absolute_url()
        task.refresh_from_db()
        assert (task.subject, task.due_at, task.priority) == ("Send the contract", due, 2)
        assert (task.owner, task.version, task.modified_by) == (bob, 2, alice)

    def test_a_safe_next_is_followed_and_a_foreign_one_is_not(self, as_alice, account, alice):
        task = _task(account, alice)
        mine = reverse("activities:mine")

        response = as_alice.post(edit_url(task, mine), _task_form(task, alice, subject="A"))
        assert response["Location"] == mine

        task.refresh_from_db()
        response = as_alice.post(
            edit_url(task, "https://evil.example/"), _task_form(task, alice, subject="B")
        )
        assert response["Location"] == account.get_absolute_url()
        assert b"evil.example" not in as_alice.get(edit_url(task, "https://evil.example/")).content

    def test_a_stale_edit_is_refused_with_the_message(self, as_alice, account, alice, bob):
        task = _task(account, alice)
        form = _task_form(task, alice, subject="Mine")
        services.update_activity(activity=task, user=bob, data={"subject": "Bob's"})

        response = as_alice.post(edit_url(task), form)

        assert response.status_code == 409
        assert "after you opened it" in response.content.decode()
        assert Activity.objects.get().subject == "Bob's"

    def test_an_invalid_form_shows_the_error(self, as_alice, account, alice):
        appointment = _appointment(account, alice)
        end = appointment.due_at - timedelta(hours=1)

        response = as_alice.post(
            edit_url(appointment),
            {
                "subject": "Demo",
                "due_at": _local(appointment.due_at),
                "ends_at": _local(end),
                "priority": 1,
                "owner": f"user:{alice.pk}",
                "expected_version": 1,
            },
        )

        assert response.status_code == 200
        assert "The end must be after the start." in response.content.decode()
        assert Activity.objects.get().version == 1

    def test_a_closed_activity_cannot_be_opened_for_editing(self, as_alice, account, alice):
        task = services.complete_activity(activity=_task(account, alice), user=alice)

        response = as_alice.get(edit_url(task), follow=True)
        assert "it can no longer be changed" in response.content.decode()
        assert response.redirect_chain[-1][0] == account.get_absolute_url()
        as_alice.post(edit_url(task), _task_form(task, alice, subject="Late"))
        assert Activity.objects.get().subject == "Follow up"

    def test_another_team_gets_404(self, as_carol, account, alice, carol):
        task = _task(account, alice)

        assert as_carol.get(edit_url(task)).status_code == 404
        assert as_carol.post(edit_url(task), _task_form(task, carol)).status_code == 404
        assert Activity.objects.get().owner_user == alice

    def test_a_teammate_who_only_sees_it_gets_403(self, client, account, alice, bob):
        task = _task(account, alice)
        client.force_login(bob)

        assert client.get(edit_url(task)).status_code == 403
        assert client.post(edit_url(task), _task_form(task, bob)).status_code == 403
        assert Activity.objects.get().owner_user == alice

    def test_the_owner_and_whoever_may_edit_the_record_may_edit(
        self, client, account, alice, bob, manager
    ):
        # Bob owns a task on Alice's account (which he may only see, so Alice gave it to him);
        # Maria manages Alice.
        task = services.log_activity(
            regarding=account, user=alice, kind="task", data={"subject": "For Bob"}, owner=bob
        )
        for user in (bob, manager):
            client.force_login(user)
            assert client.get(edit_url(task)).status_code == 200, user
        response = client.post(edit_url(task), _task_form(task, alice, subject="By Maria"))
        assert response.status_code == 302
        assert (Activity.objects.get().subject, Activity.objects.get().owner) == (
            "By Maria",
            alice,
        )

    def test_an_owner_who_cannot_see_the_record_goes_back_to_my_activities(
        self, as_carol, account, alice, carol
    ):
        task = services.log_activity(
            regarding=account, user=alice, kind="task", data={"subject": "For Carol"}, owner=carol
        )

        response = as_carol.post(edit_url(task), _task_form(task, carol, subject="Seen"))

        assert response["Location"] == reverse("activities:mine")
        assert Activity.objects.get().subject == "Seen"


class TestEditLinks:
    def test_the_timeline_offers_edit_to_whoever_may_edit(
        self, client, account, alice, bob, manager
    ):
        task = _task(account, alice)
        link = f"{edit_url(task)}?next={account.get_absolute_url()}"
        for user, shown in ((alice, True), (manager, True), (bob, False)):
            client.force_login(user)
            content = client.get(account.get_absolute_url()).content.decode()
            assert "Follow up" in content
            assert (link in content) is shown, user

    def test_a_closed_activity_has_no_edit_link(self, as_alice, account, alice):
        services.cancel_activity(activity=_task(account, alice), user=alice)

        content = as_alice.get(account.get_absolute_url()).content.decode()

        assert 'data-testid="activity-edit"' not in content

    def test_my_activities_links_to_the_form_and_back(self, as_alice, account, alice):
        task = _task(account, alice)
        mine = reverse("activities:mine")

        content = as_alice.get(mine).content.decode()

        assert f'href="{edit_url(task)}?next={mine}"' in content
