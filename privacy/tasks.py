from crontask import cron
from django.tasks import task

from crm.background import rerun_if_worker_dies
from privacy import retention


# Nightly, before the duplicate rebuild (02:17). Safe to run again after a worker died: a
# lead is anonymised in the transaction of its batch, and an anonymised one is never selected
# again, so a second run carries on where the first stopped.
@cron("47 1 * * *")
@rerun_if_worker_dies
@task
def apply_retention():
    """Anonymise the leads past the enabled retention rules: {rule name: leads anonymised}."""
    return {policy.name: len(ids) for policy, ids in retention.apply_retention().items()}
