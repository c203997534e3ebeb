"""Merging leads (Dynamics' Merge message): the service of the records it merges, on the
engine of activities/merge.py.

The master must be open (a qualified or disqualified lead is read-only). An open lead merged
into it becomes Disqualified with the status reason Canceled, as Dynamics does; a qualified
or disqualified one keeps its state and its qualifications (only its items move). Every
merged lead keeps its own status log and history, and points to the master (`merged_into`).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.merge import (
    MergeRefused,
    MergeRules,
    MovedItems,
    may_undo,
    merge_preview,
    merge_records,
    mergeable_fields,
    merged_into_master,
    merged_into_reason,
    register_builtin_moves,
    register_merge_rules,
    register_moved_items,
    undo_merge,
    unmerged_reason,
)
from activities.models import RecordMerge
from crm.models import User
from crm.services import save_new_version
from leads.models import Lead, Status

__all__ = [
    "lead_name",
    "merge_leads",
    "undo_merge",
    "may_undo",
    "merge_preview",
    "mergeable_fields",
    "merged_into_master",
]


def lead_name(lead: Lead) -> str:
    """A lead on the merge screens and its timeline: the person and the company, as the lead
    list shows them ("Ida Holm (Holm A/S)"); the topic when it has neither."""
    person, company = lead.full_name, lead.company_name
    if person and company:
        return _("%(person)s (%(company)s)") % {"person": person, "company": company}
    return person or company or lead.display_topic


def _check_master(master: Lead) -> None:
    if not master.is_open:
        raise MergeRefused(
            _(
                "The master must be an open lead: %(lead)s is %(state)s and read-only. Choose "
                "an open lead as the master; a qualified or disqualified lead can be merged "
                "into it (only its items move)."
            )
            % {"lead": master, "state": master.get_state_display().lower()}
        )


def _absorb(master: Lead, others: list[Lead]) -> dict:
    """The master gets the others' calls and e-mails: the funnel's facts follow (the first
    contact, whether it reached Contacted)."""
    from_pk = {}
    for other in others:
        first = other.first_contact_at
        if first is not None and (
            master.first_contact_at is None or first < master.first_contact_at
        ):
            master.first_contact_at = first
            from_pk["first_contact_at"] = other.pk
        if other.reached_contacted and not master.reached_contacted:
            master.reached_contacted = True
            from_pk["reached_contacted"] = other.pk
    return from_pk


def _log(lead: Lead, *, user: User, from_state: str, from_status: str, reason: str) -> None:
    from leads.services import _append_status, _log_status

    _append_status(
        _log_status(lead, from_state=from_state, from_status=from_status, user=user, reason=reason)
    )


def _retire(lead: Lead, *, user: User, master: Lead) -> None:
    """An open lead is Disqualified / Canceled (with a status-log entry); a closed one keeps
    its state. Either way its next version points to the master."""
    from_state, from_status = lead.state, lead.status
    if lead.is_open:
        lead.mark_disqualified(Status.CANCELED)
    save_new_version(lead, user, validate=False)
    if lead.state != from_state or lead.status != from_status:
        _log(
            lead,
            user=user,
            from_state=from_state,
            from_status=from_status,
            reason=merged_into_reason(master.pk),
        )


def _reinstate(lead: Lead, *, user: User, before: dict, master: Lead) -> None:
    from_state, from_status = lead.state, lead.status
    lead.state = before.get("state", lead.state)
    lead.status = before.get("status", lead.status)
    save_new_version(lead, user, validate=False)
    if lead.state != from_state or lead.status != from_status:
        _log(
            lead,
            user=user,
            from_state=from_state,
            from_status=from_status,
            reason=unmerged_reason(master.pk),
        )


def register() -> None:
    """From LeadsConfig.ready(): leads are mergeable; their activities, notes, inquiries and
    links to accounts and contacts move with them (a link the master has already stays)."""
    register_merge_rules(
        "leads.Lead",
        MergeRules(
            state_fields=("state", "status"),
            check_master=_check_master,
            retire=_retire,
            reinstate=_reinstate,
            absorb=_absorb,
            name=lead_name,
        ),
    )
    register_builtin_moves("leads.Lead")
    register_moved_items(
        MovedItems(
            key="links",
            label=gettext_lazy("Links to accounts and contacts"),
            merged="leads.Lead",
            model="leads.LeadLink",
            field="lead",
            unique_with=("account", "contact"),
        )
    )
    # A merged account's or contact's leads: its links and the leads that came from it.
    for merged, field, label in (
        ("accounts.Account", "account", gettext_lazy("Lead links")),
        ("accounts.Contact", "contact", gettext_lazy("Lead links")),
    ):
        register_moved_items(
            MovedItems(
                key="lead_links",
                label=label,
                merged=merged,
                model="leads.LeadLink",
                field=field,
                unique_with=("lead",),
            )
        )
    for merged, field in (
        ("accounts.Account", "existing_account"),
        ("accounts.Contact", "existing_contact"),
    ):
        register_moved_items(
            MovedItems(
                key="customer_leads",
                label=gettext_lazy("Leads of the existing customer"),
                merged=merged,
                model="leads.Lead",
                field=field,
            )
        )


def merge_leads(
    *,
    user: User,
    master: Lead,
    others: list[Lead],
    take: dict | None = None,
    versions: dict | None = None,
) -> RecordMerge:
    """Merge up to two leads (`others`) into the open lead `master`, in one transaction with
    every row locked: per field the value of the lead `take` names ({field name: lead pk},
    default the master's), every activity, note, inquiry, link and web submission moved to
    the master, the others retired (see the module docstring). `versions` ({pk: version})
    refuses a stale page (StaleRecord). The user must be able to edit every lead
    (MergeForbidden); other refusals are MergeRefused / MergeConflict (DomainErrors)."""
    if not all(isinstance(lead, Lead) for lead in (master, *others)):
        raise MergeRefused(_("Only leads can be merged here."))
    return merge_records(user=user, master=master, others=others, take=take, versions=versions)
