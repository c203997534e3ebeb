from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import OwnedRecordForm
from accounts.models import Account, Contact
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
        widgets = {"estimated_close_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "account": _("The potential customer: an account or a contact, not both."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(self.user).active()
        self.fields["contact"].queryset = Contact.objects.visible_to(self.user).active()
        use_lookup(self.fields["account"], "account")
        use_lookup(self.fields["contact"], "contact")
        parent_contacts = Contact.objects.visible_to(self.user).active()
        campaigns = self.fields["source_campaign"].queryset.filter(is_active=True)
        if self.instance.pk:  # keep the current choices even if deactivated since
            parent_contacts = parent_contacts | Contact.objects.filter(
                pk=self.instance.parent_contact_id
            )
            campaigns = campaigns | campaigns.model.objects.filter(
                pk=self.instance.source_campaign_id
            )
        self.fields["parent_contact"].queryset = parent_contacts
        use_lookup(self.fields["parent_contact"], "contact")
        self.fields["source_campaign"].queryset = campaigns
        currencies = Currency.objects.active()
        if self.instance.pk:
            currencies = currencies | Currency.objects.filter(pk=self.instance.currency_id)
        self.fields["currency"].queryset = currencies
        if not self.instance.pk:
            self.fields["currency"].initial = Currency.objects.base().pk
        # Closing and reopening have their own actions; an edit only moves between open reasons.
        open_statuses = Opportunity.STATUSES_BY_STATE[Opportunity.State.OPEN]
        self.fields["status"].choices = [(s.value, s.label) for s in open_statuses]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("account")) == bool(cleaned.get("contact")):
            raise forms.ValidationError(
                _("Choose exactly one potential customer: an account or a contact.")
            )
        if cleaned.get("contact") and cleaned.get("parent_contact"):
            self.add_error(
                "parent_contact",
                _("The customer is a contact already: a contact person is only for an account."),
            )
        return cleaned


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
    close_date = forms.DateField(
        label=_("Actual close date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["close_date"].initial = timezone.localdate()
        self.fields["expected_version"].initial = opportunity.version
        if opportunity.estimated_value is not None:
            self.fields["actual_value"].initial = opportunity.estimated_value
