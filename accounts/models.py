"""Customers: accounts (companies) and contacts (people).

Phone numbers and e-mail addresses are stored as typed. The `*_key` fields hold normalised
forms (crm.lib.duplicates) that serve duplicate matching only; they are indexed so the
candidate query stays fast on large tables, and `save()` keeps them current.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import search
from crm.errors import DomainError
from crm.lib import duplicates
from crm.models import OwnedQuerySet, OwnedRecord


class Industry(models.IntegerChoices):
    """Dynamics `industrycode` (1-33)."""

    ACCOUNTING = 1, _("Accounting")
    AGRICULTURE = 2, _("Agriculture and Non-petrol Natural Resource Extraction")
    BROADCASTING = 3, _("Broadcasting Printing and Publishing")
    BROKERS = 4, _("Brokers")
    BUILDING_SUPPLY_RETAIL = 5, _("Building Supply Retail")
    BUSINESS_SERVICES = 6, _("Business Services")
    CONSULTING = 7, _("Consulting")
    CONSUMER_SERVICES = 8, _("Consumer Services")
    DESIGN = 9, _("Design, Direction and Creative Management")
    DISTRIBUTORS = 10, _("Distributors, Dispatchers and Processors")
    DOCTORS_OFFICES = 11, _("Doctor's Offices and Clinics")
    DURABLE_MANUFACTURING = 12, _("Durable Manufacturing")
    EATING_AND_DRINKING = 13, _("Eating and Drinking Places")
    ENTERTAINMENT_RETAIL = 14, _("Entertainment Retail")
    EQUIPMENT_RENTAL = 15, _("Equipment Rental and Leasing")
    FINANCIAL = 16, _("Financial")
    FOOD_AND_TOBACCO = 17, _("Food and Tobacco Processing")
    INBOUND_CAPITAL_INTENSIVE = 18, _("Inbound Capital Intensive Processing")
    INBOUND_REPAIR = 19, _("Inbound Repair and Services")
    INSURANCE = 20, _("Insurance")
    LEGAL_SERVICES = 21, _("Legal Services")
    NON_DURABLE_RETAIL = 22, _("Non-Durable Merchandise Retail")
    OUTBOUND_CONSUMER_SERVICE = 23, _("Outbound Consumer Service")
    PETROCHEMICAL = 24, _("Petrochemical Extraction and Distribution")
    SERVICE_RETAIL = 25, _("Service Retail")
    SIG_AFFILIATIONS = 26, _("SIG Affiliations")
    SOCIAL_SERVICES = 27, _("Social Services")
    SPECIAL_OUTBOUND_TRADE = 28, _("Special Outbound Trade Contractors")
    SPECIALTY_REALTY = 29, _("Specialty Realty")
    TRANSPORTATION = 30, _("Transportation")
    UTILITY = 31, _("Utility Creation and Distribution")
    VEHICLE_RETAIL = 32, _("Vehicle Retail")
    WHOLESALE = 33, _("Wholesale")


class PreferredContactMethod(models.IntegerChoices):
    """Dynamics `preferredcontactmethodcode`."""

    ANY = 1, _("Any")
    EMAIL = 2, _("E-mail")
    PHONE = 3, _("Phone")
    FAX = 4, _("Fax")
    MAIL = 5, _("Mail")


class Address(models.Model):
    """The postal address fields accounts and contacts share (Dynamics `address1_*`)."""

    street = models.CharField(_("street"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    state_or_province = models.CharField(_("state/province"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=80, blank=True)

    class Meta:
        abstract = True

    @property
    def address_lines(self):
        """The non-empty address parts, one per line, for display."""
        city_line = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.street, city_line, self.state_or_province, self.country)
        return [part for part in parts if part]


class CustomerQuerySet(OwnedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class CustomerRecord(OwnedRecord, Address):
    """What accounts and contacts share: an address, active flag and deactivation."""

    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    # Merged into another record (Dynamics' masterid): inactive and read-only while it is set
    # (accounts/merge.py; undoing the merge clears it).
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
    )
    timeline_state_field = "is_active"  # deactivated, activated on the timeline (activities)

    objects = CustomerQuerySet.as_manager()

    class Meta(OwnedRecord.Meta):
        abstract = True

    def deactivate(self):
        """Mark the record inactive (Dynamics SetState to Inactive); it stays readable."""
        if not self.is_active:
            raise DomainError(_("%(record)s is already inactive.") % {"record": self})
        self.is_active = False

    deactivate.alters_data = True

    def ensure_not_merged(self):
        if self.merged_into_id is not None:
            raise DomainError(
                _("%(record)s was merged into another record and is read-only.") % {"record": self}
            )

    def activate(self):
        self.ensure_not_merged()
        if self.is_active:
            raise DomainError(_("%(record)s is already active.") % {"record": self})
        self.is_active = True

    activate.alters_data = True


class Account(CustomerRecord):
    """A customer company (Dynamics `account`)."""

    name = models.CharField(_("account name"), max_length=160)
    website = models.URLField(_("website"), max_length=200, blank=True)
    phone = models.CharField(_("main phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    industry = models.PositiveSmallIntegerField(
        _("industry"), choices=Industry, null=True, blank=True
    )
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    number_of_employees = models.PositiveIntegerField(
        _("number of employees"), null=True, blank=True
    )
    parent_account = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="child_accounts",
    )

    # Normalised keys for duplicate matching (see crm.lib.duplicates); never shown.
    name_key = models.CharField(max_length=160, blank=True, editable=False, db_index=True)
    # The first word of name_key: an equality lookup finds "Acme Nordic" for "Acme" on an
    # index in every database (a LIKE prefix only uses one on PostgreSQL).
    name_token = models.CharField(max_length=60, blank=True, editable=False, db_index=True)
    # The rough sounds of the distinctive words, sorted (crm.lib.duplicates.sound_key): "Nordic
    # Acme" finds "Acme Nordic" and "Fabricam" finds "Fabrikam" on an equality index.
    name_sound = models.CharField(max_length=160, blank=True, editable=False, db_index=True)
    email_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    phone_key = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    domain_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    # The global search's index (accounts.search, crm.search_index): name, e-mail and website
    # folded, the phone as digits; trigram GIN on PostgreSQL, FTS5 on SQLite (migration 0005).
    search_text = models.TextField(blank=True, editable=False)

    KEY_FIELDS = (
        "name_key", "name_token", "name_sound", "email_key", "phone_key", "domain_key",
        "search_text",
    )  # fmt: skip

    class Meta(CustomerRecord.Meta):
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name", "pk"]
        constraints = [*OwnedRecord.Meta.constraints]
        # One per sort the list offers (accounts/filters.py), with its tie-breakers and the
        # id, so ORDER BY ... LIMIT reads an index instead of sorting every visible account.
        indexes = [
            models.Index(fields=["name", "id"], name="accounts_acct_sort_name_idx"),
            models.Index(fields=["city", "name", "id"], name="accounts_acct_sort_city_idx"),
            models.Index(fields=["created_at", "id"], name="accounts_acct_sort_created_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.KEY_FIELDS}
        # Read by receivers of post_save too (opportunities find their customer by its name).
        self.renamed = getattr(self, "_stored_name", self.name) != self.name
        super().save(*args, **kwargs)
        self._stored_name = self.name
        if self.renamed:
            self.refresh_contacts_search_text()

    def get_absolute_url(self):
        return reverse("accounts:account_detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        account = super().from_db(db, field_names, values, **kwargs)
        account._stored_name = account.__dict__.get("name")
        return account

    def refresh_contacts_search_text(self):
        """Its contacts are found by its name: a rename rewrites their search text (one
        UPDATE per contact whose text changed)."""
        for contact in self.contacts.select_related("account"):
            before = contact.search_text
            contact.refresh_keys()
            if contact.search_text != before:
                Contact.objects.filter(pk=contact.pk).update(search_text=contact.search_text)

    def refresh_keys(self):
        self.name_key = duplicates.company_key(self.name)[:160]
        self.name_token = self.name_key.partition(" ")[0][:60]
        self.name_sound = duplicates.sound_key(self.name_key)[:160]
        self.email_key = duplicates.normalise_email(self.email)[:100]
        self.phone_key = duplicates.normalise_phone(self.phone)[:20]
        self.domain_key = (
            duplicates.website_domain(self.website) or duplicates.company_domain(self.email)
        )[:100]
        self.search_text = search.account_text(*(getattr(self, f) for f in search.ACCOUNT_FIELDS))

    def clean(self):
        super().clean()
        if self.parent_account_id and self.parent_account_id == self.pk:
            raise ValidationError({"parent_account": _("An account cannot be its own parent.")})


class Contact(CustomerRecord):
    """A person (Dynamics `contact`), usually working for an account."""

    salutation = models.CharField(_("salutation"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=50, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=50, blank=True)
    last_name = models.CharField(_("last name"), max_length=50)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), max_length=100, blank=True)
    business_phone = models.CharField(_("business phone"), max_length=50, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=50, blank=True)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        help_text=_("The company this person works for (Dynamics: parent customer)."),
    )
    preferred_contact_method = models.PositiveSmallIntegerField(
        _("preferred contact method"),
        choices=PreferredContactMethod,
        default=PreferredContactMethod.ANY,
    )
    do_not_email = models.BooleanField(_("do not e-mail"), default=False)
    do_not_phone = models.BooleanField(_("do not phone"), default=False)

    # Normalised keys for duplicate matching (see crm.lib.duplicates); never shown.
    name_key = models.CharField(max_length=110, blank=True, editable=False, db_index=True)
    email_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    email_domain = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    phone_key = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    mobile_key = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    # The global search's index (accounts.search): names and e-mail folded, phones as digits.
    search_text = models.TextField(blank=True, editable=False)

    KEY_FIELDS = (
        "name_key",
        "email_key",
        "email_domain",
        "phone_key",
        "mobile_key",
        "search_text",
    )

    class Meta(CustomerRecord.Meta):
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [*OwnedRecord.Meta.constraints]
        # One per sort the list offers (accounts/filters.py), as the account's.
        indexes = [
            models.Index(
                fields=["last_name", "first_name", "id"], name="accounts_cont_sort_name_idx"
            ),
            models.Index(fields=["created_at", "id"], name="accounts_cont_sort_created_idx"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.refresh_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *self.KEY_FIELDS}
        names = (self.first_name, self.last_name)
        # Read by receivers of post_save (opportunities find their customer by its name).
        self.renamed = getattr(self, "_stored_names", names) != names
        super().save(*args, **kwargs)
        self._stored_names = names

    def get_absolute_url(self):
        return reverse("accounts:contact_detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        contact = super().from_db(db, field_names, values, **kwargs)
        contact._stored_names = (
            contact.__dict__.get("first_name"),
            contact.__dict__.get("last_name"),
        )
        return contact

    @property
    def full_name(self):
        parts = (self.first_name, self.middle_name, self.last_name)
        return " ".join(part for part in parts if part)

    def refresh_keys(self):
        self.name_key = duplicates.person_key(self.first_name, self.last_name)[:110]
        self.email_key = duplicates.normalise_email(self.email)[:100]
        self.email_domain = duplicates.company_domain(self.email)[:100]
        self.phone_key = duplicates.normalise_phone(self.business_phone)[:20]
        self.mobile_key = duplicates.normalise_phone(self.mobile_phone)[:20]
        account_name = self.account.name if self.account_id else ""
        self.search_text = search.contact_text(
            self.first_name,
            self.middle_name,
            self.last_name,
            self.email,
            self.business_phone,
            self.mobile_phone,
            account_name,
        )  # fmt: skip (the order of search.CONTACT_FIELDS)
