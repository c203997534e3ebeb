import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.forms import OwnerChoiceField, owners_for
from crm.lib.choices import EMPTY_CHOICE
from crm.lib.widgets import LocalizedDateInput
from crm.models import Team
from leads.models import Campaign, LeadSource
from reports.queries import Criteria

BY_CHOICES = [
    ("source", _("Source")),
    ("campaign", _("Campaign")),
    ("owner", _("Owner")),
    ("team", _("Team")),
]


def _date_input():
    return LocalizedDateInput()


class ReportFilterForm(forms.Form):
    """The filters every report shares (GET parameters; all optional)."""

    by = forms.ChoiceField(label=_("Group by"), choices=BY_CHOICES, required=False)
    created_from = forms.DateField(label=_("Created from"), required=False, widget=_date_input())
    created_to = forms.DateField(label=_("Created until"), required=False, widget=_date_input())
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True), required=False
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=LeadSource.objects.all(), required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.all(), required=False
    )

    def __init__(self, *args, by_choices=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, not on the class: its choices are read from the database. A rep's or a
        # manager's filters offer their own teams and their members (crm/forms.py: owners_for).
        _users, teams = owners_for(user)
        self.fields["team"].queryset = teams.filter(is_active=True)
        self.fields["owner"] = OwnerChoiceField(
            label=_("Owner"), required=False, extra_choices=[("", EMPTY_CHOICE)], user=user
        )
        self.order_fields(["by", "created_from", "created_to", "team", "owner"])
        if by_choices is not None:
            allowed = set(by_choices)
            self.fields["by"].choices = [(k, v) for k, v in BY_CHOICES if k in allowed]

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def criteria(self, *, user=None):
        """The Criteria for a valid form; dates are read in the user's time zone."""
        data = self.cleaned_data
        return Criteria(
            by=data.get("by") or self.fields["by"].choices[0][0],
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            time_zone=time_zone_of(user),
            team=data.get("team"),
            owner=data.get("owner") or None,
            source=data.get("source"),
            campaign=data.get("campaign"),
        )


def time_zone_of(user):
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
