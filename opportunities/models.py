"""Opportunities (potential sales) and the currencies their amounts are in."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact
from crm.errors import DomainError
from crm.models import OwnedQuerySet, OwnedRecord
from opportunities import search


class CurrencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def base(self):
        """The organisation's base currency (settings.BASE_CURRENCY); created by migrate."""
        return self.get(code=settings.BASE_CURRENCY)


# The names of common currencies in the user's language, for the ones whose stored name is
# still the English one the migration and the demo give them (a renamed currency keeps its name).
CURRENCY_NAMES = {
    "EUR": ("Euro", _("Euro")),
    "USD": ("US Dollar", _("US Dollar")),
    "GBP": ("Pound Sterling", _("Pound Sterling")),
    "DKK": ("Danish Krone", _("Danish Krone")),
    "SEK": ("Swedish Krona", _("Swedish Krona")),
    "NOK": ("Norwegian Krone", _("Norwegian Krone")),
    "CHF": ("Swiss Franc", _("Swiss Franc")),
    "JPY": ("Yen", _("Yen")),
}


class Currency(models.Model):
    """A transaction currency (Dynamics `transactioncurrency`).

    `exchange_rate` is how many units of this currency one unit of the base currency buys
    (Dynamics' convention), so an amount in base currency is `amount / exchange_rate`.
    """

    code = models.CharField(
        _("ISO code"),
        max_length=3,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter ISO 4217 code, e.g. EUR."))
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=10)
    exchange_rate = models.DecimalField(
        _("exchange rate"),
        max_digits=20,
        decimal_places=10,
        default=Decimal(1),
        help_text=_("Units of this currency per one unit of the base currency."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CurrencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0),
                name="opportunities_currency_positive_rate",
                violation_error_message=_("The exchange rate must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.display_name})"

    @property
    def display_name(self):
        """The name in the active language when it is a known currency's English name."""
        english, translated = CURRENCY_NAMES.get(self.code, (None, None))
        return str(translated) if self.name == english else self.name

    @property
    def is_base(self):
        return self.code == settings.BASE_CURRENCY

    def clean(self):
        super().clean()
        errors = {}
        if self.is_base and self.exchange_rate != 1:
            errors["exchange_rate"] = _("The base currency's rate is always 1.")
        if self.is_base and not self.is_active:
            errors["is_active"] = _("The base currency cannot be deactivated.")
        if errors:
            raise ValidationError(errors)

    def to_base(self, amount):
        """`amount` in this currency, converted to the base currency (2 decimals)."""
        if amount is None:
            return None
        return (Decimal(amount) / Decimal(self.exchange_rate)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


class SalesStage(models.IntegerChoices):
    """Stages of the "Lead to Opportunity Sales Process" (Dynamics `salesstage`)."""

    QUALIFY = 0, _("Qualify")
    DEVELOP = 1, _("Develop")
    PROPOSE = 2, _("Propose")
    CLOSE = 3, _("Close")


class Rating(models.TextChoices):
    """Hot / warm / cold: Dynamics' `leadqualitycode` on the lead, `opportunityratingcode` on
    the opportunity it becomes."""

    HOT = "hot", _("Hot")
    WARM = "warm", _("Warm")
    COLD = "cold", _("Cold")


class BudgetStatus(models.IntegerChoices):
    NO_COMMITTED_BUDGET = 0, _("No Committed Budget")
    MAY_BUY = 1, _("May Buy")
    CAN_BUY = 2, _("Can Buy")
    WILL_BUY = 3, _("Will Buy")


class PurchaseTimeframe(models.IntegerChoices):
    IMMEDIATE = 0, _("Immediate")
    THIS_QUARTER = 1, _("This Quarter")
    NEXT_QUARTER = 2, _("Next Quarter")
    THIS_YEAR = 3, _("This Year")
    UNKNOWN = 4, _("Unknown")


class PurchaseProcess(models.IntegerChoices):
    INDIVIDUAL = 0, _("Individual")
    COMMITTEE = 1, _("Committee")
    UNKNOWN = 2, _("Unknown")


class Need(models.IntegerChoices):
    MUST_HAVE = 0, _("Must have")
    SHOULD_HAVE = 1, _("Should have")
    GOOD_TO_HAVE = 2, _("Good to have")
    NO_NEED = 3, _("No need")


class OpportunityQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(state=Opportunity.State.OPEN)

    def won(self):
        return self.filter(state=Opportunity.State.WON)

    def lost(self):
        return self.filter(state=Opportunity.State.LOST)


class Opportunity(OwnedRecord):
    """A potential sale to an account or a contact (Dynamics `opportunity`).

    `account` / `contact` are the potential customer (Dynamics' customerid: exactly one).
    `parent_contact` is the person to talk to when the customer is an account (Dynamics'
    parentcontactid). `source_campaign` is Dynamics' campaignid; campaigns belong to the
    leads app, which imports this one, so the foreign key names it as a string
    ('leads.Campaign') and this app's code never imports leads.
    """

    class State(models.IntegerChoices):
        OPEN = 0, _("Open")
        WON = 1, _("Won")
        LOST = 2, _("Lost")

    class Status(models.IntegerChoices):
        IN_PROGRESS = 1, _("In Progress")
        ON_HOLD = 2, _("On Hold")
        WON = 3, _("Won")
        CANCELED = 4, _("Canceled")
        OUT_SOLD = 5, _("Out-Sold")

    STATUSES_BY_STATE = {
        State.OPEN: (Status.IN_PROGRESS, Status.ON_HOLD),
        State.WON: (Status.WON,),
        State.LOST: (Status.CANCELED, Status.OUT_SOLD),
    }

    topic = models.CharField(_("topic"), max_length=300)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    parent_contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities_as_parent_contact",
        help_text=_("The person at the account to deal with (when the customer is an account)."),
    )
    source_campaign = models.ForeignKey(
        "leads.Campaign",
        verbose_name=_("source campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    currency = models.ForeignKey(
        Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    estimated_value = models.DecimalField(
        _("estimated revenue"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    estimated_close_date = models.DateField(_("estimated close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    sales_stage = models.PositiveSmallIntegerField(
        _("sales stage"), choices=SalesStage, default=SalesStage.QUALIFY
    )
    budget_amount = models.DecimalField(
        _("budget amount"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_status = models.PositiveSmallIntegerField(
        _("budget"), choices=BudgetStatus, null=True, blank=True
    )
    purchase_timeframe = models.PositiveSmallIntegerField(
        _("purchase timeframe"), choices=PurchaseTimeframe, null=True, blank=True
    )
    purchase_process = models.PositiveSmallIntegerField(
        _("purchase process"), choices=PurchaseProcess, null=True, blank=True
    )
    need = models.PositiveSmallIntegerField(_("need"), choices=Need, null=True, blank=True)
    decision_maker = models.BooleanField(_("decision maker identified"), default=False)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating, blank=True)
    description = models.TextField(_("description"), blank=True)

    state = models.PositiveSmallIntegerField(
        _("status"), choices=State, default=State.OPEN, editable=False, db_index=True
    )
    timeline_state_field = "state"  # won, lost, reopened on the timeline (activities)
    status = models.PositiveSmallIntegerField(
        _("status reason"), choices=Status, default=Status.IN_PROGRESS
    )
    actual_value = models.DecimalField(
        _("actual revenue"), max_digits=16, decimal_places=2, null=True, blank=True, editable=False
    )
    actual_close_date = models.DateField(
        _("actual close date"), null=True, blank=True, editable=False
    )
    close_description = models.TextField(_("closing notes"), blank=True, editable=False)
    # The global search's index (opportunities.search, crm.search_index): the topic folded;
    # trigram GIN on PostgreSQL, FTS5 on SQLite (migration 0007). Kept current by save().
    search_text = models.TextField(blank=True, editable=False)

    objects = OpportunityQuerySet.as_manager()

    class Meta(OwnedRecord.Meta):
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-pk"]
        # One per sort the list offers (opportunities/filters.py), with the id, so ORDER BY
        # ... LIMIT reads an index instead of sorting every visible opportunity.
        indexes = [
            models.Index(fields=["topic", "id"], name="opp_sort_topic_idx"),
            models.Index(fields=["estimated_close_date", "id"], name="opp_sort_close_idx"),
            models.Index(fields=["estimated_value", "id"], name="opp_sort_value_idx"),
            models.Index(fields=["created_at", "id"], name="opp_sort_created_idx"),
        ]
        constraints = [
            *OwnedRecord.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    Q(account__isnull=False, contact__isnull=True)
                    | Q(account__isnull=True, contact__isnull=False)
                ),
                name="opportunities_opportunity_one_customer",
                violation_error_message=_(
                    "Choose exactly one potential customer: an account or a contact."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(state=0, status__in=[1, 2])
                    | Q(state=1, status=3)
                    | Q(state=2, status__in=[4, 5])
                ),
                name="opportunities_opportunity_status_fits_state",
                violation_error_message=_("The status reason does not fit the status."),
            ),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100),
                name="opportunities_opportunity_probability_range",
                violation_error_message=_("Probability is a percentage from 0 to 100."),
            ),
        ]

    def __str__(self):
        return self.topic

    def save(self, *args, **kwargs):
        # The text names the customer: read it only when what the text is made of changed
        # (an edit of the amount, a close or a stage move reads no account).
        if not self.search_text or getattr(self, "_search_source", None) != self._search_key():
            self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("opportunities:detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        deal = super().from_db(db, field_names, values, **kwargs)
        deal._search_source = deal._search_key()
        return deal

    def _search_key(self):
        return tuple(self.__dict__.get(name) for name in ("topic", "account_id", "contact_id"))

    def refresh_search_text(self):
        account, contact = self.account, self.contact
        self.search_text = search.opportunity_text(
            self.topic,
            account.name if account else "",
            contact.first_name if contact else "",
            contact.last_name if contact else "",
        )

    @property
    def customer(self):
        """The potential customer: the account or the contact."""
        return self.account or self.contact

    @customer.setter
    def customer(self, value):
        if isinstance(value, Account):
            self.account, self.contact = value, None
        elif isinstance(value, Contact):
            self.account, self.contact = None, value
        else:
            raise TypeError("The customer is an Account or a Contact.")

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def state_code(self):
        """The state's code for CSS ("open", "won", "lost"), never its translated label."""
        return self.State(self.state).name.lower()

    @property
    def estimated_value_base(self):
        return self.currency.to_base(self.estimated_value)

    @property
    def actual_value_base(self):
        return self.currency.to_base(self.actual_value)

    def clean(self):
        super().clean()
        # "Exactly one customer" is the opportunities_opportunity_one_customer constraint's
        # message (full_clean validates constraints): not said twice.
        if self.parent_contact_id and self.contact_id:
            raise ValidationError(
                {
                    "parent_contact": _(
                        "The customer is a contact already: a contact person is only for an "
                        "account."
                    )
                }
            )
        if self.status not in self.STATUSES_BY_STATE[self.State(self.state)]:
            raise ValidationError({"status": _("The status reason does not fit the status.")})

    @staticmethod
    def _check_close_date(close_date):
        # A day's grace: "today" where the user is may be tomorrow in the server's time zone.
        if close_date and close_date > timezone.localdate() + datetime.timedelta(days=1):
            raise DomainError(_("The actual close date cannot be in the future."))

    def close_as_won(self, *, actual_value=None, close_date=None, description=""):
        """Open -> Won. The actual revenue defaults to the estimate, the date to today."""
        if not self.is_open:
            raise DomainError(
                _("Only an open opportunity can be closed; this one is %(state)s.")
                % {"state": self.get_state_display().lower()}
            )
        if actual_value is not None and actual_value < 0:
            raise DomainError(_("The actual revenue cannot be negative."))
        self._check_close_date(close_date)
        self.state, self.status = self.State.WON, self.Status.WON
        self.actual_value = actual_value if actual_value is not None else self.estimated_value
        self.actual_close_date = close_date or timezone.localdate()
        self.close_description = description
        self.probability = 100
        self.sales_stage = SalesStage.CLOSE

    close_as_won.alters_data = True

    def close_as_lost(self, *, status=Status.CANCELED, close_date=None, description=""):
        """Open -> Lost with reason Canceled or Out-Sold; the actual revenue becomes 0."""
        if not self.is_open:
            raise DomainError(
                _("Only an open opportunity can be closed; this one is %(state)s.")
                % {"state": self.get_state_display().lower()}
            )
        if status not in self.STATUSES_BY_STATE[self.State.LOST]:
            raise DomainError(_("A lost opportunity is either Canceled or Out-Sold."))
        self._check_close_date(close_date)
        self.state, self.status = self.State.LOST, status
        self.actual_value = Decimal(0)
        self.actual_close_date = close_date or timezone.localdate()
        self.close_description = description
        self.probability = 0

    close_as_lost.alters_data = True

    def move_to_stage(self, stage):
        """An open opportunity's next (or earlier) sales stage, as the board moves it."""
        if not self.is_open:
            raise DomainError(
                _("Only an open opportunity changes stage; this one is %(state)s.")
                % {"state": self.get_state_display().lower()}
            )
        try:
            self.sales_stage = SalesStage(int(stage))
        except (TypeError, ValueError):
            raise DomainError(_("Choose one of the sales stages.")) from None

    move_to_stage.alters_data = True

    def reopen(self):
        """Won or Lost -> Open (In Progress); the actual revenue and close date are cleared."""
        if self.is_open:
            raise DomainError(_("This opportunity is already open."))
        self.state, self.status = self.State.OPEN, self.Status.IN_PROGRESS
        self.actual_value = None
        self.actual_close_date = None
        self.close_description = ""
        # Closing set the probability (100 or 0) and the stage (Close when won): back to what
        # they were while it was open, from its history, else the values of a new one.
        before = (
            self.history.filter(state=self.State.OPEN)
            .order_by("-history_date", "-history_id")
            .values("probability", "sales_stage")
            .first()
        )
        if before is None:
            before = {"probability": None, "sales_stage": SalesStage.QUALIFY}
        self.probability = before["probability"]
        self.sales_stage = before["sales_stage"]

    reopen.alters_data = True
