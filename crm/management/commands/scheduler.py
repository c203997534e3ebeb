"""`manage.py scheduler`: django-crontask's scheduler, run by exactly one process however
many machines start one.

crontask locks only through Redis (without CRONTASK["REDIS_URL"] its lock is a no-op), so
this command takes a lease of its own first (crm.leases: a database row, or Redis when
CACHE_URL is Redis), then runs crontask's scheduler, which renews the lease every
LOCK_REFRESH_INTERVAL seconds and stops when a renewal fails. A second instance waits and
takes over once the first's lease lapses (it died, or lost the store)."""

import logging
import os
import socket
import sys
import time

from crontask import scheduler
from crontask.management.commands import crontask
from crontask.utils import LockError
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string

from crm.leases import lease

LEASE_NAME = "scheduler"


class _CrontaskLock:
    """The lease, as crontask's scheduler expects its lock: `extend` raises LockError when
    the lease was lost, and crontask then shuts the scheduler down."""

    def __init__(self, held):
        self.held, self.lost = held, False

    def extend(self, additional_time=None, replace_ttl=False):
        close_old_connections()
        if not self.held.renew():
            self.lost = True
            raise LockError("The scheduler's lease was taken over or lapsed.")
        return True


class Command(BaseCommand):
    help = "Run the periodic tasks (django-crontask) in exactly one process of all started."

    def handle(self, *args, **options):
        if options["verbosity"] < 2:
            # APScheduler logs every run of every job (the lease renewal every few seconds).
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
        holder = f"{socket.gethostname()}:{os.getpid()}:{get_random_string(8)}"
        held = lease(LEASE_NAME, holder=holder, seconds=settings.SCHEDULER_LEASE_SECONDS)
        runner = crontask.Command(stdout=self.stdout, stderr=self.stderr)
        # Every app's tasks module registers its jobs with @cron when imported.
        runner.load_tasks(options)
        try:
            if not held.acquire():
                self.stdout.write("Another scheduler holds the lease; waiting to take over.")
                while not held.acquire():
                    close_old_connections()
                    time.sleep(max(1, settings.SCHEDULER_LEASE_SECONDS / 3))
            self.stdout.write(f"Scheduler lease taken by {holder}.")
            lock = _CrontaskLock(held)
            runner.launch_scheduler(lock, scheduler)
        except KeyboardInterrupt:
            return  # Ctrl-C while waiting
        finally:
            held.release()
        if lock.lost:
            self.stderr.write("The scheduler's lease was lost; stopped (start it again).")
            sys.exit(1)
