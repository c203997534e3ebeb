"""The lead page's "Why was this lead assigned to me?" panel (crm/panels.py): the leads app
sits below routing and does not know it."""

from crm.models import Membership
from leads.routing.explain import describe
from leads.routing.models import AssignmentExplanation


def assignment_explanation(context, lead):
    """The lead page's "Why was this lead assigned to me?" panel and the Claim button.

    Queries: the latest explanation; when a team owns the lead, whether the viewer is an
    active member of that team (who may claim it)."""
    user = context["request"].user
    latest = (
        AssignmentExplanation.objects.filter(lead=lead)
        .select_related("owner_user", "owner_team", "performed_by")
        .first()
    )
    # An explanation only explains the current owner: a later assignment by hand replaces it.
    current = latest is not None and (latest.owner_user_id, latest.owner_team_id) == (
        lead.owner_user_id,
        lead.owner_team_id,
    )
    can_claim = bool(
        lead.is_open
        and user.has_perm("leads.reassign_lead")
        and lead.owner_team_id
        and Membership.objects.filter(
            team_id=lead.owner_team_id, user=user, is_active=True, team__is_active=True
        ).exists()
    )
    return {
        "lead": lead,
        "info": describe(latest) if current else None,
        "is_mine": lead.owner_user_id == user.pk,
        "can_claim": can_claim,
        "csrf_token": context.get("csrf_token"),
    }
