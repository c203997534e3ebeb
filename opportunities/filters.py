import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opportunities.models import Opportunity, SalesStage


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("Status"), choices=Opportunity.State.choices)
    sales_stage = django_filters.ChoiceFilter(label=_("Sales stage"), choices=SalesStage.choices)
    mine = django_filters.BooleanFilter(
        label=_("Only mine"), method="filter_mine", widget=django_filters.widgets.BooleanWidget
    )
    ordering = django_filters.OrderingFilter(
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
        fields = ["q", "state", "sales_stage", "mine"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(topic__icontains=value)
            | Q(account__name__icontains=value)
            | Q(contact__last_name__icontains=value)
            | Q(contact__first_name__icontains=value)
        )

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner_user=self.request.user) if value else queryset
