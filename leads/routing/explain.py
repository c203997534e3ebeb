"""Explanations (stored rows or preview decisions) in the words the lead page shows."""

from django.utils.translation import gettext_lazy as _

from leads.routing import engine, services
from leads.routing.models import AssignmentExplanation, Distribution

STATUS_LABELS = {
    engine.CHOSEN: _("got the lead"),
    engine.AVAILABLE: _("available, not next in turn"),
    engine.AWAY: _("away"),
    engine.INACTIVE: _("user inactive"),
    engine.MEMBERSHIP_INACTIVE: _("membership inactive"),
    engine.AT_CAPACITY: _("at capacity"),
    engine.EXCLUDED: _("leaving: skipped"),
    services.TEAM_INACTIVE: _("the team is inactive"),
    services.NOBODY_AVAILABLE: _("nobody in the team could take it"),
}


def _candidates(rows):
    return [
        {
            "name": row.get("name", ""),
            "status": row.get("status", ""),
            "label": STATUS_LABELS.get(row.get("status"), row.get("status")),
            "open_leads": row.get("open_leads"),
            "chosen": row.get("status") == engine.CHOSEN,
        }
        for row in rows
    ]


def describe(item):
    """A dict for templates from an AssignmentExplanation or a services.Decision."""
    if isinstance(item, AssignmentExplanation):
        rule_name, outcome_label = item.rule_name, item.get_outcome_display()
        kind_label, created_at, performed_by = (
            item.get_kind_display(),
            item.created_at,
            item.performed_by,
        )
    else:
        rule_name = item.rule.name if item.rule else ""
        outcome_label = AssignmentExplanation.Outcome(item.outcome).label
        kind_label, created_at, performed_by = "", None, None
    distribution = Distribution(item.distribution).label if item.distribution else ""
    return {
        "kind": getattr(item, "kind", ""),
        "kind_label": kind_label,
        "outcome": item.outcome,
        "outcome_label": outcome_label,
        "rule_name": rule_name,
        "distribution_label": distribution,
        "owner": item.owner,
        "candidates": _candidates(item.candidates),
        "passed_over": [
            {
                "name": row.get("name", ""),
                "label": STATUS_LABELS.get(row.get("reason"), row.get("reason")),
                "candidates": _candidates(row.get("candidates", [])),
            }
            for row in item.passed_over
        ],
        "created_at": created_at,
        "performed_by": performed_by,
    }
