"""The forms of the lead scoring page: a rule, and the organisation's scoring settings."""

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
