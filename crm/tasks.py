from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron
from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command
from django.tasks import task

from crm import background, duplicate_finder


# Not declared rerunnable: nothing records that the message went out, so a worker dying after
# the SMTP server took it would send it twice; a failed one is retried from the admin.
@task(queue_name="mail")
def send_email(*, to, subject, body):
    """Send one plain-text e-mail; enqueued after commit so it never announces a rollback."""
    send_mail(subject, body, None, [to])


# Periodic jobs register here and in each app's tasks module with crontask's @cron (loaded by
# `manage.py scheduler`). The sweep only reads and updates task rows: running it twice is
# harmless.
@cron(IntervalTrigger(seconds=settings.TASK_SWEEP_SECONDS))
@background.rerun_if_worker_dies
@task
def sweep_stale_tasks():
    """Run again or fail the tasks whose worker died (crm.background)."""
    return background.sweep_stale_tasks()


# Daily: one sweep a minute alone leaves 1,440 results a day. Failed ones stay longer, for
# the administrators who retry them.
@cron("41 3 * * *")
@background.rerun_if_worker_dies
@task
def prune_task_results():
    """Delete finished task results older than 7 days (failed ones: 30 days)."""
    call_command(
        "prune_db_task_results",
        "--queue-name=*",
        "--min-age-days=7",
        "--failed-min-age-days=30",
        verbosity=0,
    )


# Every 10 minutes: the records changed since the last run (a stored watermark). Safe to run
# again: the pairs are unique in the database and a second run finds the same ones.
@cron("*/10 * * * *")
@background.rerun_if_worker_dies
@task
def find_duplicates():
    """Bring the stored possible duplicates of every kind up to date (incremental)."""
    return {label: duplicate_finder.refresh(label) for label in duplicate_finder.finders()}


# Nightly: a full rebuild catches what the incremental runs cannot see (bulk updates that
# left modified_at alone).
@cron("17 2 * * *")
@background.rerun_if_worker_dies
@task
def rebuild_duplicates():
    """Scan every record of every kind for possible duplicates."""
    return {
        label: duplicate_finder.refresh(label, full=True) for label in duplicate_finder.finders()
    }


@background.rerun_if_worker_dies
@task
def check_duplicates(*, label, ids):
    """The possible duplicates of records just saved (crm.signals enqueues it on commit)."""
    return duplicate_finder.check_records(label, ids)
