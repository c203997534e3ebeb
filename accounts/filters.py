import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact, Industry
from crm.lib.filters import IdFilter, StableOrderingFilter, YesNoFilter


class _CustomerFilter(django_filters.FilterSet):
    mine = YesNoFilter(label=_("Only mine"), method="filter_mine")
    is_active = YesNoFilter(label=_("Active"))

    def filter_mine(self, queryset, name, value):
        # Yes: the user's own; No: everything else the user sees; Any (None) never gets here.
        if value:
            return queryset.filter(owner_user=self.request.user)
        return queryset.exclude(owner_user=self.request.user)


class AccountFilter(_CustomerFilter):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    # The parent's page links here ("see all"): hidden, shown as a heading.
    parent_account = IdFilter(field_name="parent_account_id", widget=forms.HiddenInput)
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("name", "name"), ("city", "city"), ("created_at", "created")],
        then={"city": ["name"]},
        field_labels={"name": _("Name"), "city": _("City"), "created_at": _("Created")},
    )

    class Meta:
        model = Account
        fields = ["q", "industry", "is_active", "mine", "parent_account"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value) | Q(email__icontains=value) | Q(city__icontains=value)
        )


class ContactFilter(_CustomerFilter):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    # The account's page links here ("see all"): hidden, shown as a heading.
    account = IdFilter(field_name="account_id", widget=forms.HiddenInput)
    # Not by the account's name: a joined table's column reads no index of the contacts
    # (issue 14: every offered sort has an index).
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        fields=[("last_name", "name"), ("created_at", "created")],
        then={"last_name": ["first_name"]},
        field_labels={"last_name": _("Name"), "created_at": _("Created")},
    )

    class Meta:
        model = Contact
        fields = ["q", "is_active", "mine", "account"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
            | Q(account__name__icontains=value)
        )
