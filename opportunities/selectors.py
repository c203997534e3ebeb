"""What the opportunity's page reads besides the opportunity itself."""

from django.utils.translation import gettext as _

from opportunities.models import Opportunity, SalesStage


def stage_steps(opportunity):
    """The opportunity's process bar: Qualify -> Develop -> Propose -> Close, the current
    stage and the earlier ones with the day each was last reached (one query: its history, a
    handful of rows), the earlier ones done. A closed opportunity ends on Won or Lost in place
    of Close."""
    reached, last = {}, None
    for stage, when in opportunity.history.order_by("history_date", "history_id").values_list(
        "sales_stage", "history_date"
    ):
        if stage != last:
            reached[stage] = when  # the latest arrival at each stage
        last = stage
    if opportunity.state == Opportunity.State.WON:
        current, closing = SalesStage.CLOSE, _("Won")
    elif opportunity.state == Opportunity.State.LOST:
        current, closing = SalesStage.CLOSE, _("Lost")
    else:
        current, closing = SalesStage(opportunity.sales_stage), SalesStage.CLOSE.label
    closed_at = opportunity.actual_close_date if not opportunity.is_open else None
    steps = []
    for stage in SalesStage:
        is_current = stage == current
        since = reached.get(stage.value) if stage <= current else None
        steps.append(
            {
                "value": stage.value,
                "label": closing if stage == SalesStage.CLOSE else stage.label,
                "current": is_current,
                "done": stage < current,
                "since": closed_at if closed_at and is_current else since,
            }
        )
    return steps
