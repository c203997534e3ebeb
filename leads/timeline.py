"""The leads app's part of the timeline (activities.timeline, which never imports leads):

- the status log as a kind of entry ("Status changes") on the lead's own timeline;
- the lead's whole timeline read through on every account, contact and opportunity that
  qualifying it created or used, marked "From the lead".

Registered from LeadsConfig.ready().
"""

from django.utils.translation import gettext_lazy as _

from activities.timeline import TimelineSource, register_read_through, register_source
from leads.models import Lead, LeadStatusChange, Qualification

# The records a Qualification points at: (model label, Qualification field).
QUALIFIED_RECORDS = (
    ("accounts.account", "account"),
    ("accounts.contact", "contact"),
    ("opportunities.opportunity", "opportunity"),
)


def status_change_rows(model, pks):
    """The status log of the leads in `pks`; nothing for any other model."""
    if model is not Lead:
        return None
    return LeadStatusChange.objects.filter(lead__in=pks)


def load_status_changes(pks):
    # The lead is joined so an entry read through on an account can name its lead.
    return LeadStatusChange.objects.filter(pk__in=pks).select_related("changed_by", "lead")


def qualified_leads(field):
    """related(record, user) for register_read_through: the leads whose qualification
    created or used `record`, among those the user may see (an unevaluated subquery)."""

    def related(record, user):
        produced = Qualification.objects.filter(**{field: record}).values("lead")
        return Lead.objects.visible_to(user).filter(pk__in=produced)

    return related


def register():
    register_source(
        TimelineSource(
            key="status",
            label=_("Status changes"),
            rows=status_change_rows,
            load=load_status_changes,
            template="leads/_timeline_status_change.html",
            at="changed_at",
        )
    )
    for model_label, field in QUALIFIED_RECORDS:
        register_read_through(model_label, qualified_leads(field), _("From the lead"))
