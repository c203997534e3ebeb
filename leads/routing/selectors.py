"""Reading the rules for their page: the list in the order they are tried."""

from leads.routing.models import AssignmentRule


def rules_for_list(user):
    """The rules `user` may change, in the order they are tried: two queries however many
    (the rules with their targets, their conditions)."""
    return (
        AssignmentRule.objects.manageable_by(user)
        .select_related("target_user", "target_team")
        .prefetch_related("conditions")
        .order_by("priority", "pk")
    )
