"""Every write to a lead: create, update, status changes, assignment. Each function is one
transaction; state changes lock the lead row first, so two people (or ten requests) acting on
the same lead are serialised and the second one sees the first one's result."""

from dataclasses import dataclass, field
from functools import partial

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Account, Contact
from accounts.services import create_customer
from crm.errors import DomainError, StaleRecord
from crm.lib import duplicates
from crm.lib.bulk import insert_objects
from crm.services import lock_for_update, save_new_version
from leads.models import (
    Campaign,
    Lead,
    LeadLink,
    LeadStatusChange,
    Qualification,
    QualificationSettings,
    State,
    Status,
)
from leads.signals import lead_assigned, lead_created, lead_creating, lead_reassigned
from opportunities.models import Currency, Opportunity
from opportunities.services import create_opportunity

_UNCHECKED_ON_CREATE = ["owner_user", "owner_team", "created_by", "modified_by"]


def _log_status(lead, *, from_state, from_status, user, reason="", changed_at=None):
    entry = LeadStatusChange(
        lead=lead,
        from_state=from_state,
        from_status=from_status,
        to_state=lead.state,
        to_status=lead.status,
        changed_by=user,
        reason=reason,
    )
    if changed_at is not None:
        entry.changed_at = changed_at
    return entry


def _copy_history_and_log(pks, *, user, change_reason):
    """The "+" history rows and first status-log entries of freshly inserted leads, copied
    from the stored rows by the database (INSERT ... SELECT, one statement per 500 leads).

    Same rows as simple_history's bulk_create_with_history and a bulk_create of
    LeadStatusChange, but without building two more model instances per lead: imports of
    100,000 leads spent most of their time there (bench/import_bench.py)."""
    history = Lead.history.model
    quote = connection.ops.quote_name
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    history_columns = ", ".join(quote(c) for c in copied)
    insert_history = (
        f"INSERT INTO {quote(history._meta.db_table)} ({history_columns}, history_date, "
        f"history_change_reason, history_type, history_user_id) "
        f"SELECT {history_columns}, %s, %s, '+', %s FROM {quote(Lead._meta.db_table)} "
    )
    insert_log = (
        f"INSERT INTO {quote(LeadStatusChange._meta.db_table)} (lead_id, from_state, "
        f"from_status, to_state, to_status, changed_by_id, changed_at, reason) "
        f"SELECT id, '', '', state, status, %s, created_at, %s "
        f"FROM {quote(Lead._meta.db_table)} "
    )
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    # PostgreSQL takes every id as one array (one statement per table, however many leads);
    # SQLite a list of placeholders (at most 500: it limits the parameters of a statement).
    size = len(pks) if connection.vendor == "postgresql" else 500
    with connection.cursor() as cursor:
        for start in range(0, len(pks), size):
            chunk = pks[start : start + size]
            if connection.vendor == "postgresql":
                where, ids = "WHERE id = ANY(%s)", [chunk]
            else:
                where, ids = f"WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            cursor.execute(insert_history + where, [now, change_reason or None, user_id, *ids])
            cursor.execute(insert_log + where, [user_id, change_reason or _("Created"), *ids])


_BATCH_KEYS = {"email_key", "phone_key", "name_key", "company_key"}


def _refresh_keys(leads):
    """`Lead.refresh_keys()` for a batch (the same keys: test_services compares them), each
    distinct name, company and phone number normalised once: files repeat companies, and
    normalising them was a tenth of an import's time."""
    if set(Lead.KEY_FIELDS) != _BATCH_KEYS:  # a key this function does not know yet
        for lead in leads:
            lead.refresh_keys()
        return
    person, company = {}, {}
    for lead in leads:
        lead.email_key = duplicates.normalise_email(lead.email)[:100]
        lead.phone_key = duplicates.normalise_phone(lead.business_phone or lead.mobile_phone)[:20]
        names = (lead.first_name, lead.last_name)
        try:
            lead.name_key = person[names]
        except KeyError:
            lead.name_key = person[names] = duplicates.person_key(*names)[:110]
        try:
            lead.company_key = company[lead.company_name]
        except KeyError:
            key = duplicates.company_key(lead.company_name)[:160]
            lead.company_key = company[lead.company_name] = key


def _has_owner(lead):
    return lead.owner_user_id is not None or lead.owner_team_id is not None


def _send_assigned_on_commit(lead, *, owner, assigned_by, reason):
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


def create_lead(*, data=None, lead=None, created_by, owner=None, route=False, validate=True):
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
def create_leads(*, leads, created_by, route=False, validate=True, change_reason="", notify=False):
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
        _refresh_keys(leads)  # the insert below skips save()
    for lead in leads:
        if not lead._state.adding:
            raise ValueError("create_leads() only stores new leads")
        lead.stamp(created_by)
        if len(leads) == 1:
            lead.refresh_keys()
        if validate:
            # Constraints are checked by the database at insert; the owner is not known yet;
            # created_by / modified_by were just set from `created_by`, a stored user, so
            # checking that they exist would cost two queries per lead and prove nothing.
            lead.full_clean(exclude=_UNCHECKED_ON_CREATE, validate_constraints=False)
    # "Has an owner" read from the ids (lead.owner would go through two descriptors).
    chosen = {id(lead) for lead in leads if _has_owner(lead)}
    lead_creating.send(sender=Lead, leads=leads, created_by=created_by, route=route)
    for lead in leads:
        if not _has_owner(lead):
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
                    reason=change_reason or _("Created"),
                    changed_at=leads[0].created_at,
                )
            ]
        )
    else:
        # Multi-row INSERTs without the insert compiler's per-value work (crm.lib.bulk).
        leads = insert_objects(leads)
        _copy_history_and_log(
            [lead.pk for lead in leads],
            user=created_by,
            change_reason=change_reason,
        )
    lead_created.send(sender=Lead, leads=leads, created_by=created_by, route=route)
    if notify:
        for lead in leads:
            routed = id(lead) not in chosen and route
            _send_assigned_on_commit(
                lead,
                owner=lead.owner,
                assigned_by=None if routed else created_by,
                reason="routed" if routed else "created",
            )
    return leads


@transaction.atomic
def update_lead(*, lead, user, data, expected_version=None):
    """Change an open lead's fields; refused for closed leads and for stale edits."""
    locked = lock_for_update(lead, expected_version=expected_version)
    locked.ensure_editable()
    for name, value in data.items():
        setattr(locked, name, value)
    return save_new_version(locked, user)


def _change_state(locked, *, user, transition, reason=""):
    """Apply a guarded transition to a locked lead, save it and log it."""
    from_state, from_status = locked.state, locked.status
    transition()
    locked.version += 1
    locked.stamp(user)
    locked.save()
    _log_status(
        locked, from_state=from_state, from_status=from_status, user=user, reason=reason
    ).save()
    return locked


@transaction.atomic
def set_lead_status(*, lead, user, status, reason="", expected_version=None):
    """Move an open lead between New and Contacted (e.g. after the first call)."""
    locked = lock_for_update(lead, expected_version=expected_version)
    if locked.status == status and locked.is_open:
        return locked
    return _change_state(
        locked, user=user, transition=partial(locked.set_open_status, status), reason=reason
    )


@transaction.atomic
def mark_lead_contacted(*, lead, user, reason=""):
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


def record_first_contact(*, lead, at):
    """Store `at` as the lead's first contact unless an earlier one is known: one conditional
    UPDATE (no lock, no version bump: a derived fact, not an edit), so concurrent calls
    logged on the same lead keep the earliest."""
    earlier_known = Q(first_contact_at__isnull=False, first_contact_at__lte=at)
    updated = Lead.objects.filter(pk=lead.pk).exclude(earlier_known).update(first_contact_at=at)
    if updated:
        lead.first_contact_at = at
    return lead


@transaction.atomic
def reactivate_lead(*, lead, user, status=Status.NEW, reason="", expected_version=None):
    """A qualified or disqualified lead returns to Open; what it produced stays linked, and
    so does `qualified_at` (its last qualification: the report's days to qualification count
    it only while the lead is qualified; its opportunity counts find ever-qualified leads)."""
    locked = lock_for_update(lead, expected_version=expected_version)
    return _change_state(
        locked,
        user=user,
        transition=partial(locked.reopen, status),
        reason=reason or _("Reactivated"),
    )


@transaction.atomic
def assign_lead(*, lead, user, owner, expected_version=None):
    """Give the lead to a user or a team (by hand: the routing rules are not asked)."""
    if owner is None:
        raise DomainError(_("Choose a user or a team."))
    locked = lock_for_update(lead, expected_version=expected_version)
    if locked.owner == owner:
        return locked
    locked.owner = owner
    locked.version += 1
    locked.stamp(user)
    locked.save()
    lead_reassigned.send(sender=Lead, lead=locked, owner=owner, assigned_by=user)
    _send_assigned_on_commit(locked, owner=owner, assigned_by=user, reason="assigned")
    return locked


# Qualification ------------------------------------------------------------------------------


def account_values_from(lead):
    """Lead → account field mapping (Dynamics' account_originating_lead mapping)."""
    return {
        "name": lead.company_name,
        "website": lead.website,
        "phone": lead.business_phone,
        "industry": lead.industry,
        "annual_revenue": lead.annual_revenue,
        "number_of_employees": lead.number_of_employees,
        "street": lead.street,
        "city": lead.city,
        "state_or_province": lead.state_province,
        "postal_code": lead.postal_code,
        "country": lead.country,
    }


def contact_values_from(lead, *, account=None):
    """Lead → contact field mapping; the parent account is the new or existing account."""
    return {
        "salutation": lead.salutation,
        "first_name": lead.first_name,
        "middle_name": lead.middle_name,
        "last_name": lead.last_name,
        "job_title": lead.job_title,
        "email": lead.email,
        "business_phone": lead.business_phone,
        "mobile_phone": lead.mobile_phone,
        "preferred_contact_method": lead.preferred_contact_method,
        "do_not_email": lead.do_not_email,
        "do_not_phone": lead.do_not_phone,
        "street": lead.street,
        "city": lead.city,
        "state_or_province": lead.state_province,
        "postal_code": lead.postal_code,
        "country": lead.country,
        "account": account,
    }


def opportunity_values_from(lead, *, currency, source_campaign=None):
    """Lead → opportunity field mapping (the customer and contact person are set by the
    plan). The source campaign: the one chosen when qualifying, else the lead's."""
    return {
        "topic": lead.display_topic,
        "estimated_value": lead.estimated_value,
        "estimated_close_date": lead.estimated_close_date,
        "budget_amount": lead.budget_amount,
        "budget_status": lead.budget_status,
        "need": lead.need,
        "purchase_timeframe": lead.purchase_timeframe,
        "purchase_process": lead.purchase_process,
        "decision_maker": lead.decision_maker,
        "rating": lead.rating,
        "description": lead.description,
        "currency": currency,
        "source_campaign": source_campaign or lead.campaign,
    }


@dataclass
class QualificationPlan:
    """Exactly what qualifying will do: the preview page shows it, qualify_lead executes it.

    `*_values` is None when that record is not created; `account`/`contact` are the existing
    records used instead (chosen, or the lead's existing account/contact). `skipped` names
    the records the options asked for but the lead cannot make ("account" without a company
    name, "contact" without a last name) when the plan was made with `skip_missing`."""

    lead: Lead
    account: Account | None = None
    account_values: dict | None = None
    contact: Contact | None = None
    contact_values: dict | None = None
    opportunity: Opportunity | None = None
    opportunity_values: dict | None = None
    customer: Account | Contact | None = None
    customer_is_new: bool = False
    customer_kind: str = ""  # "account" or "contact"
    source_campaign: Campaign | None = None
    skipped: list = field(default_factory=list)
    options: dict = field(default_factory=dict)

    @property
    def skipped_reasons(self):
        """Why each skipped record was not created, for the preview and the result."""
        return [SKIPPED_REASONS[kind] for kind in self.skipped]

    @property
    def creates_anything(self):
        return any(
            values is not None
            for values in (self.account_values, self.contact_values, self.opportunity_values)
        )


SKIPPED_REASONS = {
    "account": _lazy("No account: the lead has no company name."),
    "contact": _lazy("No contact: the lead has no last name."),
}


def qualification_defaults():
    """The organisation's default options (QualificationSettings), for bulk qualify."""
    settings = QualificationSettings.load()
    return {
        "create_account": settings.create_account,
        "create_contact": settings.create_contact,
        "create_opportunity": settings.create_opportunity,
    }


def _default_currency():
    settings = QualificationSettings.objects.select_related("default_currency").first()
    if settings and settings.default_currency:
        return settings.default_currency
    return Currency.objects.base()


def plan_qualification(
    *,
    lead,
    user,
    create_account=False,
    create_contact=False,
    create_opportunity=False,
    existing_opportunity=None,
    account=None,
    contact=None,
    opportunity_customer=None,
    currency=None,
    source_campaign=None,
    status=Status.QUALIFIED,
    skip_missing=False,
):
    """Check the options against the lead and work out the records (no writes).

    `account` / `contact`: an existing record to use instead of creating one (the duplicate
    choice). Without them and without the create flag, the lead's existing account/contact
    is used. The opportunity's customer: `opportunity_customer`, else the (new or chosen)
    account, else the contact, else the lead's existing account or contact. When the
    customer is an account, the (new or chosen) contact becomes the opportunity's contact
    person.

    An account needs the lead's company name and a contact its last name. Asked for
    explicitly, a record the lead cannot make is refused; with `skip_missing` (bulk qualify
    with the default options, as Dynamics does) it is left out and named in `plan.skipped`,
    as long as something is still created."""
    if status not in (Status.QUALIFIED, "", None):
        raise DomainError(_("A qualified lead's status reason is Qualified."))
    if create_opportunity and existing_opportunity is not None:
        raise DomainError(
            _("Either create an opportunity or qualify into an existing one, not both.")
        )
    if not (create_account or create_contact or create_opportunity or existing_opportunity):
        raise DomainError(
            _("Choose at least one record to create, or an existing open opportunity.")
        )
    for record in (account, contact, opportunity_customer, existing_opportunity):
        if record is not None and not record.is_visible_to(user):
            raise DomainError(_("You cannot see %(record)s.") % {"record": record})

    plan = QualificationPlan(lead=lead, source_campaign=source_campaign or lead.campaign)
    if skip_missing:
        if create_account and account is None and not lead.company_name:
            create_account = False
            plan.skipped.append("account")
        if create_contact and contact is None and not lead.last_name:
            create_contact = False
            plan.skipped.append("contact")
        left = create_account or create_contact or create_opportunity or existing_opportunity
        if plan.skipped and not left:
            raise DomainError(
                " ".join(str(reason) for reason in plan.skipped_reasons)
                + " "
                + _("Nothing is left to create.")
            )
    plan.options = {
        "create_account": bool(create_account),
        "create_contact": bool(create_contact),
        "create_opportunity": bool(create_opportunity),
        "existing_opportunity": getattr(existing_opportunity, "pk", None),
        "account": getattr(account, "pk", None),
        "contact": getattr(contact, "pk", None),
        "opportunity_customer": (
            {"type": opportunity_customer._meta.model_name, "id": opportunity_customer.pk}
            if opportunity_customer is not None
            else None
        ),
        "currency": getattr(currency, "code", None),
        "source_campaign": getattr(plan.source_campaign, "pk", None),
    }
    if plan.skipped:
        plan.options["skipped"] = list(plan.skipped)

    if account is not None:
        plan.account = account
    elif create_account:
        if not lead.company_name:
            raise DomainError(
                _("An account needs a name: enter the lead's company name, or choose an account.")
            )
        plan.account_values = account_values_from(lead)
    else:
        plan.account = lead.existing_account

    if contact is not None:
        plan.contact = contact
    elif create_contact:
        if not lead.last_name:
            raise DomainError(
                _("A contact needs a last name: enter the lead's last name, or choose a contact.")
            )
        plan.contact_values = contact_values_from(lead, account=plan.account)
    else:
        plan.contact = lead.existing_contact

    if existing_opportunity is not None:
        if not existing_opportunity.is_open:
            raise DomainError(_("Leads can only be qualified into an open opportunity."))
        plan.opportunity = existing_opportunity
    elif create_opportunity:
        customer, customer_is_new = None, False
        if opportunity_customer is not None:
            customer = opportunity_customer
        elif create_account or account is not None:
            customer, customer_is_new = plan.account, plan.account_values is not None
            plan.customer_kind = "account"
        elif create_contact or contact is not None:
            customer, customer_is_new = plan.contact, plan.contact_values is not None
            plan.customer_kind = "contact"
        else:
            customer = lead.existing_account or lead.existing_contact
        if customer is not None:
            plan.customer_kind = customer._meta.model_name
        if customer is None and not customer_is_new:
            skipped = " ".join(str(reason) for reason in plan.skipped_reasons)
            raise DomainError(
                (skipped + " " if skipped else "")
                + _(
                    "An opportunity needs a customer: create an account or a contact, "
                    "or give the lead an existing account or contact."
                )
            )
        plan.customer, plan.customer_is_new = customer, customer_is_new
        plan.opportunity_values = opportunity_values_from(
            lead, currency=currency or _default_currency(), source_campaign=plan.source_campaign
        )
        # The contact person (Dynamics' parentcontactid) when the customer is an account; a
        # new contact is filled in by qualify_lead once it exists.
        plan.opportunity_values["parent_contact"] = (
            plan.contact if plan.customer_kind == "account" else None
        )
    return plan


def _create_record(model, values, *, owner, user):
    """An account, contact or opportunity through its own app's create service."""
    record = model(**values)
    record.owner = owner
    if model is Opportunity:
        return create_opportunity(opportunity=record, user=user)
    return create_customer(record=record, user=user)


@transaction.atomic
def qualify_lead(*, lead, user, expected_version=None, **options):
    """QualifyLead: create (or use) account, contact and opportunity, all or nothing.

    The lead row is locked first: of concurrent requests one qualifies, the others then see
    a qualified lead and are refused. Options as plan_qualification. Returns the
    Qualification; `qualification.created_records` lists what was created."""
    locked = lock_for_update(lead)
    from_state, from_status = locked.state, locked.status
    # The state before the version: the second of two clicks (or of two tabs) is told the
    # lead is already qualified, not that someone changed it (the qualification did).
    locked.mark_qualified()
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleRecord(locked)
    plan = plan_qualification(lead=locked, user=user, **options)
    owner = locked.owner  # created records stay with the lead's owner (a rep or a team)
    qualification = Qualification(
        lead=locked,
        performed_by=user,
        performed_at=locked.qualified_at,  # the same instant on both rows
        options=plan.options,
        source_campaign=plan.source_campaign,
    )
    account = plan.account
    if plan.account_values is not None:
        account = _create_record(Account, plan.account_values, owner=owner, user=user)
        qualification.created_account = True
    contact = plan.contact
    if plan.contact_values is not None:
        values = {**plan.contact_values, "account": account}
        contact = _create_record(Contact, values, owner=owner, user=user)
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
        opportunity = _create_record(Opportunity, values, owner=owner, user=user)
        qualification.created_opportunity = True
    qualification.account, qualification.contact = account, contact
    qualification.opportunity = opportunity
    qualification.save()

    locked.version += 1
    locked.stamp(user)
    locked.save()
    _log_status(
        locked,
        from_state=from_state,
        from_status=from_status,
        user=user,
        reason=_("Qualified"),
    ).save()
    return qualification


@transaction.atomic
def disqualify_lead(*, lead, user, status, note="", keep_contact=False, expected_version=None):
    """Close the lead with one of the four reasons; optionally keep the person as a contact
    (parent: the lead's existing account). Returns the lead."""
    locked = lock_for_update(lead, expected_version=expected_version)
    _change_state(
        locked,
        user=user,
        transition=partial(locked.mark_disqualified, status),
        reason=note,
    )
    if keep_contact:
        if not locked.last_name:
            raise DomainError(
                _("A contact needs a last name: enter the lead's last name to keep the contact.")
            )
        if locked.existing_contact_id:
            raise DomainError(_("This lead's person is already a contact."))
        values = contact_values_from(locked, account=locked.existing_account)
        contact = _create_record(Contact, values, owner=locked.owner, user=user)
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


def _link_target(account, contact, user):
    if (account is None) == (contact is None):
        raise DomainError(_("Choose an account or a contact."))
    target = account or contact
    if not target.is_visible_to(user):
        raise DomainError(_("You cannot see %(record)s.") % {"record": target})
    return {"account": account} if account is not None else {"contact": contact}


@transaction.atomic
def associate_lead(*, lead, user, account=None, contact=None):
    """Link the lead to an account or a contact; linking twice is a no-op. Allowed on closed
    leads too: a link is a relationship, not a change of the lead's fields."""
    target = _link_target(account, contact, user)
    locked = lock_for_update(lead)
    link, _created = LeadLink.objects.get_or_create(
        lead=locked, **target, defaults={"linked_by": user}
    )
    return link


@transaction.atomic
def disassociate_lead(*, lead, user, account=None, contact=None):
    """Remove a link; removing a link that does not exist is refused with a message."""
    target = _link_target(account, contact, user)
    locked = lock_for_update(lead)
    deleted, _rows = LeadLink.objects.filter(lead=locked, **target).delete()
    if not deleted:
        raise DomainError(
            _("This lead is not linked to %(record)s.") % {"record": account or contact}
        )


# Bulk actions: each lead in its own transaction, so one refused lead does not undo the rest.


def _for_each(leads, action):
    done, refused = [], []
    for lead in leads:
        try:
            done.append(action(lead))
        except DomainError as error:
            refused.append((lead, str(error)))
    return done, refused


def qualify_leads(*, leads, user):
    """Bulk qualify with the organisation's default options. A record a lead cannot make (an
    account without a company name, a contact without a last name) is skipped, as Dynamics
    does: `qualification.options["skipped"]` names it. Returns (qualifications, refused)."""
    options = qualification_defaults()
    return _for_each(
        leads, lambda lead: qualify_lead(lead=lead, user=user, skip_missing=True, **options)
    )


def disqualify_leads(*, leads, user, status, note=""):
    return _for_each(
        leads, lambda lead: disqualify_lead(lead=lead, user=user, status=status, note=note)
    )


def assign_leads(*, leads, user, owner):
    return _for_each(leads, lambda lead: assign_lead(lead=lead, user=user, owner=owner))
