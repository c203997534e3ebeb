"""Task leases and the stale-task sweep.

django_tasks_db marks a task RUNNING when a worker claims it and nothing else until the task
returns, so a worker killed mid-task would leave it running forever. Each `manage.py worker`
therefore beats (a `crm.WorkerHeartbeat` row) while it lives; a running task whose worker
has not beaten for TASK_LEASE_SECONDS is stale. The sweep runs a stale task again when its
task is declared safe to run again (`rerun_if_worker_dies`), up to TASK_MAX_ATTEMPTS runs,
and otherwise marks it failed saying why.
"""

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from crm.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

_rerunnable: set[str] = set()


def rerun_if_worker_dies(task: Task) -> Task:
    """Declare `task` safe to run again from the start after its worker died mid-run: what
    it does twice is harmless because its uniqueness lives in the database (say why where you
    use it). Put it above `@task`."""
    _rerunnable.add(task.module_path)
    return task


def is_rerunnable(task_path: str) -> bool:
    return task_path in _rerunnable


class WorkerDied(Exception):
    """The reason a stale task failed: its worker stopped beating while running it."""


def beat(worker_id: str, *, started_at=None) -> None:
    """One heartbeat of a live worker (one upsert)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={
            "beat_at": now,
            "started_at": started_at or now,
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )


def stop_beating(worker_id: str) -> None:
    """A worker that exits cleanly (its task finished) removes its heartbeat."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def stale_task_ids(*, now=None, among=None) -> list:
    """Running tasks whose (last) worker has not beaten for TASK_LEASE_SECONDS."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    # A task claimed within the lease cannot be stale yet (its worker may not have beaten).
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    if among is not None:
        running = running.filter(pk__in=among)
    return [
        pk
        for pk, worker_ids in running.values_list("id", "worker_ids")
        if not worker_ids or worker_ids[-1] not in alive
    ]


def sweep_stale_tasks(*, now=None) -> dict:
    """Run again or fail every stale task. Each task is handled in its own transaction under
    a row lock taken with SKIP LOCKED, and re-checked there: of two sweeps at once (a slow one
    and the next) exactly one handles a task, once per attempt."""
    counts = {"rerun": 0, "failed": 0}
    for pk in stale_task_ids(now=now):
        outcome = _handle_stale(pk, now=now)
        if outcome:
            counts[outcome] += 1
    purged = _purge_old_heartbeats(now=now)
    if counts["rerun"] or counts["failed"] or purged:
        logger.warning("Stale tasks: %(rerun)d run again, %(failed)d failed", counts)
    return counts


@transaction.atomic
def _handle_stale(pk, *, now=None):
    result = DBTaskResult.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
    if result is None or not stale_task_ids(now=now, among=[pk]):
        return None  # another sweep has it, or it finished or moved on meanwhile
    worker = result.worker_ids[-1] if result.worker_ids else "?"
    attempts = len(result.worker_ids)
    try:
        # Importing the task's module is what declares it rerunnable (or not).
        path = result.task.module_path
    except (ImportError, SuspiciousOperation):
        reason = "its task no longer exists"
    else:
        if not is_rerunnable(path):
            reason = (
                "the task is not declared safe to run again "
                "(crm.background.rerun_if_worker_dies); retry it from the admin if it is"
            )
        elif attempts >= settings.TASK_MAX_ATTEMPTS:
            reason = f"it has been run {attempts} times (TASK_MAX_ATTEMPTS)"
        else:
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            logger.warning("Task %s: worker %s died; run again (attempt %d)", pk, worker, attempts)
            return "rerun"
    result.set_failed(
        WorkerDied(
            f"worker {worker} died while running it (run {attempts}); not retried because {reason}"
        )
    )
    return "failed"


def _purge_old_heartbeats(*, now=None):
    """Heartbeats of workers gone for a day (their tasks were swept long ago)."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    return WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()[0]


def retry_tasks(results) -> int:
    """Enqueue a fresh run of each failed or stale task (an administrator's Retry); a stale
    one is marked failed first (its worker is gone). Returns how many were queued again."""
    retried = 0
    for result in results:
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().get(pk=result.pk)
            if stale_task_ids(among=[locked.pk]):
                locked.set_failed(
                    WorkerDied("worker died while running it; retried by an administrator")
                )
            elif locked.status != TaskResultStatus.FAILED:
                continue
            try:
                task = locked.task
            except (ImportError, SuspiciousOperation):
                continue  # its code is gone: nothing to run
            if locked.run_after != get_date_max():
                task = task.using(run_after=None)
            # The new run's row commits with the old one's mark: both or neither.
            task.enqueue(*locked.args_kwargs["args"], **locked.args_kwargs["kwargs"])
            retried += 1
    return retried
