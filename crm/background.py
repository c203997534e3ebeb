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

from crontask import scheduler
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import Task, TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.models import DBTaskResult, get_date_max

from crm.models import TaskRetry, WorkerHeartbeat

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


class LastWorkerId(models.Func):
    """The last element of a task result's worker_ids (the worker running it now), as text;
    NULL when it has none. Django's JSON key transforms take no negative index."""

    template = "(%(expressions)s ->> -1)"  # PostgreSQL's jsonb counts from the end
    output_field = models.CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "json_extract(%(expressions)s, '$[#-1]')"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def stale_condition(*, now=None) -> Q:
    """Running, claimed before the lease, and its (last) worker has not beaten within it."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.TASK_LEASE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(
        worker_id=OuterRef("last_worker_id"), beat_at__gte=cutoff
    )
    # A task claimed within the lease cannot be stale yet (its worker may not have beaten).
    return Q(status=TaskResultStatus.RUNNING, started_at__lt=cutoff) & ~Q(Exists(alive))


def stale_tasks(*, now=None):
    """Running tasks whose (last) worker has not beaten for TASK_LEASE_SECONDS (one query)."""
    return DBTaskResult.objects.alias(last_worker_id=LastWorkerId("worker_ids")).filter(
        stale_condition(now=now)
    )


def stale_task_ids(*, now=None, among=None) -> list:
    """The ids of the stale tasks (of those `among`, if given)."""
    stale = stale_tasks(now=now)
    if among is not None:
        stale = stale.filter(pk__in=among)
    return list(stale.values_list("id", flat=True))


def needing_attention(results, *, now=None):
    """Of `results`, the failed or stale tasks nobody has retried yet (one query to count)."""
    return results.alias(last_worker_id=LastWorkerId("worker_ids")).filter(
        Q(status=TaskResultStatus.FAILED) | stale_condition(now=now), retry__isnull=True
    )


def periodic_task_paths() -> set[str]:
    """The task paths of the periodic jobs (crontask's @cron in every app's tasks module)."""
    autodiscover_modules("tasks")  # as `manage.py scheduler` does: @cron registers on import
    return {job.func.__self__.module_path for job in scheduler.get_jobs()}


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


def retry_tasks(results, *, by=None) -> int:
    """Enqueue a fresh run of each failed or stale task not retried yet (an administrator's
    Retry), recorded as a TaskRetry; a stale one is marked failed first (its worker is gone).
    Returns how many were queued again."""
    retried = 0
    for result in results:
        with transaction.atomic():
            locked = DBTaskResult.objects.select_for_update().get(pk=result.pk)
            # Under the row lock: of two administrators retrying at once, one queues a run.
            if TaskRetry.objects.filter(original=locked).exists():
                continue
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
            again = task.enqueue(*locked.args_kwargs["args"], **locked.args_kwargs["kwargs"])
            TaskRetry.objects.create(original=locked, retry_id=again.id, retried_by=by)
            retried += 1
    return retried
