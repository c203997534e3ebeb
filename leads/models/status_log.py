"""The append-only log of every change of a lead's state or status reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError
from crm.models import OwnedQuerySet, Team
from leads.models.choices import State, Status
from leads.models.lead import Lead

# Statuses in which a lead waits: a stay in one runs until now. A stay in a closed status
# only counts once the lead left it (reactivated), otherwise it would grow forever.
WAITING_STATUSES = (Status.NEW, Status.CONTACTED)
# The stays the time-in-status report counts (and its indexes hold).
COUNTED_STAYS = Q(left_at__isnull=False) | Q(to_status__in=WAITING_STATUSES)


class StaySeconds(models.Func):
    """`later - earlier` in seconds, a float, in SQL the database can store a generated
    column with (deterministic on both). On PostgreSQL date_part, a float8: EXTRACT returns
    numeric, whose arithmetic per stay is slow (reports/queries.py: seconds_between)."""

    arity = 2
    output_field = models.FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if connection.vendor == "postgresql":
            sql = f"date_part('epoch', {later} - {earlier})"
        else:
            sql = f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        return sql, [*later_params, *earlier_params]


class LeadStatusChange(models.Model):
    """Append-only log of every change of state or status reason (time-in-status reports).

    `save()` and `delete()` refuse to change a stored entry. Two columns are written again
    by queryset `.update()` in `leads/services.py`, the only exceptions: `left_at` when the
    next entry closes the stay, and `owner_user` / `owner_team` for all of a lead's entries
    when its owner changes (`set_owner`, `update_lead`)."""

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
    # The stay's length once it ended (None while it runs), stored by the database: the
    # time-in-status report's median reads it in its indexes' order (each group's stays come
    # sorted, so the sort of percentile_cont has nothing to do) instead of computing a
    # duration for each of two million stays.
    stay_seconds = models.GeneratedField(
        expression=StaySeconds("left_at", "changed_at"),
        output_field=models.FloatField(),
        db_persist=True,
        verbose_name=_("length of the stay (seconds)"),
    )
    reason = models.TextField(_("why"), blank=True)
    # The lead's owner now (not when the entry was made), copied onto each of its entries, so
    # the time-in-status report finds the stays a user sees and groups them by owner from
    # this table's own indexes, without joining a million leads. Foreign keys named as the
    # lead's, so `visible_to` (OwnedQuerySet) decides here too. No database constraint, no
    # index and no deletion check of their own: the lead's foreign keys (PROTECT) already
    # keep these owners existing, a constraint would check every row of a bulk insert
    # again, and the report's indexes below lead with them.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (user)"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        editable=False,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name=_("owner (team)"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        editable=False,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    objects = OwnedQuerySet.as_manager()

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
            # Time in status narrowed by lead columns (created in a month, a source): the
            # stays of those leads, looked up by lead.
            models.Index(
                fields=["lead", "to_status", "changed_at", "stay_seconds"],
                name="leads_stays_lead_idx",
            ),
            # Time in status by owner: the counted stays of a user's (or teammates') leads,
            # and all of them for an administrator in the report's group order, index-only;
            # the lead for a date, source or campaign filter.
            models.Index(
                fields=[
                    "owner_user",
                    "owner_team",
                    "to_status",
                    "stay_seconds",
                    "changed_at",
                    "lead",
                ],
                condition=COUNTED_STAYS,
                name="leads_stays_owner_idx",
            ),
            # ... and of the team queues a user sees (a few of the leads).
            models.Index(
                fields=["owner_team", "to_status", "stay_seconds", "changed_at", "lead"],
                condition=Q(owner_team__isnull=False) & COUNTED_STAYS,
                name="leads_stays_team_idx",
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
