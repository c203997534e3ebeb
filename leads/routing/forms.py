"""The forms of the routing rules pages (and the preview the admin shares)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry
from crm.forms import OwnerChoiceField, VersionedModelForm
from crm.lib.choices import EMPTY_CHOICE
from crm.models import managed_owners
from leads.models import Campaign, Lead, LeadSource
from leads.routing.models import AssignmentCondition, AssignmentRule
from opportunities.models import Rating


def rule_targets(user):
    """(users, teams) a rule of `user` may target: the owners they manage."""
    return managed_owners(user)


class RuleForm(VersionedModelForm):
    """A rule's own fields; its target is one select of the users and teams `user` manages."""

    class Meta:
        model = AssignmentRule
        fields = ["name", "priority", "is_active", "distribution", "capacity"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        users, teams = rule_targets(user)
        self.fields["target"] = OwnerChoiceField(
            label=_("Assign to"),
            users=users,
            teams=teams,
            help_text=_(
                "A user, or a team and how its members share the leads (the distribution). "
                "Away or inactive users are skipped; if nobody can take the lead, the next "
                "matching rule is tried."
            ),
        )
        self.order_fields(["name", "target", "distribution", "capacity", "priority", "is_active"])
        if self.instance.pk:
            self.initial["target"] = OwnerChoiceField.value_for(self.instance.target)

    def changed_values(self):
        values = super().changed_values()
        values["target_user"], values["target_team"] = OwnerChoiceField.split(
            self.cleaned_data["target"]
        )
        return values

    def _post_clean(self):
        # The target comes from its own field: the model's "exactly one target" check must see it.
        target = self.cleaned_data.get("target")
        if target is not None:
            self.instance.target_user, self.instance.target_team = OwnerChoiceField.split(target)
        super()._post_clean()


class ConditionForm(forms.ModelForm):
    class Meta:
        model = AssignmentCondition
        fields = ["field", "operator", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = ""  # said once above the rows, not in each


ConditionFormSet = forms.inlineformset_factory(
    AssignmentRule, AssignmentCondition, form=ConditionForm, extra=1, can_delete=True
)


class RulePreviewForm(forms.Form):
    """A stored lead, or field values typed in (an unsaved lead that is never stored).

    `user`: only the leads they may see can be picked by number (None: every lead, the
    admin's)."""

    lead_id = forms.IntegerField(label=_("Lead number"), required=False, min_value=1)
    source = forms.ModelChoiceField(
        LeadSource.objects.all(), required=False, empty_label=EMPTY_CHOICE
    )
    campaign = forms.ModelChoiceField(
        Campaign.objects.all(), required=False, empty_label=EMPTY_CHOICE
    )
    country = forms.CharField(required=False)
    state_province = forms.CharField(label=_("State/province"), required=False)
    city = forms.CharField(required=False)
    industry = forms.TypedChoiceField(
        choices=[("", EMPTY_CHOICE), *Industry.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    rating = forms.ChoiceField(choices=[("", EMPTY_CHOICE), *Rating.choices], required=False)
    annual_revenue = forms.DecimalField(required=False)
    number_of_employees = forms.IntegerField(required=False, min_value=0)
    estimated_value = forms.DecimalField(required=False)
    company_name = forms.CharField(required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    topic = forms.CharField(required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The labels of the lead's own fields (the admin's form showed the bare names).
        for name, field in self.fields.items():
            if name != "lead_id" and field.label is None:
                field.label = Lead._meta.get_field(name).verbose_name.capitalize()

    def clean_lead_id(self):
        pk = self.cleaned_data["lead_id"]
        if pk is None:
            return None
        leads = Lead.objects.select_related("created_by")
        if self.user is not None:
            leads = leads.visible_to(self.user)
        lead = leads.filter(pk=pk).first()
        if lead is None:
            raise forms.ValidationError(_("There is no lead with this number."))
        return lead

    def lead(self):
        if self.cleaned_data["lead_id"] is not None:
            return self.cleaned_data["lead_id"]
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "lead_id" and value not in (None, "")
        }
        return Lead(**values)
