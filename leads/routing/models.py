"""The routing rules table, its settings, the distribution state (who is next) and the
explanation every routed assignment leaves behind."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.models import RecordHistory, Team, User, VersionedSetting, scope_of
from leads.conditions import (  # noqa: F401 (routing's names for the shared engine)
    CHOICE_FIELDS,
    NUMERIC_FIELDS,
    NUMERIC_ONLY_OPERATORS,
    TEXT_ONLY_OPERATORS,
    VALUELESS_OPERATORS,
    LeadField,
    Operator,
    clean_condition,
    value_items,
)
from leads.models import Lead


class Distribution(models.TextChoices):
    TEAM_OWNS = "team", _("Team owns it (members claim from the queue)")
    ROUND_ROBIN = "round_robin", _("Round robin among available members")
    LOAD_BALANCED = "load_balanced", _("Load balanced (fewest open leads first)")


class AssignmentRuleQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """The rules `user` may see and change in the app: an administrator every rule, a
        manager those whose target is a team they manage or a member of one; nobody else
        any (the request's scope, no subquery)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator:
            return self.all()
        scope = scope_of(user)
        return self.filter(
            Q(target_team_id__in=scope.managed_team_ids)
            | Q(target_user_id__in=scope.managed_member_ids)
        )


class AssignmentRule(VersionedSetting):
    """One row of the rules table: all conditions must hold; the first active match wins."""

    name = models.CharField(_("name"), max_length=200)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_team = models.ForeignKey(
        Team,
        verbose_name=_("assign to team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    distribution = models.CharField(
        _("distribution in the team"),
        max_length=20,
        choices=Distribution,
        default=Distribution.ROUND_ROBIN,
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("A member with this many open leads or more is skipped. Empty: no limit."),
    )

    history = RecordHistory()
    objects = AssignmentRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_user__isnull=False, target_team__isnull=True)
                | Q(target_user__isnull=True, target_team__isnull=False),
                name="routing_rule_exactly_one_target",
                violation_error_message=_("Assign to exactly one user or one team."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="routing_rule_capacity_positive",
                violation_error_message=_("A capacity must be at least 1."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("routing:rule_edit", args=[self.pk])

    @property
    def target(self):
        return self.target_user or self.target_team

    def clean(self):
        super().clean()
        if bool(self.target_user_id) == bool(self.target_team_id):
            raise ValidationError(gettext("Assign to exactly one user or one team."))


class AssignmentCondition(models.Model):
    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(_("lead field"), max_length=30, choices=LeadField)
    operator = models.CharField(_("operator"), max_length=20, choices=Operator)
    value = models.CharField(
        _("value"),
        max_length=500,
        blank=True,
        help_text=_("Text is compared without regard to case; lists are comma-separated."),
    )

    # Its rule's History tab shows the conditions' changes (leads/routing/history.py).
    history = RecordHistory()

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["pk"]

    def __str__(self):
        if self.operator in VALUELESS_OPERATORS:
            return f"{self.get_field_display()} {self.get_operator_display()}"
        return f"{self.get_field_display()} {self.get_operator_display()} {self.value}"

    def clean(self):
        """Refuse conditions that could never mean what the admin meant, and store choice
        values (industry, rating) as their codes, whichever the admin typed
        (leads/conditions.py, shared with scoring)."""
        super().clean()
        self.value = clean_condition(self.field, self.operator, self.value)

    def items(self):
        """The value as a list (one item unless the operator is “is one of”)."""
        return value_items(self.operator, self.value)


class RoutingSettings(models.Model):
    """Organisation setting (one row): who gets a lead no rule matches."""

    default_owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default owner (user)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_owner_team = models.ForeignKey(
        Team,
        verbose_name=_("default owner (team queue)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "When no rule matches. Empty: the user who created the lead (for the web form, "
            "the owner named on the form)."
        ),
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_owner_user__isnull=True) | Q(default_owner_team__isnull=True),
                name="routing_settings_one_default_owner",
                violation_error_message=_("Choose a default user or a default team, not both."),
            ),
        ]

    def __str__(self):
        return str(_("Routing settings"))

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row: editing in the admin always updates it
        super().save(*args, **kwargs)

    @property
    def default_owner(self):
        return self.default_owner_user or self.default_owner_team

    @classmethod
    def load(cls):
        return cls.objects.select_related("default_owner_user", "default_owner_team").first()


class TeamDistribution(models.Model):
    """Who is next in a team: one row per team, locked while a lead is given out, so several
    processes and servers take turns on the same state (no in-memory counters)."""

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, primary_key=True, related_name="routing_state"
    )
    # Bumped for every lead the team's routing gives out; members remember the last value.
    sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("team distribution state")
        verbose_name_plural = _("team distribution states")

    def __str__(self):
        return f"{self.team} #{self.sequence}"


class MemberDistribution(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_routed_at = models.DateTimeField(null=True, blank=True)
    routed_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("member distribution state")
        verbose_name_plural = _("member distribution states")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="routing_member_state_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.team}: {self.routed_count}"


class AssignmentExplanation(models.Model):
    """Why a lead went to whom: written after every routed assignment, claim, hand-over or
    assignment by hand."""

    class Kind(models.TextChoices):
        ROUTED = "routed", _("Routed on creation")
        REROUTED = "rerouted", _("Re-routed")
        CLAIMED = "claimed", _("Claimed from the team queue")
        HANDED_OVER = "handed_over", _("Handed over from a departing user")
        ASSIGNED = "assigned", _("Assigned by hand")

    class Outcome(models.TextChoices):
        RULE = "rule", _("A rule matched")
        DEFAULT = "default", _("No rule matched: the default owner")
        CREATOR = "creator", _("No rule matched and no default owner: the creator")
        CHOSEN = "chosen", _("Chosen by a person")

    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="assignment_explanations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.ROUTED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome)
    rule = models.ForeignKey(
        AssignmentRule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="explanations",
    )
    rule_name = models.CharField(_("rule name"), max_length=200, blank=True)
    distribution = models.CharField(
        _("distribution"), max_length=20, choices=Distribution, blank=True
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given to (user)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_team = models.ForeignKey(
        Team,
        verbose_name=_("given to (team)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # [{"user_id", "name", "status": chosen|available|away|inactive|membership_inactive|
    #   at_capacity|excluded, "open_leads"}], in the order they were considered.
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    # Rules that matched but could not take the lead: [{"rule_id", "name", "reason"}].
    passed_over = models.JSONField(_("rules passed over"), default=list, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment explanation")
        verbose_name_plural = _("assignment explanations")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="routing_expl_lead_idx"),
            # A user's assignments of the last days: the home page's "recently assigned".
            models.Index(fields=["owner_user", "-created_at"], name="routing_expl_owner_idx"),
        ]

    def __str__(self):
        return f"{self.lead_id}: {self.get_outcome_display()}"

    @property
    def owner(self):
        return self.owner_user or self.owner_team


class AssignmentNotification(models.Model):
    """One e-mail owed to one user about one assignment; the task sends it at most once."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment notification")
        verbose_name_plural = _("assignment notifications")

    def __str__(self):
        return f"{self.user} ← {self.lead_id}"


class DepartingUser(User):
    """The users list in the admin, for handing over a departing user's open leads."""

    class Meta:
        proxy = True
        verbose_name = _("open leads of a user")
        verbose_name_plural = _("hand over open leads")
