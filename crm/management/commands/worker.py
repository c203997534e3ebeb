"""`manage.py worker`: django_tasks_db's `db_worker` (same options) that also beats.

A thread writes this worker's heartbeat every TASK_HEARTBEAT_SECONDS while the process lives,
so the sweep (crm.background) can tell a long task from one whose worker was killed. Run the
workers with this command, never plain `db_worker`: a task of a worker that never beats looks
stale once it has run for TASK_LEASE_SECONDS. Unlike db_worker it serves every queue by default."""

import logging
import os
import threading

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from crm.background import beat, stop_beating

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = "Run a database background worker that writes its heartbeat (task leases)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Every queue unless told (settings.TASK_QUEUES): one worker serves a small site, the
        # highest priority first; a big one starts workers per queue with --queue-name.
        parser.set_defaults(queue_name="*")

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        reloading = options["reload"] and not options["batch"]
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's watcher runs no task; its child (this command again) beats.
            return super().handle(*args, **options)
        stop = threading.Event()
        started_at = timezone.now()
        beat(worker_id, started_at=started_at)  # before the first claim
        thread = threading.Thread(
            target=_beat_until, args=(worker_id, started_at, stop), daemon=True, name="heartbeat"
        )
        thread.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            thread.join(timeout=5)
            stop_beating(worker_id)


def _beat_until(worker_id, started_at, stop):
    while not stop.wait(settings.TASK_HEARTBEAT_SECONDS):
        try:
            beat(worker_id, started_at=started_at)
        except Exception:
            # A database hiccup: the next beat may get through before the lease runs out.
            logger.exception("Worker %s: heartbeat failed", worker_id)
        finally:
            connection.close()  # this thread's own connection
