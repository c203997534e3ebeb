"""Public web-to-lead forms and what each submission brought with it.

The lead itself is created through leads.services.create_lead (routing applies); what the
lead model has no field for (UTM values, the referring page, the duplicate flags found at
submission) is kept on the Submission linked to it."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import RecordHistory, VersionedSetting, scope_of
from leads.models import Campaign, LeadSource

# The lead fields a web form may show, in form order (leads' API names).
CAPTURABLE_FIELDS = [
    "salutation",
    "first_name",
    "last_name",
    "email",
    "business_phone",
    "mobile_phone",
    "job_title",
    "company_name",
    "website",
    "number_of_employees",
    "street",
    "city",
    "state_province",
    "postal_code",
    "country",
    "topic",
    "description",
]
# A lead needs one of these, so a form shows at least one.
IDENTIFYING_FIELDS = {"last_name", "company_name", "email"}
UTM_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]


def new_public_key():
    return secrets.token_urlsafe(16)


class WebFormQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """The web forms `user` may see and change in the app: an administrator every form, a
        manager those that create their leads as a member of a team they manage (that user
        owns what no rule routes, and the duplicates are looked for in what they see)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        return self.filter(created_by_id__in=scope_of(user).managed_member_ids)


class WebForm(VersionedSetting):
    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(
        _("public key"),
        max_length=64,
        unique=True,
        default=new_public_key,
        help_text=_("Part of the form's public address: /capture/<key>/."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    title = models.CharField(_("heading"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    fields = models.JSONField(
        _("fields shown"), default=list, help_text=_("Lead fields on the form, in order.")
    )
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    source = models.ForeignKey(
        LeadSource,
        verbose_name=_("lead source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("create leads as"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Leads from this form are created in this user's name; when no routing rule "
            "matches, this user owns them. Duplicates are looked for among what they can see."
        ),
    )
    thank_you_url = models.URLField(
        _("thank-you page"), blank=True, help_text=_("Visitors go here after submitting.")
    )
    thank_you_message = models.TextField(
        _("thank-you message"),
        blank=True,
        help_text=_("Shown after submitting when there is no thank-you page."),
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_(
            "Sites that may embed or post to this form, one per line, such as "
            "https://www.example.com. The CRM's own address is always allowed."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The form's language. Leave empty to follow the visitor's browser."),
    )
    ask_consent = models.BooleanField(
        _("ask for consent"),
        default=False,
        help_text=_(
            "The form shows a required checkbox with the consent text; a submission records "
            "the person's consent to marketing e-mail."
        ),
    )
    consent_text = models.TextField(
        _("consent text"),
        blank=True,
        help_text=_(
            "What the visitor agrees to, e.g. “I agree that Contoso may send me news and "
            "offers by e-mail. I can withdraw my consent at any time.”"
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = RecordHistory()
    objects = WebFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("webforms:edit", args=[self.pk])

    @property
    def origins(self):
        return [
            line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()
        ]

    def clean(self):
        super().clean()
        errors = {}
        unknown = [name for name in self.fields or [] if name not in CAPTURABLE_FIELDS]
        if unknown:
            errors["fields"] = _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
        elif not IDENTIFYING_FIELDS & set(self.fields or []):
            errors["fields"] = _("Show at least one of last name, company name or e-mail.")
        if set(self.required_fields or []) - set(self.fields or []):
            errors["required_fields"] = _("A required field must be shown too.")
        if self.ask_consent and not self.consent_text.strip():
            errors["consent_text"] = _("Write what the visitor consents to.")
        for origin in self.origins:
            if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
                errors["allowed_origins"] = _(
                    "Write each origin as scheme and host only, e.g. https://www.example.com."
                )
        if errors:
            raise ValidationError(errors)


class Submission(models.Model):
    """One accepted submission of a web form and the lead it created."""

    web_form = models.ForeignKey(WebForm, on_delete=models.PROTECT, related_name="submissions")
    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, related_name="web_submission"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    # Same form, same normalised e-mail, same values: see capture.services.fingerprint().
    fingerprint = models.CharField(max_length=64, db_index=True, editable=False)
    utm_source = models.CharField(_("UTM source"), max_length=200, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=200, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=200, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=200, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=200, blank=True)
    referrer_url = models.URLField(_("referring page"), max_length=1000, blank=True)
    possible_duplicates = models.JSONField(_("possible duplicates"), default=list, blank=True)

    class Meta:
        verbose_name = _("web form submission")
        verbose_name_plural = _("web form submissions")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.web_form} → {self.lead}"


class SubmissionGuard(models.Model):
    """The database's idempotency guard for web form submissions: inserted in the same
    transaction as the lead, so of two identical submissions at once (any process) the
    second waits for the first and then fails the unique constraint: it is the same
    submission (capture.services.submit_web_form). `bucket` numbers the idempotency window
    the submission arrived in."""

    web_form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    bucket = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["web_form", "fingerprint", "bucket"], name="submission_guard_unique"
            )
        ]

    def __str__(self):
        return f"{self.web_form_id}:{self.fingerprint[:12]}@{self.bucket}"
