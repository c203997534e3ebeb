from crontask import cron
from django.tasks import task

from crm.background import rerun_if_worker_dies
from scoring import services


# Scoring writes the same values however often it runs: safe to run again.
@rerun_if_worker_dies
@task
def rescore_leads(ids):
    """Re-score these leads (a transaction changed them or their activities)."""
    return {"scored": services.score_leads(ids)}


@rerun_if_worker_dies
@task
def rescore_all_leads():
    """Re-score every open lead (a rule or a setting changed)."""
    return {"scored": services.score_all()}


@rerun_if_worker_dies
@task
def train_lead_score():
    """Learn the model again from the closed leads, then re-score every open lead."""
    model, reason = services.train()
    return {
        "model": model.pk if model else None,
        "reason": reason,
        "scored": services.score_all(),
    }


# Nightly: learn from the day's closed leads and let engagement points decay.
@cron("37 2 * * *")
@rerun_if_worker_dies
@task
def nightly_lead_scoring():
    model, reason = services.train()
    return {"model": model.pk if model else None, "reason": reason, "scored": services.score_all()}
