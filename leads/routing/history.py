"""A rule's history in words: its own rows (crm.history) with its conditions' changes, which
live in their own history table, shown as changes of the rule."""

from django.utils.translation import gettext as _

from crm.history import (
    EMPTY,
    KIND_CHANGED,
    Change,
    Entry,
    describe_reason,
    history_page,
    kind_label,
)
from leads.routing.models import AssignmentCondition


def _text(row):
    return str(row.instance) if row is not None else EMPTY


def condition_entries(rule, *, user, newest, oldest):
    """crm.history entries source: one entry per change of one of the rule's conditions
    ("Condition: Country equals Denmark → Country equals Norway"), one query."""
    rows = (
        AssignmentCondition.history.filter(rule_id=rule.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries, previous = [], {}
    for row in rows:
        before, previous[row.id] = previous.get(row.id), row
        if (newest and row.history_date > newest) or (oldest and row.history_date < oldest):
            continue
        if row.history_type == "+":
            old, new = EMPTY, _text(row)
        elif row.history_type == "-":
            old, new = _text(row), EMPTY
        else:
            old, new = _text(before), _text(row)
        entry = Entry(
            when=row.history_date,
            who=str(row.history_user) if row.history_user_id else _("System"),
            kind=KIND_CHANGED,
            kind_label=kind_label(KIND_CHANGED),
            reason=describe_reason(row.history_change_reason),
            changes=[Change(_("Condition"), old, new)],
        )
        entry.of_condition = True
        entries.append(entry)
    return entries


def rule_history(rule, *, user):
    """The rule's history page (newest first) with each condition change folded into the
    rule's own entry of the same save (services.save_rule gives them one date)."""
    page = history_page(rule, user=user)
    by_save, shown = {}, []
    for entry in page.entries:
        if not getattr(entry, "of_condition", False):
            by_save[(entry.when, entry.who)] = entry
    for entry in page.entries:
        own = by_save.get((entry.when, entry.who))
        if getattr(entry, "of_condition", False) and own is not None:
            own.changes.extend(entry.changes)
        else:
            shown.append(entry)
    page.entries = shown
    return page
