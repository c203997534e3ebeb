"""The append-only log of every change of a lead's state or status reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError
from leads.models.choices import State, Status
from leads.models.lead import Lead


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
    # When the lead left the status this entry put it in: the next entry's changed_at,
    # written with that entry (None while the stay runs), so a stay's length is read off
    # one row and the time-in-status report needs no window over the whole log.
    left_at = models.DateTimeField(_("left at"), null=True, blank=True, editable=False)
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
            # Time in status: every stay of the leads in scope, read from the index alone.
            models.Index(
                fields=["lead", "to_status", "changed_at", "left_at"],
                name="leads_statuslog_stay_idx",
            ),
            # The funnel's "reached Contacted" (in lead order, no sort).
            models.Index(
                fields=["lead"],
                condition=Q(to_status="contacted"),
                name="leads_statuslog_contacted_idx",
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
