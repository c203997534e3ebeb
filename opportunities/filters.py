import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.lib.filters import IdFilter, StableOrderingFilter, YesNoFilter
from opportunities.models import Opportunity, SalesStage

# The choices of filters on relations to higher apps (the source campaign is a leads.Campaign):
# the higher app gives them from its AppConfig.ready(), as this app does not import it.
_choices = {}


def register_choices(name, queryset):
    """Give the filter `name` its choices: queryset(request) -> QuerySet."""
    _choices[name] = queryset


def _registered(name):
    return lambda request: _choices[name](request)


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("Status"), choices=Opportunity.State.choices)
    sales_stage = django_filters.ChoiceFilter(label=_("Sales stage"), choices=SalesStage.choices)
    source_campaign = django_filters.ModelChoiceFilter(
        label=_("Source campaign"), queryset=_registered("source_campaign")
    )
    mine = YesNoFilter(label=_("Only mine"), method="filter_mine")
    # The account's or contact's page links here ("see all"): hidden, shown as a heading.
    account = IdFilter(field_name="account_id", widget=forms.HiddenInput)
    contact = IdFilter(label=_("Contact"), method="filter_contact", widget=forms.HiddenInput)
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        fields=[
            ("topic", "topic"),
            ("estimated_close_date", "close"),
            ("estimated_value", "value"),
            ("created_at", "created"),
        ],
        field_labels={
            "topic": _("Topic"),
            "estimated_close_date": _("Estimated close date"),
            "estimated_value": _("Estimated revenue"),
            "created_at": _("Created"),
        },
    )

    class Meta:
        model = Opportunity
        fields = ["q", "state", "sales_stage", "source_campaign", "mine", "account", "contact"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(topic__icontains=value)
            | Q(account__name__icontains=value)
            | Q(contact__last_name__icontains=value)
            | Q(contact__first_name__icontains=value)
        )

    def filter_contact(self, queryset, name, value):
        """The contact's opportunities: as the customer or as the account's contact person."""
        return queryset.filter(Q(contact_id=value) | Q(parent_contact_id=value))

    def filter_mine(self, queryset, name, value):
        # Yes: the user's own; No: everything else the user sees; Any (None) never gets here.
        if value:
            return queryset.filter(owner_user=self.request.user)
        return queryset.exclude(owner_user=self.request.user)
