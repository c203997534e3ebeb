"""The lead list's saved views and filters (over the leads the user can see)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Team, User, team_ids_of
from leads.models import Campaign, Lead, LeadSource, Rating, State, Status
from leads.selectors import search_leads

SAVED_VIEWS = [
    ("mine", _("My open leads")),
    ("team", _("My teams' open leads")),
    ("all", _("All open leads")),
    ("qualified", _("Qualified leads")),
    ("disqualified", _("Disqualified leads")),
    ("follow_up", _("Follow-up due")),
    # Closed leads stay searchable: every lead the user can see, whatever its state.
    ("any", _("Any state")),
]


def saved_views_for(user):
    """ "All open leads" is for managers and admins."""
    allowed = user.is_administrator or user.is_sales_manager
    return [(key, label) for key, label in SAVED_VIEWS if key != "all" or allowed]


def apply_saved_view(queryset, view, user):
    if view == "mine":
        return queryset.open().filter(owner_user=user)
    if view == "team":
        teammates = User.objects.filter(
            memberships__team_id__in=team_ids_of(user), memberships__is_active=True
        ).values("pk")
        return queryset.open().filter(
            Q(owner_team_id__in=team_ids_of(user)) | Q(owner_user_id__in=teammates)
        )
    if view == "all":
        return queryset.open()
    if view == "qualified":
        return queryset.filter(state=State.QUALIFIED)
    if view == "disqualified":
        return queryset.filter(state=State.DISQUALIFIED)
    if view == "follow_up":
        return queryset.follow_up_due(user.local_today())
    return queryset


def _owner_choices():
    users = [(f"user:{u.pk}", str(u)) for u in User.objects.filter(is_active=True)]
    teams = [(f"team:{t.pk}", str(t)) for t in Team.objects.filter(is_active=True)]
    return [(_("Users"), users), (_("Teams"), teams)]


# Sort keys are the API field names; the list's column headers link to them.
ORDERING = [
    ("created_at", "created_at"),
    ("last_name", "last_name"),
    ("company_name", "company_name"),
    ("topic", "topic"),
    ("status", "status"),
    ("rating", "rating"),
    ("source__name", "source"),
    ("next_follow_up", "next_follow_up"),
    ("estimated_value", "estimated_value"),
]


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    source = django_filters.ModelChoiceFilter(label=_("Source"), queryset=LeadSource.objects.all())
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=Campaign.objects.all()
    )
    owner = django_filters.ChoiceFilter(
        label=_("Owner"), choices=_owner_choices, method="by_owner"
    )
    rating = django_filters.ChoiceFilter(label=_("Rating"), choices=Rating.choices)
    created_after = django_filters.DateFilter(
        label=_("Created from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Created until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.OrderingFilter(label=_("Sort by"), fields=ORDERING)

    class Meta:
        model = Lead
        fields = []

    def search(self, queryset, name, value):
        return search_leads(queryset, value)

    def by_owner(self, queryset, name, value):
        kind, _sep, pk = value.partition(":")
        if kind == "team":
            return queryset.filter(owner_team_id=pk)
        return queryset.filter(owner_user_id=pk)
