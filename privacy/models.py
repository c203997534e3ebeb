import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import VersionedSetting


def email_digest(salt, email):
    return hashlib.sha256(f"{salt}:{email.strip().lower()}".encode()).hexdigest()


class Erasure(models.Model):
    """The tombstone of an erased person: when, by whom, why, and how many things were
    erased; never the e-mail address itself, only a salted hash that recognises it again."""

    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.TextField(_("why"))
    salt = models.CharField(max_length=32, editable=False)
    email_hash = models.CharField(max_length=64, editable=False)
    counts = models.JSONField(_("erased"), default=dict)
    # The retention rule that erased the record, when one did (the reason names it too).
    policy = models.ForeignKey(
        "privacy.RetentionPolicy",
        verbose_name=_("retention rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="erasures",
    )

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-pk"]

    def __str__(self):
        return f"#{self.pk} {self.erased_at:%Y-%m-%d}"

    def set_email(self, email):
        self.salt = secrets.token_hex(16)
        self.email_hash = email_digest(self.salt, email)

    def matches(self, email):
        return secrets.compare_digest(self.email_hash, email_digest(self.salt, email))


class ConsentRecord(models.Model):
    """One consent a person gave or withdrew for one purpose (Salesforce's Contact Point
    Consent): append-only, a withdrawal is a new record; the newest record of a purpose is
    its current state. It regards a lead or a contact, exactly one."""

    class Purpose(models.TextChoices):
        MARKETING_EMAIL = "marketing_email", _("Marketing e-mail")
        NEWSLETTER = "newsletter", _("Newsletters")
        PHONE = "phone", _("Phone calls")
        SMS = "sms", _("Text messages (SMS)")
        EVENTS = "events", _("Events and invitations")
        PROCESSING = "processing", _("Data processing and storage")

    class Status(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class How(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        IMPORT = "import", _("Import")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Paper form")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_records",
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_records",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(lead__isnull=False, contact__isnull=True)
                    | models.Q(lead__isnull=True, contact__isnull=False)
                ),
                name="consent_lead_or_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["lead", "-recorded_at", "-id"], name="consent_lead_time"),
            models.Index(fields=["contact", "-recorded_at", "-id"], name="consent_contact_time"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()}: {self.get_status_display()}"

    @property
    def record(self):
        return self.lead if self.lead_id else self.contact


class RetentionPolicy(VersionedSetting):
    """An organisation's retention rule (Dynamics' and Salesforce's data retention policies):
    which records, after how many months without activity, are anonymised: their personal
    data erased, the record kept so that reports keep their counts (privacy/retention.py)."""

    class Target(models.TextChoices):
        DISQUALIFIED_LEADS = "disqualified_leads", _("Disqualified leads")
        OPEN_LEADS = "open_leads", _("Open leads")

    class Action(models.TextChoices):
        ANONYMISE = "anonymise", _("Anonymise (erase the personal data, keep the record)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    target = models.CharField(
        _("records"), max_length=30, choices=Target, default=Target.DISQUALIFIED_LEADS
    )
    months = models.PositiveSmallIntegerField(
        _("months without activity"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_(
            "A lead's last activity is the newest of its last change, its last status change "
            "and the activities, notes and inquiries regarding it."
        ),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action, default=Action.ANONYMISE)
    is_enabled = models.BooleanField(
        _("enabled"),
        default=False,
        help_text=_(
            "Enabled rules run every night. Open the rule's dry run first: it lists the "
            "records the rule would anonymise now."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_applied_at = models.DateTimeField(
        _("last applied at"), null=True, blank=True, editable=False
    )
    last_applied_count = models.PositiveIntegerField(
        _("records anonymised last time"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__gte=1, months__lte=1200),
                name="privacy_retention_months_range",
                violation_error_message=_("Enter between 1 and 1200 months."),
            ),
        ]

    def __str__(self):
        return self.name
