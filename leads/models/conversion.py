"""What qualifying a lead made (Qualification), the organisation's qualification defaults,
and the links of a lead to accounts and contacts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact
from leads.models.lead import Lead
from leads.models.sources import Campaign
from opportunities.models import (
    Currency,
    Opportunity,
)


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
