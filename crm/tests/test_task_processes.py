"""Task leases and the scheduler under real separate processes on PostgreSQL: `manage.py
worker` processes killed with SIGKILL mid-task, and `manage.py scheduler` processes started
at once. Short leases and intervals (settings from the environment) keep each test short."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from crm.models import Lease
from crm.tests import blocking_tasks

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FAST = {
    "TASK_HEARTBEAT_SECONDS": "1",
    "TASK_LEASE_SECONDS": "3",
    "TASK_SWEEP_SECONDS": "1",
    "SCHEDULER_LEASE_SECONDS": "3",
}


def _wait_until(condition, *, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


@pytest.fixture
def start(db, tmp_path, settings):
    """Start `manage.py <command>` on this test's (committed) database; all are stopped at
    the end. Tasks this test enqueues are stored rows, as the processes see them."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    database = connection.settings_dict
    env = {
        **os.environ,
        **FAST,
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",  # the logs are read while the processes run
        "DATABASE_URL": (
            f"postgres://{database['USER']}"
            f"{':' + database['PASSWORD'] if database['PASSWORD'] else ''}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CACHE_URL": "locmem://",  # the lease must be the database's
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    env.pop("TEST_DATABASE_SUFFIX", None)
    started = []

    def _start(command, *arguments):
        log = tmp_path / f"{command}-{len(started)}.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", command, *arguments],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        process.log = log
        started.append(process)
        return process

    yield _start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _worker(start):
    return start("worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")


def _status(result):
    return DBTaskResult.objects.get(pk=result.id).status


def test_tasks_of_a_killed_worker_are_run_again_or_failed_by_the_sweep(start, tmp_path):
    start("scheduler")
    first, second = _worker(start), _worker(start)
    release = tmp_path / "release"
    rerunnable = blocking_tasks.wait_for_file_rerunnable.enqueue(path=str(release))
    unsafe = blocking_tasks.wait_for_file.enqueue(path=str(release))
    _wait_until(
        lambda: _status(rerunnable) == _status(unsafe) == TaskResultStatus.RUNNING,
        seconds=30,  # two workers start (each imports the app)
        what="both blocking tasks running",
    )

    first.send_signal(signal.SIGKILL)
    second.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    release.touch()  # a second run finishes at once; the killed runs never will
    _worker(start)  # runs the sweeps the scheduler keeps enqueuing, and the rerun

    _wait_until(
        lambda: (
            _status(rerunnable) == TaskResultStatus.SUCCESSFUL
            and _status(unsafe) == TaskResultStatus.FAILED
        ),
        seconds=20,
        what="the rerunnable task run again, the other failed",
    )
    assert time.monotonic() - killed_at < 20
    rerun = DBTaskResult.objects.get(pk=rerunnable.id)
    assert len(rerun.worker_ids) == 2 and rerun.return_value == "released"
    failed = DBTaskResult.objects.get(pk=unsafe.id)
    assert failed.exception_class_path == "crm.background.WorkerDied"
    assert "died while running it (run 1); not retried because the task is not declared" in (
        failed.traceback
    )


def _sweeps():
    return DBTaskResult.objects.filter(task_path="crm.tasks.sweep_stale_tasks").count()


def test_of_two_schedulers_started_at_once_one_runs_and_the_other_takes_over(start):
    first, second = start("scheduler"), start("scheduler")
    _wait_until(
        lambda: Lease.objects.filter(name="scheduler").exists(), seconds=15, what="a lease"
    )
    holder = Lease.objects.get(name="scheduler").holder
    leader, follower = (first, second) if f":{first.pid}:" in holder else (second, first)
    assert f":{leader.pid}:" in holder

    # One sweep a second is enqueued: two schedulers would enqueue two.
    before, t0 = _sweeps(), time.monotonic()
    time.sleep(4)
    enqueued, elapsed = _sweeps() - before, time.monotonic() - t0
    assert 2 <= enqueued <= elapsed + 1
    assert "waiting to take over" in follower.log.read_text()

    leader.send_signal(signal.SIGKILL)
    _wait_until(
        lambda: f":{follower.pid}:" in Lease.objects.get(name="scheduler").holder,
        seconds=10,
        what="the second scheduler taking the lease over",
    )
    before = _sweeps()
    _wait_until(lambda: _sweeps() >= before + 2, seconds=5, what="sweeps enqueued again")
    assert "Scheduler lease taken" in follower.log.read_text()
