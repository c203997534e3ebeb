"""What qualifying a lead makes, worked out without writing: Dynamics' lead → account, contact
and opportunity mappings, the organisation's default options and the plan that `qualify_lead`
(leads.services) executes and the qualify page previews."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account, Contact
from crm.errors import DomainError
from crm.templatetags.readable import money
from leads.models import Campaign, Lead, QualificationSettings, Status
from opportunities.models import Currency, Opportunity

# Mappings ------------------------------------------------------------------------------------


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


# Options -------------------------------------------------------------------------------------


def qualification_defaults():
    """The organisation's default options (QualificationSettings), for bulk qualify."""
    organisation = QualificationSettings.load()
    return {
        "create_account": organisation.create_account,
        "create_contact": organisation.create_contact,
        "create_opportunity": organisation.create_opportunity,
    }


def defaults_for(lead, *, sure_account=None, sure_contact=None):
    """The organisation's defaults, less what the lead has already or cannot make: what the
    qualify page starts from. A sure match (leads.duplicates.qualification_duplicates) is
    used instead of creating its twin; the user may still choose another or a new one. The
    lead's estimated value is offered to an existing opportunity when it has one."""
    defaults = qualification_defaults()
    if lead.existing_account_id or not lead.can_make_account:
        defaults["create_account"] = False
    if lead.existing_contact_id or not lead.can_make_contact:
        defaults["create_contact"] = False
    if sure_account is not None and not lead.existing_account_id:
        defaults["account"], defaults["create_account"] = sure_account.pk, False
    if sure_contact is not None and not lead.existing_contact_id:
        defaults["contact"], defaults["create_contact"] = sure_contact.pk, False
    if lead.estimated_value is not None:
        defaults["add_estimated_value"] = True
    return defaults


def _default_currency():
    """The settings' currency of new opportunities, else the base currency, in one query (the
    qualify page and the qualification each ask)."""
    chosen = QualificationSettings.objects.order_by("pk").values("default_currency_id")[:1]
    candidates = Currency.objects.annotate(chosen_id=Subquery(chosen)).filter(
        Q(pk=F("chosen_id")) | Q(code=settings.BASE_CURRENCY)
    )
    rows = list(candidates)
    for currency in rows:
        if currency.pk == currency.chosen_id:
            return currency
    if not rows:
        raise Currency.DoesNotExist(f"No base currency {settings.BASE_CURRENCY!r}.")
    return rows[0]


# The plan ------------------------------------------------------------------------------------

# Why a record was left out: the lead cannot make it.
SKIPPED_REASONS = {
    "account": gettext_lazy("No account: the lead has no company name."),
    "contact": gettext_lazy("No contact: the lead has no last name."),
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
    # (added, before, after): the lead's estimated value added to the existing opportunity.
    value_added: tuple | None = None
    value_added_currency: Currency | None = None  # the opportunity's (and the lead value's)
    value_not_added: str = ""  # why the value asked to be added is not

    @property
    def can_make_account(self):
        return self.lead.can_make_account

    @property
    def can_make_contact(self):
        return self.lead.can_make_contact

    @property
    def skipped_reasons(self):
        """Why each skipped record was not created, for the preview and the result."""
        return [SKIPPED_REASONS[kind] for kind in self.skipped]

    @property
    def not_made(self):
        """{kind: reason} of the records left out because the lead cannot make them: those
        skipped, then those not asked for (the page unticks them) with nothing used instead."""
        kinds = list(self.skipped)
        if self.account is None and self.account_values is None and not self.can_make_account:
            kinds.append("account")
        if self.contact is None and self.contact_values is None and not self.can_make_contact:
            kinds.append("contact")
        return {kind: SKIPPED_REASONS[kind] for kind in kinds}

    @property
    def value_added_text(self):
        """ "Adds EUR 12,000.00 to Fabrikam deal: EUR 30,000.00 → EUR 42,000.00", or ""."""
        if self.value_added is None:
            return ""
        return describe_value_added(
            self.opportunity, self.value_added, done=False, currency=self.value_added_currency
        )

    @property
    def creates_anything(self):
        return any(
            values is not None
            for values in (self.account_values, self.contact_values, self.opportunity_values)
        )

    def display_blocks(self):
        """What the qualify page shows, in plain words for each record: "Create a new
        account" (its values, labelled), "Use Contoso Ltd" (an existing one) or "No
        account"; what the lead cannot make, and the source campaign."""
        blocks = []
        not_made = self.not_made
        # Whole sentences per kind: Danish nouns have a gender ("det nye firma", "den nye
        # kontakt"), so a sentence built around a noun reads wrong.
        for kind, title, model, record, values in (
            ("account", _("Account"), Account, self.account, self.account_values),
            ("contact", _("Contact"), Contact, self.contact, self.contact_values),
            (
                "opportunity",
                _("Opportunity"),
                Opportunity,
                self.opportunity,
                self.opportunity_values,
            ),
        ):
            if values is not None:
                rows = _display_rows(model, self._shown_values(model, values))
                if model is Opportunity:
                    customer = (
                        new_record_name(self.customer_kind)
                        if self.customer_is_new
                        else self.customer
                    )
                    rows.insert(0, (_("Customer"), customer))
                blocks.append({"kind": title, "title": str(CREATE_TITLES[kind]), "rows": rows})
            elif record is not None:
                block = {"kind": title, "title": _("Use %(record)s") % {"record": record}}
                if model is Opportunity:
                    block["notes"] = [
                        text for text in (self.value_added_text, self.value_not_added) if text
                    ]
                blocks.append(block)
            elif kind not in not_made:
                blocks.append({"kind": title, "title": str(NONE_TITLES[kind])})
        for reason in not_made.values():
            blocks.append({"title": reason, "skipped": True})
        if self.source_campaign:
            campaign = _("Source campaign: %(campaign)s") % {"campaign": self.source_campaign}
            blocks.append({"title": campaign})
        return blocks

    def _shown_values(self, model, values):
        """The values as the preview names them: records still to be created by name."""
        values = dict(values)
        if model is Contact and self.account_values is not None:
            values["account"] = new_record_name("account")
        if (
            model is Opportunity
            and self.customer_kind == "account"
            and self.contact_values is not None
        ):
            values["parent_contact"] = new_record_name("contact")
        return values


# The preview's titles and names of the records still to be created, one sentence per kind.
CREATE_TITLES = {
    "account": gettext_lazy("Create a new account"),
    "contact": gettext_lazy("Create a new contact"),
    "opportunity": gettext_lazy("Create a new opportunity"),
}
NONE_TITLES = {
    "account": gettext_lazy("No account"),
    "contact": gettext_lazy("No contact"),
    "opportunity": gettext_lazy("No opportunity"),
}


def new_record_name(kind):
    """ "the new account" / "the new contact": a record the qualification will create."""
    if kind == "account":
        return _("the new account")
    return _("the new contact")


def describe_value_added(opportunity, value_added, *, done, currency):
    """ "Adds EUR 12,000.00 to Fabrikam deal: EUR 30,000.00 → EUR 42,000.00" (the preview),
    "Added …" (done); `currency` is the opportunity's (None: the base currency)."""
    added, before, after = (money(Decimal(value), currency) for value in value_added)
    text = (
        _("Added %(added)s to %(opportunity)s: %(before)s → %(after)s")
        if done
        else _("Adds %(added)s to %(opportunity)s: %(before)s → %(after)s")
    )
    return text % {"added": added, "opportunity": opportunity, "before": before, "after": after}


# Amounts shown with their currency: the opportunity's, else (the account) the base currency.
MONEY_FIELDS = {
    (Account, "annual_revenue"),
    (Opportunity, "estimated_value"),
    (Opportunity, "budget_amount"),
}


def _display_rows(model, values):
    """(label, shown value) for each non-empty value of a record about to be created."""
    rows = []
    for name, value in values.items():
        if value in (None, "", False):
            continue
        model_field = model._meta.get_field(name)
        if (model, name) in MONEY_FIELDS:
            value = money(value, values.get("currency"))
        elif model_field.choices:
            value = dict(model_field.flatchoices).get(value, value)
        elif value is True:
            value = _("Yes")
        rows.append((model_field.verbose_name.capitalize(), value))
    return rows


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
    add_estimated_value=False,
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
    as long as something is still created.

    `add_estimated_value` with an existing opportunity: the lead's estimated value is added
    to the opportunity's (`plan.value_added`), when both are in the same currency."""
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
        if create_account and account is None and not lead.can_make_account:
            create_account = False
            plan.skipped.append("account")
        if create_contact and contact is None and not lead.can_make_contact:
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
    if add_estimated_value and existing_opportunity is not None:
        plan.options["add_estimated_value"] = True

    if account is not None:
        plan.account = account
    elif create_account:
        if not lead.can_make_account:
            raise DomainError(
                _("An account needs a name: enter the lead's company name, or choose an account.")
            )
        plan.account_values = account_values_from(lead)
    else:
        plan.account = lead.existing_account

    if contact is not None:
        plan.contact = contact
    elif create_contact:
        if not lead.can_make_contact:
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
        if add_estimated_value and lead.estimated_value:
            _plan_value_added(plan, currency=currency)
    elif create_opportunity:
        _plan_opportunity(
            plan,
            opportunity_customer=opportunity_customer,
            account_chosen=create_account or account is not None,
            contact_chosen=create_contact or contact is not None,
            currency=currency,
        )
    for model, values in (
        (Account, plan.account_values),
        (Contact, plan.contact_values),
        (Opportunity, plan.opportunity_values),
    ):
        if values is not None:
            check_values(model, values)
    return plan


def check_values(model, values):
    """Validate the lead's values a new record would get as that record's own fields (no
    query): a stored value its form would refuse (one a bulk load wrote, say) is a
    ValidationError naming what to correct, before anything is written, never a failed save.
    Foreign keys are left out: they are records already loaded or about to be created."""
    names = [name for name in values if not model._meta.get_field(name).is_relation]
    record = model(**{name: values[name] for name in names})
    try:
        record.clean_fields(exclude=[f.name for f in model._meta.fields if f.name not in names])
    except ValidationError as error:
        kind = model._meta.verbose_name
        raise ValidationError(
            {
                name: [
                    _("The new %(record)s cannot take the lead's %(field)s: %(message)s")
                    % {
                        "record": kind,
                        "field": model._meta.get_field(name).verbose_name,
                        "message": message,
                    }
                    for message in messages
                ]
                for name, messages in error.message_dict.items()
            }
        ) from error


def _plan_value_added(plan, *, currency):
    """The lead's estimated value (in the currency its own opportunity would get) added to
    the existing opportunity's: refused, with the reason shown, in another currency."""
    currency = currency or _default_currency()
    opportunity = plan.opportunity
    if opportunity.currency_id != currency.pk:
        plan.value_not_added = _(
            "The lead's estimated value is in %(currency)s and %(opportunity)s in another "
            "currency: it is not added."
        ) % {"currency": currency.code, "opportunity": opportunity}
        return
    before = opportunity.estimated_value or Decimal(0)
    added = plan.lead.estimated_value
    plan.value_added = (added, before, before + added)
    plan.value_added_currency = currency


def _plan_opportunity(plan, *, opportunity_customer, account_chosen, contact_chosen, currency):
    """The new opportunity's customer and values (see plan_qualification)."""
    lead = plan.lead
    customer, customer_is_new = None, False
    if opportunity_customer is not None:
        customer = opportunity_customer
    elif account_chosen:
        customer, customer_is_new = plan.account, plan.account_values is not None
        plan.customer_kind = "account"
    elif contact_chosen:
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
    # The contact person (Dynamics' parentcontactid) when the customer is an account; a new
    # contact is filled in by qualify_lead once it exists.
    plan.opportunity_values["parent_contact"] = (
        plan.contact if plan.customer_kind == "account" else None
    )
