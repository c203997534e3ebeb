from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron
from django.conf import settings
from django.tasks import task

from crm.background import rerun_if_worker_dies
from mail import services
from mail.fetching import fetch_mail


# Safe to run again: a run that finds the e-mail already claimed (SENDING) sends nothing and
# marks it unknown (services.deliver); the claim lives in the database row.
@rerun_if_worker_dies
@task(queue_name="mail", priority=5)
def deliver_email(email_id):
    """Send one e-mail written in the CRM (at most once)."""
    return {"status": services.deliver(email_id)}


# Safe to run again, and two at once: a message is flagged only after its commit, and one read
# twice is found by its Message-ID (mail.receiving).
@rerun_if_worker_dies
@task(queue_name="mail")
def fetch_new_mail():
    """Read the new messages of the CRM's IMAP mailbox."""
    fetched = fetch_mail()
    return {"read": fetched.read, "repeats": fetched.repeats, **fetched.outcomes}


# Scheduled only when there is a mailbox to read.
if settings.MAIL_IMAP_HOST:
    cron(IntervalTrigger(seconds=settings.MAIL_IMAP_POLL_SECONDS))(fetch_new_mail)
