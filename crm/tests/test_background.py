"""Task leases, the stale-task sweep, the scheduler's lease and the admin's Retry (in one
process; crm/tests/test_task_processes.py kills real workers)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from capture.models import SubmissionGuard
from capture.services import purge_submission_guards
from capture.tests.factories import WebFormFactory
from crm import background
from crm.leases import DatabaseLease, RedisLease
from crm.models import Lease, TaskRetry, WorkerHeartbeat
from crm.tests import blocking_tasks
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
}


@pytest.fixture
def database_tasks(settings):
    """Tasks stored as rows (the tests elsewhere run them immediately)."""
    settings.TASKS = DATABASE_TASKS
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3


def _run_worker():
    """Claim and run every ready task in this process with django_tasks_db's worker (its
    loop, which closes the connection between tasks, needs a transactional test)."""
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    while (row := DBTaskResult.objects.ready().first()) is not None:
        row.claim(worker.worker_id)
        worker.run_task(row)


def _claimed_by_dead_worker(task, *, minutes_ago=5, runs=1, **kwargs):
    """A task a worker claimed `minutes_ago` and whose worker then stopped beating."""
    result = task.enqueue(**kwargs)
    row = DBTaskResult.objects.get(pk=result.id)
    for run in range(runs):
        row.claim(f"dead-worker-{run}")
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    WorkerHeartbeat.objects.create(
        worker_id=f"dead-worker-{runs - 1}",
        started_at=timezone.now() - timedelta(minutes=minutes_ago + 1),
        beat_at=timezone.now() - timedelta(minutes=minutes_ago - 1),
    )
    return row


def test_a_task_is_stale_by_its_last_worker_only(database_tasks):
    """The database reads the last of worker_ids (json_extract '$[#-1]' / jsonb ->> -1)."""
    rerun_on_live = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path="/", runs=2)
    WorkerHeartbeat.objects.filter(worker_id="dead-worker-1").update(beat_at=timezone.now())
    rerun_on_dead = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path="/", runs=3)
    never_claimed = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path="/")
    DBTaskResult.objects.filter(pk=never_claimed.pk).update(worker_ids=[])
    # dead-worker-1 beats now, but rerun_on_dead's run is on dead-worker-2.
    assert set(background.stale_task_ids()) == {rerun_on_dead.pk, never_claimed.pk}
    assert background.stale_task_ids(among=[rerun_on_live.pk]) == []


class TestSweep:
    def test_a_rerunnable_task_whose_worker_died_runs_again_and_finishes(
        self, database_tasks, tmp_path
    ):
        release = tmp_path / "release"
        row = _claimed_by_dead_worker(blocking_tasks.wait_for_file_rerunnable, path=str(release))
        assert background.stale_task_ids() == [row.pk]

        assert background.sweep_stale_tasks() == {"rerun": 1, "failed": 0}
        row.refresh_from_db()
        assert row.status == TaskResultStatus.READY and row.started_at is None

        release.touch()
        _run_worker()
        row.refresh_from_db()
        assert row.status == TaskResultStatus.SUCCESSFUL
        assert row.return_value == "released"
        assert len(row.worker_ids) == 2  # the dead worker's run, then this one

    def test_a_task_not_declared_rerunnable_is_marked_failed_with_the_reason(
        self, database_tasks, tmp_path
    ):
        row = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path=str(tmp_path / "x"))

        assert background.sweep_stale_tasks() == {"rerun": 0, "failed": 1}
        row.refresh_from_db()
        assert row.status == TaskResultStatus.FAILED
        assert row.exception_class_path == "crm.background.WorkerDied"
        assert "worker dead-worker-0 died while running it (run 1)" in row.traceback
        assert "not retried because the task is not declared safe to run again" in row.traceback

    def test_a_rerunnable_task_fails_after_the_maximum_runs(self, database_tasks, tmp_path):
        row = _claimed_by_dead_worker(
            blocking_tasks.wait_for_file_rerunnable, path=str(tmp_path / "x"), runs=3
        )

        assert background.sweep_stale_tasks() == {"rerun": 0, "failed": 1}
        row.refresh_from_db()
        assert row.status == TaskResultStatus.FAILED
        assert "it has been run 3 times (TASK_MAX_ATTEMPTS)" in row.traceback

    def test_a_task_whose_worker_still_beats_is_left_running(self, database_tasks, tmp_path):
        row = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path=str(tmp_path / "x"))
        background.beat("dead-worker-0")  # it was only slow: it beats again

        assert background.sweep_stale_tasks() == {"rerun": 0, "failed": 0}
        row.refresh_from_db()
        assert row.status == TaskResultStatus.RUNNING

    def test_a_task_claimed_within_the_lease_is_not_stale_yet(self, database_tasks, settings):
        settings.TASK_LEASE_SECONDS = 600
        row = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path="/x", minutes_ago=5)

        assert background.stale_task_ids() == []
        settings.TASK_LEASE_SECONDS = 60
        assert background.stale_task_ids() == [row.pk]

    def test_a_swept_task_is_handled_once(self, database_tasks, tmp_path):
        row = _claimed_by_dead_worker(
            blocking_tasks.wait_for_file_rerunnable, path=str(tmp_path / "x")
        )
        assert background.sweep_stale_tasks() == {"rerun": 1, "failed": 0}
        # The next sweep finds it ready (not running): nothing to do, no second re-run.
        assert background.sweep_stale_tasks() == {"rerun": 0, "failed": 0}
        row.refresh_from_db()
        assert row.status == TaskResultStatus.READY and len(row.worker_ids) == 1

    def test_heartbeats_of_workers_gone_for_a_day_are_deleted(self, database_tasks):
        old = timezone.now() - timedelta(days=2)
        WorkerHeartbeat.objects.create(worker_id="gone", started_at=old, beat_at=old)
        background.beat("alive")

        background.sweep_stale_tasks()
        assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_worker_beats_while_it_runs_tasks_and_removes_its_heartbeat_on_exit(
    database_tasks,
):
    result = blocking_tasks.my_worker_is_beating.enqueue()
    call_command("worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value is True
    assert not WorkerHeartbeat.objects.exists()


def test_the_sweep_is_a_periodic_task_that_runs_in_the_worker(database_tasks, tmp_path):
    row = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path=str(tmp_path / "x"))
    from crm.tasks import sweep_stale_tasks

    sweep = sweep_stale_tasks.enqueue()
    _run_worker()

    assert DBTaskResult.objects.get(pk=sweep.id).return_value == {"rerun": 0, "failed": 1}
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED


def test_pruning_deletes_old_finished_results_and_keeps_failed_ones_longer(database_tasks):
    from crm.tasks import prune_task_results

    done, failed, recent = (blocking_tasks.fail_unless_file.enqueue(path="/") for _ in "abc")
    _run_worker()
    DBTaskResult.objects.filter(pk=failed.id).update(status=TaskResultStatus.FAILED)
    DBTaskResult.objects.filter(pk__in=[done.id, failed.id]).update(
        finished_at=timezone.now() - timedelta(days=8)
    )

    prune_task_results.call()
    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert remaining == {failed.id, recent.id}


def test_the_purge_deletes_the_guards_of_ended_windows_only(settings, admin_user):
    settings.CAPTURE_IDEMPOTENCY_WINDOW = 600
    form = WebFormFactory(created_by=admin_user)
    current = int(timezone.now().timestamp() // 600)
    for bucket in (current - 5, current - 1, current):
        SubmissionGuard.objects.create(web_form=form, fingerprint=f"f{bucket}", bucket=bucket)

    assert purge_submission_guards(batch_size=1) == 2
    assert list(SubmissionGuard.objects.values_list("bucket", flat=True)) == [current]


def _leases(kind):
    if kind == "database":
        return [DatabaseLease("test", holder, 30) for holder in ("one", "two")]
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/0").delete("crm:lease:test")
    return [
        RedisLease("test", holder, 30, "redis://127.0.0.1:6379/0") for holder in ("one", "two")
    ]


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_a_lease_has_one_holder_until_it_lapses_or_is_released(kind):
    one, two = _leases(kind)
    assert one.acquire()
    assert not two.acquire()
    assert one.renew() and not two.renew()
    assert one.acquire()  # taking it again while holding it: still held

    one.release()
    assert two.acquire() and not one.acquire()
    assert not one.renew()  # the first holder cannot renew what it lost
    two.release()


def test_a_lapsed_database_lease_is_taken_over():
    one, two = _leases("database")
    assert one.acquire()
    Lease.objects.filter(name="test").update(expires_at=timezone.now() - timedelta(seconds=1))

    assert two.acquire()
    assert Lease.objects.get(name="test").holder == "two"
    assert not one.renew()


def test_a_lapsed_redis_lease_is_taken_over():
    one, two = _leases("redis")
    assert one.acquire()
    one._lock.redis.pexpire("crm:lease:test", 1)
    import time

    time.sleep(0.01)
    assert two.acquire()
    assert not one.renew()
    two.release()


class TestAdmin:
    URL = "admin:django_tasks_database_dbtaskresult_changelist"

    def test_an_administrator_retries_a_failed_task_and_it_runs(
        self, database_tasks, as_admin, admin_user, tmp_path
    ):
        ran = tmp_path / "ran"
        failed = blocking_tasks.fail_unless_file.enqueue(path=str(ran))
        _run_worker()
        assert DBTaskResult.objects.get(pk=failed.id).status == TaskResultStatus.FAILED

        page = as_admin.get(reverse(self.URL), {"attention": "failed"})
        assert page.status_code == 200
        assert str(failed.id) in page.content.decode()

        ran.touch()  # what made it fail is fixed
        response = as_admin.post(
            reverse(self.URL), {"action": "retry", "_selected_action": [failed.id]}, follow=True
        )
        assert "1 task queued again." in response.content.decode()
        _run_worker()
        retry = DBTaskResult.objects.exclude(pk=failed.id).get()
        assert retry.status == TaskResultStatus.SUCCESSFUL and retry.return_value == "ran"
        assert DBTaskResult.objects.get(pk=failed.id).status == TaskResultStatus.FAILED

        record = TaskRetry.objects.get()
        assert (str(record.original_id), record.retry_id, record.retried_by) == (
            failed.id, retry.pk, admin_user,
        )  # fmt: skip
        for attention in ("failed", "all"):
            page = as_admin.get(reverse(self.URL), {"attention": attention}).content.decode()
            assert str(failed.id) not in page
        page = as_admin.get(reverse(self.URL)).content.decode()
        retry_url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[retry.pk])
        failed_url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.id])
        assert f'<a href="{retry_url}">{str(retry.pk)[:8]}</a> (Successful)' in page
        assert f'<a href="{failed_url}">{failed.id[:8]}</a> (failed run)' in page
        detail = as_admin.get(retry_url).content.decode()  # the retry's own page says it too
        assert f'<a href="{failed_url}">{failed.id[:8]}</a> (failed run)' in detail

    def test_a_retried_task_is_not_retried_twice(self, database_tasks, as_admin):
        failed = blocking_tasks.fail_unless_file.enqueue(path="/nonexistent-file")
        _run_worker()
        selected = {"action": "retry", "_selected_action": [failed.id]}
        as_admin.post(reverse(self.URL), selected)
        response = as_admin.post(reverse(self.URL), selected, follow=True)
        assert "1 task skipped" in response.content.decode()
        assert DBTaskResult.objects.count() == 2 and TaskRetry.objects.count() == 1

    def test_the_title_counts_the_tasks_needing_attention_in_one_query(
        self, database_tasks, as_admin, tmp_path, django_assert_num_queries
    ):
        failed = blocking_tasks.fail_unless_file.enqueue(path="/nonexistent-file")
        _run_worker()
        _claimed_by_dead_worker(blocking_tasks.wait_for_file, path=str(tmp_path / "x"))
        blocking_tasks.wait_for_file.enqueue(path="/")  # ready: needs nothing
        # session, user, the attention count, the filtered and total counts, the two admin
        # menu settings checks, the page (retries joined), the priority and queue filters
        with django_assert_num_queries(10):
            page = as_admin.get(reverse(self.URL)).content.decode()
        assert "Background tasks: 2 need attention" in page

        as_admin.post(reverse(self.URL), {"action": "retry", "_selected_action": [failed.id]})
        with django_assert_num_queries(10):  # one more row, a retry and its link: the same
            page = as_admin.get(reverse(self.URL)).content.decode()
        assert "Background tasks: 1 needs attention" in page
        assert "?attention=all" in page

    def test_successful_runs_of_periodic_jobs_are_hidden_unless_asked_for(
        self, database_tasks, as_admin
    ):
        from crm.tasks import prune_task_results, sweep_stale_tasks

        swept = sweep_stale_tasks.enqueue()
        pruned = prune_task_results.enqueue()
        other = blocking_tasks.fail_unless_file.enqueue(path="/")
        _run_worker()
        DBTaskResult.objects.filter(pk=pruned.id).update(status=TaskResultStatus.FAILED)

        page = as_admin.get(reverse(self.URL)).content.decode()
        assert swept.id not in page
        assert pruned.id in page and other.id in page  # a failed periodic run stays

        page = as_admin.get(reverse(self.URL), {"periodic": "show"}).content.decode()
        assert swept.id in page and pruned.id in page and other.id in page

    def test_a_stale_task_is_listed_and_its_retry_fails_the_old_run(
        self, database_tasks, as_admin, tmp_path
    ):
        stale = _claimed_by_dead_worker(blocking_tasks.wait_for_file, path=str(tmp_path / "x"))
        fresh = blocking_tasks.wait_for_file.enqueue(path="/")

        page = as_admin.get(reverse(self.URL), {"attention": "stale"}).content.decode()
        assert str(stale.pk) in page and str(fresh.id) not in page

        as_admin.post(reverse(self.URL), {"action": "retry", "_selected_action": [stale.pk]})
        stale.refresh_from_db()
        assert stale.status == TaskResultStatus.FAILED
        assert "retried by an administrator" in stale.traceback
        assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2

    def test_tasks_neither_failed_nor_stale_are_not_retried(self, database_tasks, as_admin):
        ready = blocking_tasks.wait_for_file.enqueue(path="/")
        response = as_admin.post(
            reverse(self.URL), {"action": "retry", "_selected_action": [ready.id]}, follow=True
        )
        assert "1 task skipped" in response.content.decode()
        assert DBTaskResult.objects.count() == 1 and not TaskRetry.objects.exists()

    def test_the_retry_needs_the_post_method(self, database_tasks, as_admin):
        failed = blocking_tasks.fail_unless_file.enqueue(path="/nonexistent-file")
        _run_worker()
        as_admin.get(reverse(self.URL), {"action": "retry", "_selected_action": [failed.id]})
        assert DBTaskResult.objects.count() == 1

    def test_a_staff_member_who_is_not_an_administrator_cannot_retry(self, database_tasks, client):
        staff = UserFactory(username="staff", is_staff=True)
        client.force_login(staff)
        failed = blocking_tasks.fail_unless_file.enqueue(path="/nonexistent-file")
        _run_worker()

        response = client.post(
            reverse(self.URL), {"action": "retry", "_selected_action": [failed.id]}
        )
        assert response.status_code == 403
        assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the renewal closes stale connections first
def test_the_scheduler_stops_when_its_lease_was_taken_over():
    from crontask.utils import LockError

    from crm.management.commands.scheduler import _CrontaskLock

    one, two = _leases("database")
    assert one.acquire()
    lock = _CrontaskLock(one)
    assert lock.extend() is True

    Lease.objects.filter(name="test").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert two.acquire()
    with pytest.raises(LockError):
        lock.extend()  # crontask's renewal job then shuts its scheduler down
    assert lock.lost
