"""Reactions to other apps' events (connected in LeadsConfig.ready())."""

from activities.models import Activity
from leads.models import Lead
from leads.services import mark_lead_contacted, note_opportunity_outcome, record_first_contact

LOGGED = {Activity.Kind.PHONE_CALL: "Phone call logged: ", Activity.Kind.EMAIL: "E-mail logged: "}


def contact_made(sender, activity, regarding, user, **kwargs):
    """A completed call or e-mail on a New lead makes it Contacted (logged, once), and on any
    lead is its first contact unless an earlier one is stored (the reports read it). An
    e-mail the lead sent us is not: nobody has contacted them yet."""
    received = (
        activity.kind == Activity.Kind.EMAIL and activity.direction == Activity.Direction.INCOMING
    )
    if isinstance(regarding, Lead) and not received:
        mark_lead_contacted(
            lead=regarding,
            user=user,
            # Stored in English, shown in the reader's language (crm/history.py).
            reason=f"{LOGGED.get(activity.kind, '')}{activity.subject}",
        )
        record_first_contact(lead=regarding, at=activity.closed_at)


def opportunity_outcome_changed(sender, opportunity, **kwargs):
    """An opportunity closed (won or lost) or reopened: its source leads' funnel facts."""
    note_opportunity_outcome(opportunity=opportunity)


def opportunity_deleting(sender, instance, **kwargs):
    """pre_delete: a deleted opportunity no longer counts in its source leads' funnel facts
    (their qualifications keep no link to it)."""
    note_opportunity_outcome(opportunity=instance, deleted=True)
