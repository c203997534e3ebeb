"""The lead (Dynamics' Lead entity), its sources and campaigns, the status log and what
qualifying a lead produced. Links Dynamics keeps on the account, contact or opportunity
(originating lead, source leads, source campaign) live here, so the lower apps never import
this one: they reach leads through the reverse relations of these foreign keys."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Industry, PreferredContactMethod
from crm.errors import DomainError
from crm.lib import duplicates
from crm.models import OwnedQuerySet, OwnedRecord
from opportunities.models import (
    BudgetStatus,
    Currency,
    Need,
    Opportunity,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
)


class LeadSource(models.Model):
    """Admin-configurable lead sources, seeded with Dynamics' ten by a data migration."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="leads_leadsource_name_unique_ci",
                violation_error_message=_("A lead source with this name already exists."),
            ),
        ]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="leads_campaign_code_unique",
                violation_error_message=_("Another campaign already has this code."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="leads_campaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name


class State(models.TextChoices):
    OPEN = "open", _("Open")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


class Status(models.TextChoices):
    """Dynamics' status reasons; each belongs to exactly one state (see STATUSES_BY_STATE)."""

    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    LOST = "lost", _("Lost")
    CANNOT_CONTACT = "cannot_contact", _("Cannot Contact")
    NO_LONGER_INTERESTED = "no_longer_interested", _("No Longer Interested")
    CANCELED = "canceled", _("Canceled")


STATUSES_BY_STATE = {
    State.OPEN: [Status.NEW, Status.CONTACTED],
    State.QUALIFIED: [Status.QUALIFIED],
    State.DISQUALIFIED: [
        Status.LOST,
        Status.CANNOT_CONTACT,
        Status.NO_LONGER_INTERESTED,
        Status.CANCELED,
    ],
}
DEFAULT_STATUS = {
    State.OPEN: Status.NEW,
    State.QUALIFIED: Status.QUALIFIED,
    State.DISQUALIFIED: Status.CANCELED,
}
DISQUALIFY_REASONS = [(s.value, s.label) for s in STATUSES_BY_STATE[State.DISQUALIFIED]]


# The lead's fields under their API names, in the order exports and the API list them.
LEAD_EXPORT_FIELDS = [
    "topic",
    "salutation",
    "first_name",
    "middle_name",
    "last_name",
    "job_title",
    "company_name",
    "website",
    "email",
    "business_phone",
    "mobile_phone",
    "industry",
    "annual_revenue",
    "number_of_employees",
    "street",
    "city",
    "state_province",
    "postal_code",
    "country",
    "source",
    "campaign",
    "rating",
    "description",
    "budget_amount",
    "budget_status",
    "need",
    "purchase_timeframe",
    "purchase_process",
    "decision_maker",
    "estimated_value",
    "estimated_close_date",
    "next_follow_up",
    "preferred_contact_method",
    "do_not_email",
    "do_not_phone",
    "do_not_postal_mail",
    "do_not_bulk_email",
    "existing_account",
    "existing_contact",
    "state",
    "status",
    "owner",
    "created_at",
    "modified_at",
]


class LeadQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(state=State.OPEN)

    def closed(self):
        return self.exclude(state=State.OPEN)

    def for_source(self, source):
        return self.filter(source=source)

    def follow_up_due(self, on_date=None):
        return self.open().filter(next_follow_up__lte=on_date or timezone.localdate())

    def for_list(self):
        """Everything a list row shows, in the one query."""
        return self.select_related("owner_user", "owner_team", "source", "campaign")


def _status_condition():
    return (
        Q(state=State.OPEN, status__in=STATUSES_BY_STATE[State.OPEN])
        | Q(state=State.QUALIFIED, status__in=STATUSES_BY_STATE[State.QUALIFIED])
        | Q(state=State.DISQUALIFIED, status__in=STATUSES_BY_STATE[State.DISQUALIFIED])
    )


def import_batch_reason(batch_id):
    """The reason written in the history and the first status-log entry of every lead an
    import batch creates: how a lead knows its batch (the lead list's `import` filter). Here,
    not in leads.imports, because the lead list (in this app) reads it too."""
    return f"Import batch #{batch_id}"


class Lead(OwnedRecord):
    # Topic and person
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    salutation = models.CharField(_("salutation"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=50, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=50, blank=True)
    last_name = models.CharField(_("last name"), max_length=50, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    # Company
    company_name = models.CharField(_("company name"), max_length=160, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    industry = models.PositiveSmallIntegerField(
        _("industry"), choices=Industry, null=True, blank=True
    )
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    number_of_employees = models.PositiveIntegerField(
        _("number of employees"), null=True, blank=True
    )
    # Contact channels and consent
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    business_phone = models.CharField(_("business phone"), max_length=50, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=50, blank=True)
    preferred_contact_method = models.PositiveSmallIntegerField(
        _("preferred contact method"),
        choices=PreferredContactMethod,
        default=PreferredContactMethod.ANY,
    )
    do_not_email = models.BooleanField(_("do not e-mail"), default=False)
    do_not_phone = models.BooleanField(_("do not phone"), default=False)
    do_not_postal_mail = models.BooleanField(_("do not send postal mail"), default=False)
    do_not_bulk_email = models.BooleanField(_("do not send bulk e-mail"), default=False)
    # Address (free text, as in Dynamics)
    street = models.CharField(_("street"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    state_province = models.CharField(_("state/province"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True)
    # Origin and rating
    source = models.ForeignKey(
        LeadSource,
        verbose_name=_("lead source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    rating = models.CharField(_("rating"), max_length=10, choices=Rating, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Qualification details (BANT)
    budget_amount = models.DecimalField(
        _("budget amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_status = models.PositiveSmallIntegerField(
        _("budget status"), choices=BudgetStatus, null=True, blank=True
    )
    need = models.PositiveSmallIntegerField(_("need"), choices=Need, null=True, blank=True)
    purchase_timeframe = models.PositiveSmallIntegerField(
        _("purchase timeframe"), choices=PurchaseTimeframe, null=True, blank=True
    )
    purchase_process = models.PositiveSmallIntegerField(
        _("purchase process"), choices=PurchaseProcess, null=True, blank=True
    )
    decision_maker = models.BooleanField(_("decision maker identified"), default=False)
    estimated_value = models.DecimalField(
        _("estimated value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    estimated_close_date = models.DateField(_("estimated close date"), null=True, blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    # Known customer the lead comes from (Dynamics: parentaccountid / parentcontactid).
    existing_account = models.ForeignKey(
        Account,
        verbose_name=_("existing account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_leads",
    )
    existing_contact = models.ForeignKey(
        Contact,
        verbose_name=_("existing contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_leads",
    )
    # Lifecycle
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.OPEN, editable=False
    )
    status = models.CharField(
        _("status reason"), max_length=30, choices=Status, default=Status.NEW, editable=False
    )
    # Facts the reports read for every lead, stored so a report at a million leads needs no
    # per-lead table of activities or qualifications (issue #8). first_contact_at: when the
    # first completed phone call or e-mail regarding the lead was logged (set by the
    # activity_logged receiver). qualified_at: when the lead was last qualified; kept when it
    # is reactivated (as Dynamics keeps the qualification history), replaced when it is
    # qualified again, so it is always the latest qualification.
    first_contact_at = models.DateTimeField(
        _("first contacted at"), null=True, blank=True, editable=False
    )
    qualified_at = models.DateTimeField(
        _("last qualified at"), null=True, blank=True, editable=False
    )

    # Normalised keys for duplicate matching and import dedupe (crm.lib.duplicates); never shown.
    email_key = models.CharField(max_length=100, blank=True, editable=False)
    phone_key = models.CharField(max_length=20, blank=True, editable=False)
    name_key = models.CharField(max_length=110, blank=True, editable=False)
    company_key = models.CharField(max_length=160, blank=True, editable=False)

    KEY_FIELDS = ("email_key", "phone_key", "name_key", "company_key")

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "status"], name="leads_lead_state_idx"),
            models.Index(fields=["owner_user", "state"], name="leads_lead_owner_user_idx"),
            models.Index(fields=["owner_team", "state"], name="leads_lead_owner_team_idx"),
            # Every column the lead source report counts, groups or filters leads by, creation
            # first (a date range is a range of it): the report at a million leads is an
            # index-only scan of this instead of a read of the whole table (#8). It replaces the
            # index on created_at alone, which it serves as well (lists, newest first).
            models.Index(
                fields=[
                    "created_at",
                    "source",
                    "campaign",
                    "owner_user",
                    "owner_team",
                    "first_contact_at",
                    "qualified_at",
                    "status",
                ],
                name="leads_lead_report_idx",
            ),
            models.Index(fields=["next_follow_up"], name="leads_lead_follow_up_idx"),
            models.Index(fields=["email_key"], name="leads_lead_email_key_idx"),
            models.Index(fields=["phone_key"], name="leads_lead_phone_key_idx"),
            models.Index(fields=["company_key"], name="leads_lead_company_key_idx"),
            models.Index(fields=["name_key"], name="leads_lead_name_key_idx"),
            # The leads ever qualified, with every column the opportunity report groups or
            # filters them by: an index-only scan instead of reading a million rows (#8).
            # Key columns rather than INCLUDE, which SQLite lacks (a check warning there).
            models.Index(
                fields=[
                    "id",
                    "source",
                    "campaign",
                    "owner_user",
                    "owner_team",
                    "created_at",
                    "state",
                ],
                condition=Q(qualified_at__isnull=False),
                name="leads_lead_qualified_idx",
            ),
        ]
        constraints = [
            *OwnedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=_status_condition(),
                name="leads_lead_status_belongs_to_state",
                violation_error_message=_("The status reason does not belong to the state."),
            ),
            models.CheckConstraint(
                condition=~Q(last_name="") | ~Q(company_name="") | ~Q(email=""),
                name="leads_lead_has_name_company_or_email",
                violation_error_message=_(
                    "Enter at least a last name, a company name or an e-mail address."
                ),
            ),
        ]

    def __str__(self):
        return self.display_topic

    def get_absolute_url(self):
        return reverse("leads:detail", args=[self.pk])

    @property
    def full_name(self):
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def display_topic(self):
        """The topic is optional: show the company or the person instead."""
        return (
            self.topic
            or self.company_name
            or self.full_name
            or self.email
            or gettext("Lead %(id)s") % {"id": self.pk}
        )

    @property
    def is_open(self):
        return self.state == State.OPEN

    @property
    def address_lines(self):
        city_line = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.street, city_line, self.state_province, self.country)
        return [part for part in parts if part]

    def refresh_keys(self):
        """Called before every insert or save (bulk inserts included, see services)."""
        self.email_key = duplicates.normalise_email(self.email)[:100]
        self.phone_key = duplicates.normalise_phone(self.business_phone or self.mobile_phone)[:20]
        self.name_key = duplicates.person_key(self.first_name, self.last_name)[:110]
        self.company_key = duplicates.company_key(self.company_name)[:160]

    def save(self, *args, **kwargs):
        self.refresh_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.KEY_FIELDS}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not (self.last_name or self.company_name or self.email):
            raise ValidationError(
                gettext("Enter at least a last name, a company name or an e-mail address.")
            )

    # Guarded one-row transitions; services call them on the locked row and write the log.

    def ensure_editable(self):
        if not self.is_open:
            raise DomainError(
                gettext("This lead is %(state)s and read-only: reactivate it first.")
                % {"state": self.get_state_display().lower()}
            )

    def set_open_status(self, status):
        self.ensure_editable()
        if status not in STATUSES_BY_STATE[State.OPEN]:
            raise DomainError(gettext("An open lead is either New or Contacted."))
        self.status = status

    set_open_status.alters_data = True

    def mark_qualified(self):
        if self.state == State.QUALIFIED:
            raise DomainError(gettext("This lead is already qualified."))
        if self.state == State.DISQUALIFIED:
            raise DomainError(
                gettext("This lead is disqualified: reactivate it before qualifying it.")
            )
        self.state, self.status = State.QUALIFIED, Status.QUALIFIED
        self.qualified_at = timezone.now()

    mark_qualified.alters_data = True

    def mark_disqualified(self, status):
        if self.state == State.QUALIFIED:
            raise DomainError(
                gettext("This lead is qualified: reactivate it before disqualifying it.")
            )
        if self.state == State.DISQUALIFIED:
            raise DomainError(gettext("This lead is already disqualified."))
        if status not in STATUSES_BY_STATE[State.DISQUALIFIED]:
            raise DomainError(
                gettext("Choose a reason: Lost, Cannot Contact, No Longer Interested or Canceled.")
            )
        self.state, self.status = State.DISQUALIFIED, status

    mark_disqualified.alters_data = True

    def reopen(self, status=Status.NEW):
        if self.is_open:
            raise DomainError(gettext("This lead is already open."))
        if status not in STATUSES_BY_STATE[State.OPEN]:
            raise DomainError(gettext("An open lead is either New or Contacted."))
        self.state, self.status = State.OPEN, status

    reopen.alters_data = True


class LeadStatusChange(models.Model):
    """Append-only log of every change of state or status reason (time-in-status reports)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="status_changes")
    from_state = models.CharField(_("from state"), max_length=20, choices=State, blank=True)
    from_status = models.CharField(_("from status"), max_length=30, choices=Status, blank=True)
    to_state = models.CharField(_("to state"), max_length=20, choices=State)
    to_status = models.CharField(_("to status"), max_length=30, choices=Status)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("lead status change")
        verbose_name_plural = _("lead status changes")
        ordering = ["changed_at", "pk"]
        indexes = [
            models.Index(fields=["lead", "changed_at"], name="leads_statuslog_lead_idx"),
            # First entries by reason: the lead list's "leads of import batch N" filter.
            models.Index(
                fields=["reason", "lead"],
                condition=Q(from_state=""),
                name="leads_statuslog_first_idx",
            ),
        ]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DomainError(gettext("The status log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(gettext("The status log is append-only."))


class QualificationSettings(models.Model):
    """Organisation setting (one row): which records qualifying creates by default, as
    Dynamics' "Create account, contact and opportunity records by default"."""

    create_account = models.BooleanField(_("create an account by default"), default=True)
    create_contact = models.BooleanField(_("create a contact by default"), default=True)
    create_opportunity = models.BooleanField(_("create an opportunity by default"), default=True)
    default_currency = models.ForeignKey(
        Currency,
        verbose_name=_("currency of new opportunities"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the base currency."),
    )

    class Meta:
        verbose_name = _("qualification settings")
        verbose_name_plural = _("qualification settings")

    def __str__(self):
        return str(_("Qualification settings"))

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row: editing in the admin always updates it
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]


class Qualification(models.Model):
    """What one qualification (or a "disqualify but keep the contact") produced or used.

    Reactivating and qualifying again adds a new row; earlier rows stay, so every record a
    lead ever produced stays linked. The reverse relations give the other side Dynamics'
    links: `account.lead_qualifications` (originating lead when `created_account`),
    `opportunity.lead_qualifications` (its source leads, several when leads were qualified
    into an existing opportunity) and the opportunity's source campaign.
    """

    class Kind(models.TextChoices):
        QUALIFIED = "qualified", _("Qualified")
        KEPT_CONTACT = "kept_contact", _("Disqualified, contact kept")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.QUALIFIED)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("at"), default=timezone.now)
    options = models.JSONField(_("options"), default=dict, blank=True)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_qualifications",
    )
    created_account = models.BooleanField(_("account created"), default=False)
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_qualifications",
    )
    created_contact = models.BooleanField(_("contact created"), default=False)
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead_qualifications",
    )
    created_opportunity = models.BooleanField(_("opportunity created"), default=False)
    source_campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("source campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qualifications",
    )

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["performed_at", "pk"]
        # The reports' lead -> opportunity links and source leads per opportunity, read in
        # order from the index alone (#8).
        indexes = [
            models.Index(
                fields=["lead", "opportunity"],
                condition=Q(kind="qualified", opportunity__isnull=False),
                name="leads_qualification_links_idx",
            ),
            models.Index(
                fields=["opportunity", "lead"],
                condition=Q(kind="qualified", opportunity__isnull=False),
                name="leads_qualification_opps_idx",
            ),
        ]

    def __str__(self):
        return f"{self.lead} ({self.get_kind_display()})"

    @property
    def created_records(self):
        """The records this qualification created, in Dynamics' order."""
        pairs = (
            (self.created_account, self.account),
            (self.created_contact, self.contact),
            (self.created_opportunity, self.opportunity),
        )
        return [record for created, record in pairs if created and record is not None]


class LeadLink(models.Model):
    """A lead associated with an account or a contact (Dynamics' accountleads_association and
    contactleads_association: many of each per lead)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="links")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="lead_links"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="lead_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lead link")
        verbose_name_plural = _("lead links")
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False, contact__isnull=True)
                | Q(account__isnull=True, contact__isnull=False),
                name="leads_leadlink_one_target",
            ),
            models.UniqueConstraint(
                fields=["lead", "account"],
                condition=Q(account__isnull=False),
                name="leads_leadlink_unique_account",
            ),
            models.UniqueConstraint(
                fields=["lead", "contact"],
                condition=Q(contact__isnull=False),
                name="leads_leadlink_unique_contact",
            ),
        ]

    def __str__(self):
        return f"{self.lead} ↔ {self.account or self.contact}"
