from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import OwnedRecordForm
from accounts.models import Account, Contact
from crm.forms import active_or_current, localize_numbers
from crm.lib.widgets import LocalizedDateInput
from crm.lookup import use_lookup
from opportunities.models import Currency, Opportunity


class OpportunityForm(OwnedRecordForm):
    class Meta:
        model = Opportunity
        fields = [
            "topic",
            "account",
            "contact",
            "parent_contact",
            "source_campaign",
            "currency",
            "estimated_value",
            "estimated_close_date",
            "probability",
            "sales_stage",
            "status",
            "budget_amount",
            "budget_status",
            "purchase_timeframe",
            "purchase_process",
            "need",
            "decision_maker",
            "rating",
            "description",
        ]
        widgets = {"estimated_close_date": LocalizedDateInput()}
        help_texts = {
            "account": _("The potential customer: an account or a contact, not both."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active choices, plus the current ones even if deactivated since: an open deal of
        # an account that was deactivated can still be edited.
        instance = self.instance
        visible_accounts = Account.objects.visible_to(self.user)
        visible_contacts = Contact.objects.visible_to(self.user)
        self.fields["account"].queryset = active_or_current(visible_accounts, instance.account_id)
        self.fields["contact"].queryset = active_or_current(visible_contacts, instance.contact_id)
        use_lookup(self.fields["account"], "account")
        use_lookup(self.fields["contact"], "contact")
        self.fields["parent_contact"].queryset = active_or_current(
            visible_contacts, instance.parent_contact_id
        )
        use_lookup(self.fields["parent_contact"], "contact")
        self.fields["source_campaign"].queryset = active_or_current(
            self.fields["source_campaign"].queryset, instance.source_campaign_id
        )
        self.fields["currency"].queryset = active_or_current(
            Currency.objects.all(), instance.currency_id
        )
        if not self.instance.pk:
            self.fields["currency"].initial = Currency.objects.base().pk
        # Closing and reopening have their own actions; an edit only moves between open reasons.
        open_statuses = Opportunity.STATUSES_BY_STATE[Opportunity.State.OPEN]
        self.fields["status"].choices = [(s.value, s.label) for s in open_statuses]


class CloseOpportunityForm(forms.Form):
    WON, CANCELED, OUT_SOLD = "won", "canceled", "out_sold"
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (WON, _("Won")),
            (CANCELED, _("Lost: Canceled")),
            (OUT_SOLD, _("Lost: Out-Sold")),
        ],
        widget=forms.RadioSelect,
    )
    actual_value = forms.DecimalField(
        label=_("Actual revenue"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        help_text=_("For a won opportunity; empty means the estimated revenue."),
    )
    close_date = forms.DateField(label=_("Actual close date"), widget=LocalizedDateInput())
    description = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, opportunity, outcome="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["close_date"].initial = timezone.localdate()
        self.fields["expected_version"].initial = opportunity.version
        localize_numbers(self)
        # "Close as won" / "Close as lost" (the record's two buttons) choose the outcome; the
        # estimate is offered as the actual revenue of a win only (a lost deal's is 0).
        if outcome == "lost":
            self.fields["outcome"].initial = self.CANCELED
        elif outcome == "won":
            self.fields["outcome"].initial = self.WON
            if opportunity.estimated_value is not None:
                self.fields["actual_value"].initial = opportunity.estimated_value

    def clean_close_date(self):
        day = self.cleaned_data["close_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The actual close date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") in (self.CANCELED, self.OUT_SOLD) and cleaned.get(
            "actual_value"
        ):
            self.add_error(
                "actual_value",
                _("A lost opportunity has no actual revenue: leave it empty."),
            )
        return cleaned
