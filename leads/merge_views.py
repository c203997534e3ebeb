"""The lead merge page (activities/merge_views.py does the work for every kind): its model,
service, words, and what it says about a qualified or disqualified lead among them."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from activities.merge_views import MergeKind
from leads.merge import lead_name, merge_leads
from leads.models import Lead


def _merged(count, master):
    return ngettext(
        "Merged %(n)s lead into %(master)s.", "Merged %(n)s leads into %(master)s.", count
    ) % {"n": count, "master": lead_name(master)}


def _closed_note(lead):
    if lead.is_open:
        return ""
    return _(
        "%(lead)s is %(state)s. Its state and qualification stay with it; only its "
        "activities, notes and links move."
    ) % {"lead": lead_name(lead), "state": lead.get_state_display().lower()}


LEADS = MergeKind(
    model=Lead,
    merge=merge_leads,
    page_url="leads:merge",
    lookup="lead",
    selected="leads",
    plural=gettext_lazy("leads"),
    merged=_merged,
    closed_note=_closed_note,
    state=lambda lead: "" if lead.is_open else lead.get_state_display(),
    can_be_master=lambda lead: lead.is_open,
    related=("source", "campaign", "existing_account", "existing_contact"),
    list_url="leads:list",
)
lead_merge = LEADS.view
