"""Reactions to other apps' events (connected in LeadsConfig.ready())."""

from django.utils.translation import gettext as _

from leads.models import Lead
from leads.services import mark_lead_contacted, record_first_contact


def contact_made(sender, activity, regarding, user, **kwargs):
    """A completed call or e-mail on a New lead makes it Contacted (logged, once), and on any
    lead is its first contact unless an earlier one is stored (the reports read it)."""
    if isinstance(regarding, Lead):
        mark_lead_contacted(
            lead=regarding,
            user=user,
            reason=_("%(activity)s logged") % {"activity": activity},
        )
        record_first_contact(lead=regarding, at=activity.closed_at)
