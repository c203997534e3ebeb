"""The lead itself (Dynamics' Lead entity), its queryset, and the one ordered list of the
fields a person enters, from which the form, the API and the export derive theirs."""

import functools

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Industry, PreferredContactMethod
from crm.errors import DomainError
from crm.lib import duplicates, search
from crm.models import OwnedQuerySet, OwnedRecord
from leads.models.choices import (
    STATUSES_BY_STATE,
    Grade,
    State,
    Status,
)
from leads.models.list_indexes import LIST_INDEXES
from leads.models.sources import Campaign, LeadSource
from opportunities.models import (
    BudgetStatus,
    Need,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
)

# API and the export list them in the order their consumers know (LEAD_DATA_FIELDS).
LEAD_SECTIONS = {
    "person": ["topic", "salutation", "first_name", "middle_name", "last_name", "job_title"],
    "company": ["company_name", "website"],
    "firmographics": ["industry", "annual_revenue", "number_of_employees"],
    "channels": ["email", "business_phone", "mobile_phone"],
    "consent": [
        "preferred_contact_method",
        "do_not_email",
        "do_not_phone",
        "do_not_postal_mail",
        "do_not_bulk_email",
    ],
    "address": ["street", "city", "state_province", "postal_code", "country"],
    "origin": ["source", "campaign", "rating", "description"],
    "bant": [
        "budget_amount",
        "budget_status",
        "need",
        "purchase_timeframe",
        "purchase_process",
        "decision_maker",
        "estimated_value",
        "estimated_close_date",
        "next_follow_up",
    ],
    "customer": ["existing_account", "existing_contact"],
}


# What the lead search (leads.selectors.search_leads) looks in, in the order of Lead.search_text.
SEARCHED_FIELDS = (
    "first_name", "last_name", "company_name", "email", "topic", "business_phone", "mobile_phone"
)  # fmt: skip


def _sections(names):
    return [field for name in names.split() for field in LEAD_SECTIONS[name]]


LEAD_FORM_FIELDS = _sections(
    "person company firmographics channels consent address origin bant customer"
)
# The lead's data under its API names: the entered fields, then the state.
LEAD_DATA_FIELDS = [
    *_sections("person company channels firmographics address origin bant consent customer"),
    "state",
    "status",
]
# The columns of a CSV export (after the id): the data, its owner and audit times.
LEAD_EXPORT_FIELDS = [
    *LEAD_DATA_FIELDS,
    "score",
    "grade",
    "predicted_qualification",
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


# Amounts a person enters are never negative: the one rule the form, the import and the API
# share (each validates through the model's fields).
NOT_NEGATIVE = MinValueValidator(0, message=_("Enter an amount of 0 or more."))


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


def import_batch_of(reason):
    """The batch number in an import_batch_reason, or None for any other reason."""
    prefix = import_batch_reason("")
    number = reason.removeprefix(prefix) if reason.startswith(prefix) else ""
    return int(number) if number.isdigit() else None


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
        _("annual revenue"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE],
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
        _("budget amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE],
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
        _("estimated value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE],
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
    # Merged into another lead (Dynamics' masterid): kept, read-only, its items on the master
    # (leads/merge.py; undoing the merge clears it).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
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
    # Whether the lead has ever been in the Contacted status (the status log holds an entry
    # to it), set by whatever writes that entry: the funnel's Contacted step reads it off the
    # lead (leads_lead_report_idx) instead of joining the status log.
    reached_contacted = models.BooleanField(_("reached Contacted"), default=False, editable=False)
    # Whether one of its qualifications fed an opportunity, and whether one of those is won:
    # written by qualify_lead and, when an opportunity closes, reopens or is deleted, by the
    # leads receivers (leads.services.note_opportunity_outcome). The funnel of a user
    # who sees every opportunity reads its last two steps off the lead, not the joins.
    reached_opportunity = models.BooleanField(
        _("reached an opportunity"), default=False, editable=False
    )
    reached_won = models.BooleanField(
        _("reached a won opportunity"), default=False, editable=False
    )

    # The lead score (the scoring app writes them, in batch, without touching modified_at):
    # 0-100, its grade (A-D, by the organisation's boundaries) and the predicted probability
    # of qualification (0-1; empty until a model was learned). Kept here so the list sorts
    # and filters by them from the lead table's own indexes.
    score = models.PositiveSmallIntegerField(_("score"), default=0, editable=False)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade, blank=True, editable=False)
    predicted_qualification = models.FloatField(
        _("predicted qualification"), null=True, blank=True, editable=False
    )

    # Normalised keys for duplicate matching and import dedupe (crm.lib.duplicates); never shown.
    email_key = models.CharField(max_length=100, blank=True, editable=False)
    phone_key = models.CharField(max_length=20, blank=True, editable=False)
    name_key = models.CharField(max_length=110, blank=True, editable=False)
    company_key = models.CharField(max_length=160, blank=True, editable=False)
    # The lead search index (crm.lib.search): names, company, e-mail and topic folded, phones as
    # digits; kept like the keys above, a trigram GIN index on PostgreSQL (migration 0010).
    search_text = models.TextField(blank=True, editable=False)

    KEY_FIELDS = ("email_key", "phone_key", "name_key", "company_key", "search_text")
    # How each key is made (Lead.keys_for): the fields it is read from, and the normaliser.
    _KEY_RULES = {
        "email_key": (("email",), lambda email: duplicates.normalise_email(email)),
        "phone_key": (
            ("business_phone", "mobile_phone"),
            lambda business, mobile: duplicates.normalise_phone(business or mobile),
        ),
        "name_key": (
            ("first_name", "last_name"),
            lambda first, last: duplicates.person_key(first, last),
        ),
        "company_key": (("company_name",), lambda name: duplicates.company_key(name)),
        "search_text": (
            SEARCHED_FIELDS,
            lambda first, last, company, email, topic, business, mobile: search.search_text(
                (first, last, company, email, topic), (business, mobile)
            ),
        ),
    }
    _CACHED_KEYS = {"name_key", "company_key"}  # names and companies repeat down a file
    KEY_SOURCE_FIELDS = tuple(name for sources, _make in _KEY_RULES.values() for name in sources)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "status"], name="leads_lead_state_idx"),
            # Retention rules (privacy/retention.py) walk disqualified leads by last change.
            models.Index(
                fields=["modified_at", "id"],
                condition=Q(state="disqualified"),
                name="leads_lead_retention_idx",
            ),
            # An owner's (or a queue's) leads in a state, newest first: "my open leads" and
            # its count read the index alone; the visibility filter's BitmapOr uses both.
            models.Index(
                fields=["owner_user", "state", "-created_at", "-id"],
                name="leads_lead_owner_user_idx",
            ),
            models.Index(
                fields=["owner_team", "state", "-created_at", "-id"],
                name="leads_lead_owner_team_idx",
            ),
            *LIST_INDEXES,
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
                    "reached_contacted",
                    "reached_opportunity",
                    "reached_won",
                ],
                name="leads_lead_report_idx",
            ),
            models.Index(fields=["next_follow_up"], name="leads_lead_follow_up_idx"),
            # The home page's "my follow-ups due", in order: the user's few rows, not a walk
            # through every lead's follow-up date filtering on the owner (0.3-0.7 s at 1M).
            models.Index(
                fields=["owner_user", "next_follow_up", "id"],
                condition=Q(state=State.OPEN),
                name="leads_lead_open_follow_up_idx",
            ),
            # The home page's open leads: a rep's by status, and (by last change) a manager's
            # untouched ones, counted from these alone (not a read of every open lead's row).
            models.Index(
                fields=["owner_user", "status", "id"],
                condition=Q(state=State.OPEN),
                name="leads_lead_open_status_idx",
            ),
            models.Index(
                fields=["modified_at", "owner_user", "owner_team", "id"],
                condition=Q(state=State.OPEN),
                name="leads_lead_untouched_idx",
            ),
            models.Index(fields=["email_key"], name="leads_lead_email_key_idx"),
            models.Index(fields=["phone_key"], name="leads_lead_phone_key_idx"),
            # Equality (the import's dedupe by name + company) and the prefix of the entry
            # form's / API's duplicate check (company_key LIKE 'first word%'): a plain btree
            # under a non-C collation cannot serve LIKE, and that check then read the user's
            # whole visible set (0.46 s per API create at 1,000,000 leads).
            models.Index(
                fields=["company_key"],
                name="leads_lead_company_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
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
    def has_owner(self):
        """Read from the ids: `owner` would fetch the user or team."""
        return self.owner_user_id is not None or self.owner_team_id is not None

    # What qualifying can make of the lead (as Dynamics: an account needs a name, a contact a
    # last name); the qualification plan, its form and "keep the contact" ask these.

    @property
    def can_make_account(self):
        return bool(self.company_name)

    @property
    def can_make_contact(self):
        return bool(self.last_name)

    @property
    def address_lines(self):
        city_line = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.street, city_line, self.state_province, self.country)
        return [part for part in parts if part]

    @classmethod
    def keys_for(cls, values, *, keys=KEY_FIELDS, cache=None):
        """{key field: normalised key} of a mapping of field values (a missing field is
        blank), each cut to its key field's max_length; `keys` limits which are made.
        `cache`, a dict the caller keeps over a batch, remembers each distinct name's and
        company's key (files repeat them, and normalising them is slow)."""
        found, get = {}, values.get
        for key in keys:
            sources, make, length, cached = cls._key_rule(key)
            parts = tuple(map(get, sources))
            if cache is None or not cached:
                found[key] = make(*parts)[:length]
                continue
            try:
                found[key] = cache[key, parts]
            except KeyError:
                found[key] = cache[key, parts] = make(*parts)[:length]
        return found

    @classmethod
    @functools.cache
    def _key_rule(cls, key):
        """(source fields, normaliser, the key field's max_length, whether to cache)."""
        sources, make = cls._KEY_RULES[key]
        return sources, make, cls._meta.get_field(key).max_length, key in cls._CACHED_KEYS

    def refresh_keys(self):
        """Called before every insert or save (bulk inserts included, see leads.bulk)."""
        values = {name: getattr(self, name) for name in self.KEY_SOURCE_FIELDS}
        for key, value in self.keys_for(values).items():
            setattr(self, key, value)

    def save(self, *args, **kwargs):
        self.refresh_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.KEY_FIELDS}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not (self.last_name or self.company_name or self.email):
            # On the first of the three fields, once: a form then shows it beside them (and,
            # the field having an error, skips the check constraint that says the same).
            raise ValidationError(
                {
                    "last_name": gettext(
                        "Enter at least a last name, a company name or an e-mail address."
                    )
                }
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

    def ensure_qualifiable(self):
        if self.state == State.QUALIFIED:
            raise DomainError(gettext("This lead is already qualified."))
        if self.state == State.DISQUALIFIED:
            raise DomainError(
                gettext("This lead is disqualified: reactivate it before qualifying it.")
            )

    def mark_qualified(self):
        self.ensure_qualifiable()
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

    def ensure_not_merged(self):
        if self.merged_into_id is not None:
            raise DomainError(
                gettext("This lead was merged into lead %(id)s and is read-only.")
                % {"id": self.merged_into_id}
            )

    def reopen(self, status=Status.NEW):
        self.ensure_not_merged()
        if self.is_open:
            raise DomainError(gettext("This lead is already open."))
        if status not in STATUSES_BY_STATE[State.OPEN]:
            raise DomainError(gettext("An open lead is either New or Contacted."))
        self.state, self.status = State.OPEN, status

    reopen.alters_data = True
