from django.tasks import task

from crm.background import rerun_if_worker_dies
from mail import services


# Safe to run again: a run that finds the e-mail already claimed (SENDING) sends nothing and
# marks it unknown (services.deliver); the claim lives in the database row.
@rerun_if_worker_dies
@task
def deliver_email(email_id):
    """Send one e-mail written in the CRM (at most once)."""
    return {"status": services.deliver(email_id)}
