"""The lead list's saved views and filters (over the leads the user can see)."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from crm.forms import OwnerRows, owners_for
from crm.lib.filters import StableOrderingFilter
from crm.lib.widgets import LocalizedDateInput, QuickSelect, QuickSelectMultiple
from crm.models import Membership, Team, team_ids_of, teammate_ids_of
from leads.models import (
    Campaign,
    Grade,
    Lead,
    LeadSource,
    LeadStatusChange,
    State,
    Status,
    import_batch_reason,
)
from leads.selectors import search_leads
from opportunities.models import Rating

SAVED_VIEWS = [
    ("mine", _("My open leads")),
    ("team", _("My teams' open leads")),
    ("shared", _("Shared with me")),
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
        return queryset.open().own(user)
    if view == "team":
        return queryset.open().filter(
            Q(owner_team_id__in=team_ids_of(user)) | Q(owner_user_id__in=teammate_ids_of(user))
        )
    if view == "shared":
        return queryset.open().shared_with(user)
    if view == "all":
        return queryset.open()
    if view == "qualified":
        return queryset.filter(state=State.QUALIFIED)
    if view == "disqualified":
        return queryset.filter(state=State.DISQUALIFIED)
    if view == "follow_up":
        return queryset.follow_up_due(user.local_today())
    return queryset


def _owner_choices(rows):
    # Inactive owners still own leads (a report's row links to them): listed last.
    choices = {True: ([], []), False: ([], [])}
    for index, owners in ((0, rows.users), (1, rows.teams)):
        for value, label, is_active in owners:
            choices[is_active][index].append((value, label))
    (users, teams), (inactive_users, inactive_teams) = choices[True], choices[False]
    inactive = (
        [(_("Inactive"), inactive_users + inactive_teams)] if choices[False] != ([], []) else []
    )
    return [(_("Users"), users), (_("Teams"), teams), *inactive]


class _OwnerChoices(BaseChoiceIterator):
    """The owner choices, read once per filter form (validating and rendering both iterate
    them; a plain callable would query again each time), never at import time; from the
    view's OwnerRows when it passes one (the bulk bar reads the same)."""

    def __init__(self, rows=None):
        self.rows = rows
        self._cache = None

    def __iter__(self):
        if self._cache is None:
            self._cache = _owner_choices(self.rows or OwnerRows())
        return iter(self._cache)

    def __deepcopy__(self, memo):
        # Each filter set gets its own (empty) cache.
        return _OwnerChoices(self.rows)


def in_team(team):
    """Leads of a team as the reports count them: owned by the team, or (an active team) by
    an active member. `None`: leads in no such team."""
    members = Membership.objects.filter(is_active=True, team__is_active=True)
    if team is None:
        return Q(owner_team__isnull=True) & ~Q(owner_user_id__in=members.values("user_id"))
    return Q(owner_team=team) | Q(owner_user_id__in=members.filter(team=team).values("user_id"))


# Sort keys are the API field names; the list's column headers link to them. Each has an
# index (leads/models/list_indexes.py); the source's name is not offered: sorting by a joined
# table's column cannot read an index of the lead table.
ORDERING = [
    ("created_at", "created_at"),
    ("last_name", "last_name"),
    ("company_name", "company_name"),
    ("topic", "topic"),
    ("status", "status"),
    ("rating", "rating"),
    ("next_follow_up", "next_follow_up"),
    ("estimated_value", "estimated_value"),
    ("score", "score"),
]


class _ReadAtOnce(django_filters.fields.ModelChoiceIterator):
    """The choices of a small table read by one plain query, kept by the field's queryset for
    validating and showing alike: ModelChoiceIterator reads through `iterator()`, which on
    PostgreSQL is a server-side cursor (DECLARE, FETCH, CLOSE) every time it is iterated."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for record in self.queryset:
            yield self.choice(record)


class _SmallTableField(django_filters.fields.ModelChoiceField):
    iterator = _ReadAtOnce


class _SmallTableFilter(django_filters.ModelChoiceFilter):
    field_class = _SmallTableField


class _IdsField(django_filters.fields.ModelMultipleChoiceField):
    """Ids checked to be ids before they reach the database (a huge number overflows
    SQLite's integer: a 500 instead of "not one of the choices")."""

    iterator = _ReadAtOnce

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if text != self.null_value and not (text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class _TeamsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _IdsField


class _LeadFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A declared field's copy gives its widget a shallow copy of the choices, the filter
        # set's own: aim the select at the field's, so one read serves validating and showing.
        owner = self.fields.get("owner")
        if isinstance(owner, forms.ChoiceField):  # the API's is a plain text filter
            owner.widget.choices = owner.choices


class LeadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # Selects written without a template per option (crm/lib/widgets.py), as every select here.
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=State.choices, widget=QuickSelect
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=QuickSelect
    )
    # "null" (the "(none)" choice): leads without one, as the reports' "(none)" rows.
    source = _SmallTableFilter(
        label=_("Source"),
        queryset=LeadSource.objects.all(),
        null_label=_("(none)"),
        widget=QuickSelect,
    )
    campaign = _SmallTableFilter(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        null_label=_("(none)"),
        widget=QuickSelect,
    )
    # Several teams: leads in all of them (a report's team filter and its team row).
    team = _TeamsFilter(
        label=_("Team"),
        queryset=Team.objects.all(),
        null_label=_("(none)"),
        widget=QuickSelectMultiple,
        method="by_team",
        field_name="owner_team",  # for the API schema's type; by_team does the filtering
    )
    owner = django_filters.ChoiceFilter(
        label=_("Owner"), choices=_OwnerChoices(), method="by_owner", widget=QuickSelect
    )
    rating = django_filters.ChoiceFilter(
        label=_("Rating"), choices=Rating.choices, widget=QuickSelect
    )
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=Grade.choices, widget=QuickSelect
    )
    # Days in the current time zone, as a range of created_at (an index can serve it; the
    # `__date` lookup it replaces converted every row's timestamp first).
    created_after = django_filters.DateFilter(
        label=_("Created from"),
        field_name="created_at",
        method="created_from",
        widget=LocalizedDateInput(),
    )
    created_before = django_filters.DateFilter(
        label=_("Created until"),
        field_name="created_at",
        method="created_until",
        widget=LocalizedDateInput(),
    )
    sort = StableOrderingFilter(
        label=_("Sort by"),
        fields=ORDERING,
        then={"last_name": ["first_name"]},
        field_labels={
            "created_at": _("Created"),
            "last_name": _("Name"),
            "company_name": _("Company name"),
            "topic": _("Topic"),
            "status": _("Status reason"),
            "rating": _("Rating"),
            "next_follow_up": _("Follow-up"),
            "estimated_value": _("Estimated value"),
            "score": _("Score"),
        },
    )

    class Meta:
        model = Lead
        fields = []
        form = _LeadFilterForm

    def __init__(self, *args, owners=None, **kwargs):
        """`owners`: an OwnerRows the page's other forms share."""
        super().__init__(*args, **kwargs)
        owner = self.filters.get("owner")
        if owners is not None and isinstance(owner, django_filters.ChoiceFilter):
            owner.extra["choices"] = _OwnerChoices(owners)
        if owners is not None and "team" in self.filters:
            # The user's own teams (everyone's for an administrator), as the owner choices.
            self.filters["team"].queryset = owners_for(owners.user)[1]

    def search(self, queryset, name, value):
        return search_leads(queryset, value)

    @staticmethod
    def _midnight(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def created_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=self._midnight(value))

    def created_until(self, queryset, name, value):
        return queryset.filter(created_at__lt=self._midnight(value + datetime.timedelta(days=1)))

    def by_owner(self, queryset, name, value):
        kind, _sep, pk = value.partition(":")
        if kind == "team":
            return queryset.filter(owner_team_id=pk)
        return queryset.filter(owner_user_id=pk)

    def by_team(self, queryset, name, value):
        for team in value:
            queryset = queryset.filter(in_team(None if team == "null" else team))
        return queryset


class _IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _created_by_import(queryset, name, value):
    """Leads an import batch created. A lead knows its batch by the reason of its first
    status-log entry ("Import batch #N", written in the same transaction as the lead, on every
    insert path; the history's change reason is missing when a chunk holds a single lead),
    found through the partial index leads_statuslog_first_idx."""
    first_entries = LeadStatusChange.objects.filter(
        from_state="", reason=import_batch_reason(value)
    )
    return queryset.filter(pk__in=first_entries.values("lead_id"))


# `import` is a Python keyword, so the filter is added by name (?import=<batch id>).
LeadFilter.base_filters["import"] = _IdFilter(
    label=_("Import batch"), field_name="import", method=_created_by_import, min_value=1
)
