"""What keeps scores current: a lead saved or created (one at a time or an import's batch),
an activity, inquiry or web submission regarding a lead, a rule or a setting changed. Each
gathers ids for one task after the commit (scoring/services.py)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save

from activities.models import Activity, Inquiry
from capture.models import Submission
from leads.models import Lead
from leads.signals import lead_created
from scoring import services
from scoring.models import ScoringRule, ScoringSettings


def _lead_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.rescore_on_commit([instance.pk])


def _leads_created(sender, leads, **kwargs):
    services.rescore_on_commit([lead.pk for lead in leads])


def _regarding_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.content_type_id == ContentType.objects.get_for_model(Lead).pk:
        services.rescore_on_commit([instance.object_id])


def _submission_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.rescore_on_commit([instance.lead_id])


def _configuration_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        services.rescore_everything_on_commit()


def connect():
    post_save.connect(_lead_saved, sender=Lead, dispatch_uid="scoring.lead_saved")
    lead_created.connect(_leads_created, sender=Lead, dispatch_uid="scoring.leads_created")
    for model in (Activity, Inquiry):
        for signal in (post_save, post_delete):
            signal.connect(
                _regarding_changed, sender=model, dispatch_uid=f"scoring.{model.__name__}"
            )
    post_save.connect(_submission_saved, sender=Submission, dispatch_uid="scoring.submission")
    for model in (ScoringRule, ScoringSettings):
        for signal in (post_save, post_delete):
            signal.connect(
                _configuration_changed,
                sender=model,
                dispatch_uid=f"scoring.config.{model.__name__}.{signal is post_save}",
            )
