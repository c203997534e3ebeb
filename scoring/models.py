"""Lead scoring: the rules a manager sets (points for a lead's fields and its recent
activity), the organisation's settings (decay, grade boundaries), the model learned from
closed leads, and each lead's score with its reasons.

The score itself (0-100, grade, predicted probability) is stored on the lead
(`Lead.score`, `grade`, `predicted_qualification`) so the lead list sorts and filters by the
lead table's indexes; `LeadScore` keeps the parts and the reasons for the lead page."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.models import RecordHistory, VersionedSetting
from leads.conditions import (
    LeadField,
    Operator,
    clean_condition,
    describe,
    value_items,
)


class ScoringSettings(VersionedSetting):
    """Organisation setting (one row)."""

    half_life_days = models.PositiveSmallIntegerField(
        _("engagement half-life (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Activity points halve every so many days after the newest activity that earned "
            "them (re-scored every night)."
        ),
    )
    grade_a = models.PositiveSmallIntegerField(
        _("grade A from score"), default=75, validators=[MaxValueValidator(100)]
    )
    grade_b = models.PositiveSmallIntegerField(
        _("grade B from score"), default=50, validators=[MaxValueValidator(100)]
    )
    grade_c = models.PositiveSmallIntegerField(
        _("grade C from score"), default=25, validators=[MaxValueValidator(100)]
    )
    min_closed_leads = models.PositiveIntegerField(
        _("closed leads needed for a prediction"),
        default=50,
        validators=[MinValueValidator(20)],
        help_text=_(
            "The model is learned only from at least this many qualified and disqualified "
            "leads, at least 10 of each."
        ),
    )

    history = RecordHistory()

    class Meta:
        verbose_name = _("scoring settings")
        verbose_name_plural = _("scoring settings")

    def __str__(self):
        return str(_("Scoring settings"))

    def clean(self):
        super().clean()
        # Said on the boundary at fault: A's must be above B's, B's above C's.
        if self.grade_a is not None and self.grade_b is not None:
            if self.grade_a <= self.grade_b:
                raise ValidationError(
                    {
                        "grade_a": gettext("Grade A must start above grade B (%(b)d).")
                        % {"b": self.grade_b}
                    }
                )
            if self.grade_c is not None and self.grade_b <= self.grade_c:
                raise ValidationError(
                    {
                        "grade_b": gettext("Grade B must start above grade C (%(c)d).")
                        % {"c": self.grade_c}
                    }
                )

    @classmethod
    def current(cls):
        settings_, _created = cls.objects.get_or_create(pk=1)
        return settings_

    def grade_of(self, score):
        if score >= self.grade_a:
            return "A"
        if score >= self.grade_b:
            return "B"
        if score >= self.grade_c:
            return "C"
        return "D"


class Engagement(models.TextChoices):
    """What an activity rule counts, regarding the lead."""

    PHONE_CALL = "phone_call", _("Phone calls")
    EMAIL = "email", _("E-mails")
    APPOINTMENT = "appointment", _("Appointments")
    TASK = "task", _("Tasks")
    INQUIRY = "inquiry", _("Customer inquiries")
    WEB_SUBMISSION = "web_submission", _("Web form submissions")


class ScoringRule(VersionedSetting):
    class Kind(models.TextChoices):
        FIELD = "field", _("A lead field (fit)")
        ACTIVITY = "activity", _("Recent activity (engagement)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("rule on"), max_length=10, choices=Kind, default=Kind.FIELD)
    # A field rule: the routing rules' condition (leads/conditions.py).
    field = models.CharField(_("lead field"), max_length=30, choices=LeadField, blank=True)
    operator = models.CharField(_("operator"), max_length=20, choices=Operator, blank=True)
    value = models.CharField(
        _("value"),
        max_length=500,
        blank=True,
        help_text=_("Text is compared without regard to case; lists are comma-separated."),
    )
    # An activity rule: at least `minimum` of `engagement` in the last `within_days` days.
    engagement = models.CharField(_("activity"), max_length=20, choices=Engagement, blank=True)
    minimum = models.PositiveSmallIntegerField(
        _("at least"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    within_days = models.PositiveSmallIntegerField(
        _("in the last (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    points = models.SmallIntegerField(
        _("points"),
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_("Added when the rule holds; negative to take points away."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = RecordHistory()

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=-100, points__lte=100),
                name="scoring_rule_points_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.kind == self.Kind.FIELD:
            missing = {
                name: gettext("Choose a lead field and an operator.")
                for name in ("field", "operator")
                if not getattr(self, name)
            }
            if missing:
                raise ValidationError(missing)
            self.value = clean_condition(self.field, self.operator, self.value)
            self.engagement = ""
        else:
            if not self.engagement:
                raise ValidationError({"engagement": gettext("Choose the activity to count.")})
            self.field = self.operator = self.value = ""
        if self.points == 0:
            raise ValidationError({"points": gettext("A rule of 0 points changes nothing.")})

    def items(self):
        return value_items(self.operator, self.value)

    def describe(self):
        """The rule's test in words: “Country equals Denmark”, “At least 2 phone calls in
        the last 30 days”."""
        if self.kind == self.Kind.FIELD:
            return describe(self.field, self.operator, self.value)
        return gettext("At least %(minimum)d × %(what)s in the last %(days)d days") % {
            "minimum": self.minimum,
            "what": Engagement(self.engagement).label.lower(),
            "days": self.within_days,
        }


class ScoreModel(models.Model):
    """One learning of the predicted likelihood (naive Bayes over the lead's own fields, from
    closed leads; one in five held out to measure it). The newest complete one is used."""

    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    trained_on = models.PositiveIntegerField(_("closed leads learned from"))
    held_out = models.PositiveIntegerField(_("closed leads held out"))
    qualified = models.PositiveIntegerField(_("qualified among them"))
    auc = models.FloatField(_("AUC on the held-out leads"), null=True)
    # {"prior": float, "scale": float, "shift": float,
    #  "weights": {feature: {value: weight}}, "unseen": {feature: weight}}
    parameters = models.JSONField(default=dict)
    # [{"feature": key, "importance": float}], most important first.
    importance = models.JSONField(default=list)
    # [{"grade": "A", "leads": n, "qualified": n}] on the held-out leads.
    by_grade = models.JSONField(default=list)

    class Meta:
        verbose_name = _("scoring model")
        verbose_name_plural = _("scoring models")
        ordering = ["-pk"]

    def __str__(self):
        return gettext("Scoring model of %(when)s") % {"when": self.trained_at}


class LeadScore(models.Model):
    """A lead's score in parts, with its reasons (the lead page's Score panel)."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="score_detail"
    )
    points = models.SmallIntegerField(_("points"))  # the rules' sum, before any cap
    predicted = models.FloatField(_("predicted qualification"), null=True)
    score = models.PositiveSmallIntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=1)
    # [{"label": "Source: Reference", "points": 31, "part": "model"|"rule"}]
    factors = models.JSONField(default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("lead score")
        verbose_name_plural = _("lead scores")

    def __str__(self):
        return f"{self.lead_id}: {self.score} ({self.grade})"
