"""The forms of the lead scoring page: a rule, and the organisation's scoring settings."""

from django.utils.translation import gettext_lazy as _

from crm.forms import VersionedModelForm
from scoring.models import ScoringRule, ScoringSettings

FIELD_RULE_FIELDS = ("field", "operator", "value")
ACTIVITY_RULE_FIELDS = ("engagement", "minimum", "within_days")


class RuleForm(VersionedModelForm):
    """A rule on a lead field (field, operator, value) or on recent activity (engagement,
    minimum, within_days): the model's clean() checks the group the kind needs and empties
    the other."""

    class Meta:
        model = ScoringRule
        fields = [
            "name",
            "kind",
            *FIELD_RULE_FIELDS,
            *ACTIVITY_RULE_FIELDS,
            "points",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].widget.attrs.update(min=-100, max=100)
        # Each group is needed only for its kind of rule (clean() says which is missing), so
        # neither is marked required for both.
        for name in ("minimum", "within_days"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        activity = cleaned.get("kind") == ScoringRule.Kind.ACTIVITY
        for name in ("minimum", "within_days"):
            if cleaned.get(name) is not None or name in self.errors:
                continue
            if activity:
                self.add_error(name, _("Enter a number."))
            else:
                # A field rule keeps the activity fields' defaults (the model's clean empties
                # the engagement): a blank there is no error.
                cleaned[name] = ScoringRule._meta.get_field(name).default
        return cleaned

    def fields_of(self, names):
        return [self[name] for name in names]

    def field_rule_fields(self):
        return self.fields_of(FIELD_RULE_FIELDS)

    def activity_rule_fields(self):
        return self.fields_of(ACTIVITY_RULE_FIELDS)


class SettingsForm(VersionedModelForm):
    class Meta:
        model = ScoringSettings
        fields = ["half_life_days", "grade_a", "grade_b", "grade_c", "min_closed_leads"]
