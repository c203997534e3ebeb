"""Routing's part of the lead list (leads/actions.py): the bulk "Claim", the "Apply routing
rules" button and each row's Claim button."""

from django.contrib import messages
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from crm.models import team_ids_of
from leads.actions import (
    BulkAction,
    RowExtra,
    register_automatic_owner,
    register_bulk_action,
    register_bulk_button,
    register_owner_preview,
    register_row_extra,
)
from leads.models import State
from leads.routing import services
from leads.routing.models import AssignmentRule


def claim_selected(request, leads):
    """The bulk Claim: takes the ticked leads from the user's team queues, and says which it
    could not take and why."""
    done, refused = services.claim_leads(leads=leads, user=request.user)
    text = ngettext("Claimed %(n)s lead.", "Claimed %(n)s leads.", len(done))
    messages.success(request, text % {"n": len(done)})
    for note in claim_refusals(refused):
        messages.warning(request, note)


def claim_refusals(refused):
    """The bulk Claim's refusals grouped: one line per teammate who took leads first, one for
    leads outside the user's teams, one for closed leads; each line names its leads."""
    Refused = services.ClaimRefused
    groups = {}
    for lead, error in refused:
        key = (error.reason, error.owner.pk if error.owner else None)
        groups.setdefault(key, (error.owner, []))[1].append(str(lead))
    notes = []
    for (reason, _owner_pk), (owner, names) in groups.items():
        if reason == Refused.TAKEN:
            text = ngettext(
                "%(n)s already taken by %(owner)s: %(leads)s.",
                "%(n)s already taken by %(owner)s: %(leads)s.",
                len(names),
            )
        elif reason == Refused.NOT_MEMBER:
            text = ngettext(
                "%(n)s not in your teams: %(leads)s.",
                "%(n)s not in your teams: %(leads)s.",
                len(names),
            )
        else:
            text = ngettext(
                "%(n)s closed, not claimed: %(leads)s.",
                "%(n)s closed, not claimed: %(leads)s.",
                len(names),
            )
        notes.append(text % {"n": len(names), "owner": owner, "leads": ", ".join(names)})
    return notes


def claimable(user):
    """The row's Claim button: an open lead in the queue of one of the viewer's active teams.
    The viewer's team ids are read once per request (crm.models.scope_of), not per row; the
    list computes it for the rows of the page only."""
    return {
        "can_claim": ExpressionWrapper(
            Q(state=State.OPEN, owner_team_id__in=team_ids_of(user)),
            output_field=BooleanField(),
        )
    }


def active_rule_exists():
    return AssignmentRule.objects.filter(is_active=True).exists()


def register():
    # Claim chooses among the leads the user sees: one a teammate took since the list was
    # shown is no longer the user's to change, yet is reported ("already taken by …").
    register_bulk_action(
        BulkAction(
            key="claim",
            label=_("Claim (from my team queues)"),
            run=claim_selected,
            pick="visible",
            permission="leads.reassign_lead",
        )
    )
    register_automatic_owner(active_rule_exists)
    register_owner_preview(services.preview_owners)
    register_bulk_button("routing/_apply_button.html")
    register_row_extra(RowExtra(template="routing/_claim_row.html", annotate=claimable))
