from crontask import cron
from django.tasks import task

from capture.services import purge_submission_guards
from crm.background import rerun_if_worker_dies


# Hourly; a guard of a window that has ended guards nothing. Deleting is safe to repeat.
@cron("23 * * * *")
@rerun_if_worker_dies
@task
def purge_old_submission_guards():
    """Delete the web form idempotency guards of windows that have ended."""
    return purge_submission_guards()
