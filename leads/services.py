"""Every write to a lead: create, update, status changes, assignment. Each function is one
transaction; state changes lock the lead row first, so two people (or ten requests) acting on
the same lead are serialised and the second one sees the first one's result."""

import datetime
from collections.abc import Callable, Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from accounts.services import create_customer
from activities.services import delete_record
from crm.errors import DomainError, StaleRecord
from crm.history import SEPARATOR, Reason, change_reason
from crm.lib.bulk import insert_objects
from crm.models import Team, User
from crm.services import (
    changes_nothing,
    check_may_give_away,
    lock_for_update,
    save_new_version,
)
from leads import bulk
from leads.models import Campaign, Lead, LeadLink, LeadStatusChange, Qualification, State, Status
from leads.qualification import contact_values_from, plan_qualification, qualification_defaults
from leads.signals import lead_assigned, lead_created, lead_creating, lead_reassigned
from opportunities.models import Currency, Opportunity
from opportunities.services import create_opportunity

_UNCHECKED_ON_CREATE = ["owner_user", "owner_team", "created_by", "modified_by"]


def _log_status(
    lead: Lead,
    *,
    from_state: str,
    from_status: str,
    user: User,
    reason: str = "",
    changed_at: datetime.datetime | None = None,
) -> LeadStatusChange:
    entry = LeadStatusChange(
        lead=lead,
        from_state=from_state,
        from_status=from_status,
        to_state=lead.state,
        to_status=lead.status,
        changed_by=user,
        reason=reason,
        owner_user_id=lead.owner_user_id,
        owner_team_id=lead.owner_team_id,
    )
    if changed_at is not None:
        entry.changed_at = changed_at
    return entry


def _note_status_reached(lead: Lead) -> None:
    """Before a lead is saved in a status its next log entry records: remember that it
    reached Contacted (Lead.reached_contacted, what the funnel reads), once and for good."""
    if lead.status == Status.CONTACTED:
        lead.reached_contacted = True


def _append_status(entry: LeadStatusChange) -> LeadStatusChange:
    """Store the next status-log entry of a locked lead, closing the stay it ends (the
    previous entry's left_at: the log's rows are never changed otherwise)."""
    LeadStatusChange.objects.filter(lead_id=entry.lead_id, left_at__isnull=True).update(
        left_at=entry.changed_at
    )
    entry.save()
    return entry


def _copy_owner_to_status_log(lead: Lead) -> None:
    """The lead's owner changed: its status-log entries carry the new one (what the
    time-in-status report filters and groups by). An `.update()`, the log's one exception
    to append-only besides left_at."""
    LeadStatusChange.objects.filter(lead_id=lead.pk).update(
        owner_user_id=lead.owner_user_id, owner_team_id=lead.owner_team_id
    )


def _send_assigned_on_commit(
    lead: Lead, *, owner: User | Team, assigned_by: User | None, reason: str
) -> None:
    """`lead_assigned` once the transaction commits: the new owner is told about a lead that
    is really theirs (never on rollback)."""
    transaction.on_commit(
        partial(
            lead_assigned.send,
            sender=Lead,
            lead=lead,
            owner=owner,
            assigned_by=assigned_by,
            reason=reason,
        )
    )


def create_lead(
    *,
    data: dict | None = None,
    lead: Lead | None = None,
    created_by: User,
    owner: User | Team | None = None,
    route: bool = False,
    validate: bool = True,
) -> Lead:
    """Store one new lead (from `data`, a dict of field values, or an unsaved `lead`).

    With `owner` the lead is not routed (a person chose); otherwise `route=True` asks the
    routing receivers of `lead_creating` to pick the owner, and the creating user is the
    fallback. Returns the saved lead."""
    if (data is None) == (lead is None):
        raise TypeError("create_lead() takes either data= or lead=")
    if lead is None:
        lead = Lead(**data)
    if owner is not None:
        lead.owner = owner
    (saved,) = create_leads(
        leads=[lead], created_by=created_by, route=route, validate=validate, notify=True
    )
    return saved


@transaction.atomic
def create_leads(
    *,
    leads: Iterable[Lead],
    created_by: User,
    route: bool = False,
    validate: bool = True,
    change_reason: str = "",
    notify: bool = False,
) -> list[Lead]:
    """Store a batch of new, unsaved leads: the one path every entry point goes through.

    Leads that already carry an owner keep it. `lead_creating` is sent once, before the
    insert, so routing can set the owners of the others; the rest fall back to `created_by`.
    Each lead gets its first status-log entry (dated `created_at`, which imports may set).
    `validate=False` is for callers that validated every row with the lead form already.
    `notify` sends `lead_assigned` per lead after commit (single creations; an import sends
    one digest instead)."""
    leads = list(leads)
    if not leads:
        return []
    if len(leads) > 1:
        bulk.refresh_keys(leads)  # the insert below skips save()
    for lead in leads:
        if not lead._state.adding:
            raise ValueError("create_leads() only stores new leads")
        lead.stamp(created_by)
        _note_status_reached(lead)  # imported as Contacted: its first log entry says so
        if len(leads) == 1:
            lead.refresh_keys()
        if validate:
            # Constraints are checked by the database at insert; the owner is not known yet;
            # created_by / modified_by were just set from `created_by`, a stored user, so
            # checking that they exist would cost two queries per lead and prove nothing.
            lead.full_clean(exclude=_UNCHECKED_ON_CREATE, validate_constraints=False)
    # "Has an owner" read from the ids (lead.owner would go through two descriptors).
    chosen = {id(lead) for lead in leads if lead.has_owner}
    lead_creating.send(sender=Lead, leads=leads, created_by=created_by, route=route)
    for lead in leads:
        if not lead.has_owner:
            lead.owner = created_by
    if len(leads) == 1:
        if change_reason:  # as the bulk path's history copy records it
            leads[0]._change_reason = change_reason
        leads[0].save()
        LeadStatusChange.objects.bulk_create(
            [
                _log_status(
                    leads[0],
                    from_state="",
                    from_status="",
                    user=created_by,
                    reason=change_reason or Reason.CREATED,
                    changed_at=leads[0].created_at,
                )
            ]
        )
    else:
        # Multi-row INSERTs without the insert compiler's per-value work (crm.lib.bulk).
        leads = insert_objects(leads)
        bulk.copy_history_and_log(
            [lead.pk for lead in leads],
            user=created_by,
            change_reason=change_reason,
        )
    lead_created.send(sender=Lead, leads=leads, created_by=created_by, route=route)
    if notify:
        for lead in leads:
            routed = id(lead) not in chosen and route
            # Routed back to the person who typed it in (no rule matched): no e-mail about a
            # lead they have just created themselves.
            routed_to_creator = created_by is not None and lead.owner_user_id == created_by.pk
            _send_assigned_on_commit(
                lead,
                owner=lead.owner,
                assigned_by=None if routed and not routed_to_creator else created_by,
                reason="routed" if routed else "created",
            )
    return leads


@transaction.atomic
def update_lead(
    *, lead: Lead, user: User, data: dict, expected_version: int | None = None
) -> Lead:
    """Change an open lead's fields; refused for closed leads and for stale edits."""
    locked = lock_for_update(lead, expected_version=expected_version)
    locked.ensure_editable()
    if changes_nothing(locked, data):
        return locked  # no new version, no empty History entry
    owner = (locked.owner_user_id, locked.owner_team_id)
    for name, value in data.items():
        setattr(locked, name, value)
    saved = save_new_version(locked, user)
    if (saved.owner_user_id, saved.owner_team_id) != owner:  # the admin's owner fields
        _copy_owner_to_status_log(saved)
    return saved


def _change_state(
    locked: Lead, *, user: User, transition: Callable[[], object], reason: str = ""
) -> Lead:
    """Apply a guarded transition to a locked lead, save it and log it."""
    from_state, from_status = locked.state, locked.status
    transition()
    _note_status_reached(locked)
    save_new_version(locked, user, validate=False)
    _append_status(
        _log_status(
            locked, from_state=from_state, from_status=from_status, user=user, reason=reason
        )
    )
    return locked


@transaction.atomic
def set_lead_status(
    *,
    lead: Lead,
    user: User,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Lead:
    """Move an open lead between New and Contacted (e.g. after the first call)."""
    locked = lock_for_update(lead, expected_version=expected_version)
    if locked.status == status and locked.is_open:
        return locked
    return _change_state(
        locked, user=user, transition=partial(locked.set_open_status, status), reason=reason
    )


@transaction.atomic
def mark_lead_contacted(*, lead: Lead, user: User, reason: str = "") -> Lead:
    """New → Contacted, once; a no-op for leads already contacted or closed (for receivers of
    activity signals: logging a call must not fail because the lead moved on)."""
    locked = lock_for_update(lead)
    if locked.state != State.OPEN or locked.status != Status.NEW:
        return locked
    return _change_state(
        locked,
        user=user,
        transition=partial(locked.set_open_status, Status.CONTACTED),
        reason=reason,
    )


def record_first_contact(*, lead: Lead, at: datetime.datetime) -> Lead:
    """Store `at` as the lead's first contact unless an earlier one is known: one conditional
    UPDATE (no lock, no version bump: a derived fact, not an edit), so concurrent calls
    logged on the same lead keep the earliest."""
    earlier_known = Q(first_contact_at__isnull=False, first_contact_at__lte=at)
    updated = Lead.objects.filter(pk=lead.pk).exclude(earlier_known).update(first_contact_at=at)
    if updated:
        lead.first_contact_at = at
    return lead


@transaction.atomic
def reactivate_lead(
    *,
    lead: Lead,
    user: User,
    status: str = Status.NEW,
    reason: str = "",
    expected_version: int | None = None,
) -> Lead:
    """A qualified or disqualified lead returns to Open; what it produced stays linked, and
    so does `qualified_at` (its last qualification: the report's days to qualification count
    it only while the lead is qualified; its opportunity counts find ever-qualified leads)."""
    locked = lock_for_update(lead, expected_version=expected_version)
    with change_reason(Reason.REACTIVATED):
        return _change_state(
            locked,
            user=user,
            transition=partial(locked.reopen, status),
            reason=reason or Reason.REACTIVATED,
        )


def set_owner(
    lead: Lead, *, owner: User | Team, user: User, reason: str, assigned_by: User | None
) -> bool:
    """Give a locked lead to `owner` (a user or a team), stored as its next version; when the
    owner changed, `lead_assigned` tells them after commit (`reason`: "assigned", "claimed",
    "routed"; `assigned_by`: who chose, None for the rules). The one owner change of a stored
    lead: assigning by hand, claiming, re-routing and handing over all come here. Returns
    whether the owner changed."""
    lead.ensure_not_merged()  # re-routing, claiming and handing over too
    before = (lead.owner_user_id, lead.owner_team_id)
    lead.owner = owner
    save_new_version(lead, user, validate=False)
    changed = (lead.owner_user_id, lead.owner_team_id) != before
    if changed:
        _copy_owner_to_status_log(lead)
        _send_assigned_on_commit(lead, owner=owner, assigned_by=assigned_by, reason=reason)
    return changed


@transaction.atomic
def assign_lead(
    *,
    lead: Lead,
    user: User,
    owner: User | Team | None,
    expected_version: int | None = None,
) -> Lead:
    """Give the lead to a user or a team (by hand: the routing rules are not asked)."""
    if owner is None:
        raise DomainError(_("Choose a user or a team."))
    locked = lock_for_update(lead, expected_version=expected_version)
    locked.ensure_not_merged()
    if locked.owner == owner:
        return locked
    check_may_give_away(locked, user)
    set_owner(locked, owner=owner, user=user, reason="assigned", assigned_by=user)
    lead_reassigned.send(sender=Lead, lead=locked, owner=owner, assigned_by=user)
    return locked


# Qualification ------------------------------------------------------------------------------


def _create_record(
    model: type[Account | Contact | Opportunity], values: dict, *, lead: Lead, user: User
) -> Account | Contact | Opportunity:
    """An account, contact or opportunity made from `lead`, owned by the lead's owner (a rep
    or a team, copied by id: no query), through its own app's create service. Its foreign
    keys are the lead's, the user's or records just loaded or created, so only its field
    values are validated (plan_qualification checked them first, to say what to correct)."""
    record = model(**values)
    record.owner_user_id, record.owner_team_id = lead.owner_user_id, lead.owner_team_id
    with change_reason(Reason.FROM_QUALIFIED_LEAD):
        if model is Opportunity:
            return create_opportunity(opportunity=record, user=user, known_relations=True)
        return create_customer(record=record, user=user, known_relations=True)


@transaction.atomic
def qualify_lead(
    *,
    lead: Lead,
    user: User,
    expected_version: int | str | None = None,
    create_account: bool = False,
    create_contact: bool = False,
    create_opportunity: bool = False,
    existing_opportunity: Opportunity | None = None,
    account: Account | None = None,
    contact: Contact | None = None,
    opportunity_customer: Account | Contact | None = None,
    currency: Currency | None = None,
    source_campaign: Campaign | None = None,
    status: str | None = Status.QUALIFIED,
    skip_missing: bool = False,
    add_estimated_value: bool = False,
) -> Qualification:
    """QualifyLead: create (or use) account, contact and opportunity, all or nothing.

    The lead row is locked first: of concurrent requests one qualifies, the others then see
    a qualified lead and are refused. The options are plan_qualification's. Returns the
    Qualification; `qualification.created_records` lists what was created.

    `add_estimated_value` with an existing opportunity adds the lead's estimated value to
    it (a new version of the opportunity, under its row lock); `qualification.value_added`
    is (added, before, after), or None."""
    locked = lock_for_update(lead)
    from_state, from_status = locked.state, locked.status
    # The state before the version: the second of two clicks (or of two tabs) is told the
    # lead is already qualified, not that someone changed it (the qualification did).
    locked.mark_qualified()
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleRecord(locked)
    plan = plan_qualification(
        lead=locked,
        user=user,
        create_account=create_account,
        create_contact=create_contact,
        create_opportunity=create_opportunity,
        existing_opportunity=existing_opportunity,
        account=account,
        contact=contact,
        opportunity_customer=opportunity_customer,
        currency=currency,
        source_campaign=source_campaign,
        status=status,
        skip_missing=skip_missing,
        add_estimated_value=add_estimated_value,
    )
    qualification = Qualification(
        lead=locked,
        performed_by=user,
        performed_at=locked.qualified_at,  # the same instant on both rows
        options=plan.options,
        source_campaign=plan.source_campaign,
    )
    account = plan.account
    if plan.account_values is not None:
        account = _create_record(Account, plan.account_values, lead=locked, user=user)
        qualification.created_account = True
    contact = plan.contact
    if plan.contact_values is not None:
        values = {**plan.contact_values, "account": account}
        contact = _create_record(Contact, values, lead=locked, user=user)
        qualification.created_contact = True
    opportunity = plan.opportunity
    if plan.opportunity_values is not None:
        customer = plan.customer
        if plan.customer_is_new:
            customer = account if plan.customer_kind == "account" else contact
        values = {**plan.opportunity_values, "account": None, "contact": None}
        values[customer._meta.model_name] = customer
        if isinstance(customer, Account) and plan.contact_values is not None:
            values["parent_contact"] = contact
        opportunity = _create_record(Opportunity, values, lead=locked, user=user)
        qualification.created_opportunity = True
    qualification.value_added = None
    if plan.value_added is not None:
        opportunity, qualification.value_added = _add_estimated_value(
            opportunity, lead=locked, user=user
        )
        qualification.options = {
            **qualification.options,
            "value_added": [str(value) for value in qualification.value_added],
        }
    qualification.account, qualification.contact = account, contact
    qualification.opportunity = opportunity
    qualification.save()
    if opportunity is not None:
        fresh = qualification.created_opportunity or qualification.value_added is not None
        _note_opportunity_reached(locked, opportunity, fresh=fresh)

    created = [
        reason
        for made, reason in (
            (qualification.created_account, Reason.ACCOUNT_CREATED),
            (qualification.created_contact, Reason.CONTACT_CREATED),
            (qualification.created_opportunity, Reason.OPPORTUNITY_CREATED),
        )
        if made
    ]
    with change_reason(Reason.QUALIFIED), change_reason(SEPARATOR.join(created)):
        save_new_version(locked, user, validate=False)
    _append_status(
        _log_status(
            locked,
            from_state=from_state,
            from_status=from_status,
            user=user,
            reason=Reason.QUALIFIED,
        )
    )
    return qualification


def _note_opportunity_reached(lead: Lead, opportunity: Opportunity, *, fresh: bool) -> None:
    """Before the qualified lead is saved: it reached an opportunity, and a won one if this one
    is won (Lead.reached_opportunity, reached_won: the funnel's last steps). An existing
    opportunity's state is read under its row lock (`fresh`: created or locked here already):
    a close at the same moment waits for this qualification, and its receiver then sees it."""
    state = opportunity.state
    if not fresh:
        locked = Opportunity.objects.select_for_update().filter(pk=opportunity.pk)
        state = locked.values_list("state", flat=True).get()
    lead.reached_opportunity = True
    lead.reached_won = lead.reached_won or state == Opportunity.State.WON


def note_opportunity_outcome(*, opportunity: Opportunity, deleted: bool = False) -> int:
    """The opportunity closed, reopened or is being deleted (`deleted`: it no longer counts):
    store again whether each of its source leads reached an opportunity and a won one (one of
    the lead's others may still be won). One UPDATE of those few rows, without a new version:
    a fact the reports read, not an edit."""
    links = Qualification.objects.filter(
        lead=OuterRef("pk"), kind=Qualification.Kind.QUALIFIED, opportunity__isnull=False
    )
    if deleted:
        links = links.exclude(opportunity=opportunity)
    sources = Qualification.objects.filter(opportunity=opportunity).values("lead_id")
    return Lead.objects.filter(pk__in=sources).update(
        reached_opportunity=Exists(links),
        reached_won=Exists(links.filter(opportunity__state=Opportunity.State.WON)),
    )


def _add_estimated_value(
    opportunity: Opportunity, *, lead: Lead, user: User
) -> tuple[Opportunity, tuple]:
    """Add the lead's estimated value to the opportunity's. Locked and re-read: two leads
    qualified into one opportunity at once both count, neither overwrites the other."""
    locked = lock_for_update(opportunity)
    before = locked.estimated_value or 0
    locked.estimated_value = before + lead.estimated_value
    locked._change_reason = _("Estimated value of lead %(lead)s added") % {"lead": lead}
    # Only the value changed: validate it alone (its digits), not every foreign key again.
    others = [f.name for f in Opportunity._meta.fields if f.name != "estimated_value"]
    locked.clean_fields(exclude=others)
    save_new_version(locked, user, validate=False)
    return locked, (lead.estimated_value, before, locked.estimated_value)


@transaction.atomic
def disqualify_lead(
    *,
    lead: Lead,
    user: User,
    status: str,
    note: str = "",
    keep_contact: bool = False,
    expected_version: int | None = None,
) -> Lead:
    """Close the lead with one of the four reasons; optionally keep the person as a contact
    (parent: the lead's existing account). Returns the lead."""
    locked = lock_for_update(lead, expected_version=expected_version)
    with change_reason(Reason.DISQUALIFIED):
        _change_state(
            locked,
            user=user,
            transition=partial(locked.mark_disqualified, status),
            reason=note,
        )
    if keep_contact:
        if not locked.can_make_contact:
            raise DomainError(
                _("A contact needs a last name: enter the lead's last name to keep the contact.")
            )
        if locked.existing_contact_id:
            raise DomainError(_("This lead's person is already a contact."))
        values = contact_values_from(locked, account=locked.existing_account)
        contact = _create_record(Contact, values, lead=locked, user=user)
        Qualification.objects.create(
            lead=locked,
            kind=Qualification.Kind.KEPT_CONTACT,
            performed_by=user,
            options={"keep_contact": True, "status": status},
            account=locked.existing_account,
            contact=contact,
            created_contact=True,
        )
    return locked


# Associations (Dynamics' Associate / Disassociate on accountleads and contactleads) ---------


def _link_target(account: Account | None, contact: Contact | None, user: User) -> dict:
    if (account is None) == (contact is None):
        raise DomainError(_("Choose an account or a contact."))
    target = account or contact
    target.ensure_not_merged()
    if not target.is_visible_to(user):
        raise DomainError(_("You cannot see %(record)s.") % {"record": target})
    return {"account": account} if account is not None else {"contact": contact}


@transaction.atomic
def associate_lead(
    *, lead: Lead, user: User, account: Account | None = None, contact: Contact | None = None
) -> LeadLink:
    """Link the lead to an account or a contact; linking twice is a no-op. Allowed on closed
    leads too: a link is a relationship, not a change of the lead's fields."""
    target = _link_target(account, contact, user)
    locked = lock_for_update(lead)
    locked.ensure_not_merged()
    link, _created = LeadLink.objects.get_or_create(
        lead=locked, **target, defaults={"linked_by": user}
    )
    return link


@transaction.atomic
def disassociate_lead(
    *, lead: Lead, user: User, account: Account | None = None, contact: Contact | None = None
) -> None:
    """Remove a link; removing a link that does not exist is refused with a message."""
    target = _link_target(account, contact, user)
    locked = lock_for_update(lead)
    locked.ensure_not_merged()
    deleted, _rows = LeadLink.objects.filter(lead=locked, **target).delete()
    if not deleted:
        raise DomainError(
            _("This lead is not linked to %(record)s.") % {"record": account or contact}
        )


# Bulk actions: each lead in its own transaction, so one refused lead does not undo the rest.


def _for_each[T](
    leads: Iterable[Lead], action: Callable[[Lead], T]
) -> tuple[list[T], list[tuple[Lead, str]]]:
    done, refused = [], []
    for lead in leads:
        try:
            done.append(action(lead))
        except DomainError as error:
            refused.append((lead, str(error)))
        except ValidationError as error:  # a stored value a record made from it would refuse
            refused.append((lead, " ".join(error.messages)))
    return done, refused


def qualify_leads(
    *, leads: Iterable[Lead], user: User
) -> tuple[list[Qualification], list[tuple[Lead, str]]]:
    """Bulk qualify with the organisation's default options. A record a lead cannot make (an
    account without a company name, a contact without a last name) is skipped, as Dynamics
    does: `qualification.options["skipped"]` names it. Returns (qualifications, refused)."""
    options = qualification_defaults()
    with change_reason(Reason.BULK_QUALIFICATION):
        return _for_each(
            leads, lambda lead: qualify_lead(lead=lead, user=user, skip_missing=True, **options)
        )


def disqualify_leads(
    *, leads: Iterable[Lead], user: User, status: str, note: str = ""
) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    with change_reason(Reason.BULK_STATUS):
        return _for_each(
            leads, lambda lead: disqualify_lead(lead=lead, user=user, status=status, note=note)
        )


def assign_leads(
    *, leads: Iterable[Lead], user: User, owner: User | Team | None
) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    with change_reason(Reason.BULK_ASSIGNMENT):
        return _for_each(leads, lambda lead: assign_lead(lead=lead, user=user, owner=owner))


def lead_deletion_refusal(lead: Lead) -> str:
    """Why `lead` may not be deleted (activities.services.delete_record's check), or ""."""
    if not lead.is_open:
        return _("Qualified and disqualified leads are never deleted: the reports count them.")
    if lead.qualifications.exists():
        return _("This lead was qualified once and its records came from it: it stays.")
    return ""


def customer_deletion_refusal(record: Account | Contact | Opportunity) -> str:
    """A customer or an opportunity a qualified lead made or points at stays: the lead
    source and funnel reports must stay true."""
    field = record._meta.model_name  # account, contact or opportunity
    made = Qualification.objects.filter(**{field: record})
    pointing = Q(state=State.QUALIFIED) & Q(**{f"existing_{field}": record})
    if made.exists() or (field != "opportunity" and Lead.objects.filter(pointing).exists()):
        return _("A qualified lead made this record or points at it: it stays for the reports.")
    return ""


@transaction.atomic
def delete_lead(*, lead: Lead, user: User, reason: str) -> None:
    """Delete an open lead made by mistake (administrators: leads.delete_lead), with its
    activities and notes; refused for a qualified or disqualified lead (the check
    registered in leads/apps.py, asked of the locked row)."""
    delete_record(record=lead, user=user, reason=reason)
