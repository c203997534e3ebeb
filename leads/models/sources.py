"""Where leads come from: lead sources (Dynamics' leadsourcecode) and marketing campaigns."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# Dynamics' ten sources (the data migration seeds them in English): a source still called by
# its English name is shown in the reader's language; one an administrator renamed or added
# is shown as named.
SEEDED_NAMES = {
    "Advertisement": _("Advertisement"),
    "Employee Referral": _("Employee Referral"),
    "External Referral": _("External Referral"),
    "Partner": _("Partner"),
    "Public Relations": _("Public Relations"),
    "Seminar": _("Seminar"),
    "Trade Show": _("Trade Show"),
    "Web": _("Web"),
    "Word of Mouth": _("Word of Mouth"),
    "Other": _("Other"),
    # Not one of Dynamics' ten: the mail app adds it with the first lead made from e-mail.
    "E-mail": _("E-mail"),
}


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
        return str(SEEDED_NAMES.get(self.name, self.name))


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
