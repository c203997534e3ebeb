"""Reactions to other apps' events (connected in LeadsConfig.ready())."""

from django.utils.translation import gettext as _

from leads.models import Lead
from leads.services import mark_lead_contacted


def contact_made(sender, activity, regarding, user, **kwargs):
    """A completed call or e-mail on a New lead makes it Contacted (logged, once)."""
    if isinstance(regarding, Lead):
        mark_lead_contacted(
            lead=regarding,
            user=user,
            reason=_("%(activity)s logged") % {"activity": activity},
        )
