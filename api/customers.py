"""Accounts, contacts and opportunities: the pages' filters, the apps' own services."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import services as account_services
from accounts.filters import AccountFilter, ContactFilter
from accounts.models import Account, Contact, Industry, PreferredContactMethod
from api.fields import (
    CustomerReferenceSerializer,
    NamedChoiceField,
    OwnerField,
    VisibleRelatedField,
    named_choices,
    parse_reference,
)
from api.viewsets import DeletableMixin, RecordViewSet
from crm.errors import DomainError
from leads.models import Campaign, Qualification
from opportunities import services as opportunity_services
from opportunities.filters import OpportunityFilter
from opportunities.models import (
    BudgetStatus,
    Currency,
    Need,
    Opportunity,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
    SalesStage,
)

RECORD_FIELDS = ["owner", "created_at", "modified_at", "version"]
ADDRESS_FIELDS = ["street", "city", "state_province", "postal_code", "country"]


class RecordSerializer(serializers.HyperlinkedModelSerializer):
    """What every business record shows: id, url, owner, audit times and version."""

    owner = OwnerField(required=False)
    version = serializers.IntegerField(read_only=True)


class AddressMixin(serializers.Serializer):
    # The lead's names for the same things (Dynamics: address1_stateorprovince).
    state_province = serializers.CharField(
        source="state_or_province", max_length=50, required=False, allow_blank=True
    )


class AccountSerializer(AddressMixin, RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:account-detail")
    industry = NamedChoiceField(Industry, required=False)
    parent_account = VisibleRelatedField(Account)
    originating_lead = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = [
            "id",
            "url",
            "name",
            "website",
            "phone",
            "email",
            "industry",
            "annual_revenue",
            "number_of_employees",
            "parent_account",
            *ADDRESS_FIELDS,
            "description",
            "is_active",
            "originating_lead",
            *RECORD_FIELDS,
        ]
        read_only_fields = ["is_active"]

    def get_originating_lead(self, account) -> int | None:
        return _originating_lead(account)

    def validate_parent_account(self, parent):
        if parent is not None and self.instance is not None and parent.pk == self.instance.pk:
            raise serializers.ValidationError(_("An account cannot be its own parent."))
        return parent


class ContactSerializer(AddressMixin, RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:contact-detail")
    account = VisibleRelatedField(Account)
    full_name = serializers.CharField(read_only=True)
    preferred_contact_method = NamedChoiceField(
        PreferredContactMethod, required=False, allow_null=False
    )
    originating_lead = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "url",
            "salutation",
            "first_name",
            "middle_name",
            "last_name",
            "full_name",
            "job_title",
            "email",
            "business_phone",
            "mobile_phone",
            "account",
            "preferred_contact_method",
            "do_not_email",
            "do_not_phone",
            *ADDRESS_FIELDS,
            "description",
            "is_active",
            "originating_lead",
            *RECORD_FIELDS,
        ]
        read_only_fields = ["is_active"]

    def get_originating_lead(self, contact) -> int | None:
        return _originating_lead(contact)


@extend_schema_field(CustomerReferenceSerializer)
class CustomerField(serializers.Field):
    """An opportunity's potential customer: `{"type": "account" | "contact", "id": 7}`."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, opportunity):
        if opportunity.account_id is not None:
            return {"type": "account", "id": opportunity.account_id}
        return {"type": "contact", "id": opportunity.contact_id}

    def to_internal_value(self, data):
        user = self.context["request"].user
        return parse_reference(
            data,
            {
                "account": Account.objects.visible_to(user),
                "contact": Contact.objects.visible_to(user),
            },
        )


class OpportunitySerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:opportunity-detail")
    customer = CustomerField()
    currency = serializers.SlugRelatedField(
        slug_field="code", queryset=Currency.objects.active(), required=False
    )
    sales_stage = NamedChoiceField(SalesStage, required=False, allow_null=False)
    budget_status = NamedChoiceField(BudgetStatus, required=False)
    purchase_timeframe = NamedChoiceField(PurchaseTimeframe, required=False)
    purchase_process = NamedChoiceField(PurchaseProcess, required=False)
    need = NamedChoiceField(Need, required=False)
    rating = NamedChoiceField(Rating, required=False)
    state = NamedChoiceField(Opportunity.State, read_only=True)
    # Closing and reopening are their own operations; an edit moves between open reasons.
    status = NamedChoiceField(Opportunity.Status, required=False, allow_null=False)
    source_leads = serializers.SerializerMethodField()
    parent_contact = VisibleRelatedField(Contact)
    source_campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "url",
            "topic",
            "customer",
            "parent_contact",
            "source_campaign",
            "currency",
            "estimated_value",
            "estimated_close_date",
            "probability",
            "sales_stage",
            "budget_amount",
            "budget_status",
            "purchase_timeframe",
            "purchase_process",
            "need",
            "decision_maker",
            "rating",
            "description",
            "state",
            "status",
            "actual_value",
            "actual_close_date",
            "close_description",
            "source_leads",
            *RECORD_FIELDS,
        ]
        read_only_fields = ["actual_value", "actual_close_date", "close_description"]

    def get_source_leads(self, opportunity) -> list[int]:
        """The leads qualified into this opportunity (several when qualified into it)."""
        return list(dict.fromkeys(q.lead_id for q in opportunity.lead_qualifications.all()))

    def validate_status(self, status):
        if status not in Opportunity.STATUSES_BY_STATE[Opportunity.State.OPEN]:
            raise serializers.ValidationError(
                _("An edit moves between open reasons (in_progress, on_hold); close or reopen.")
            )
        return status


class NamedChoiceFilter(django_filters.ChoiceFilter):
    """Filter by the same choice names the JSON shows ("consulting", "won")."""

    def __init__(self, enum, **kwargs):
        self.enum = enum
        super().__init__(choices=named_choices(enum), **kwargs)

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        return super().filter(queryset, self.enum[value.upper()].value)


class AccountApiFilter(AccountFilter):
    industry = NamedChoiceFilter(Industry)


class OpportunityApiFilter(OpportunityFilter):
    state = NamedChoiceFilter(Opportunity.State)
    sales_stage = NamedChoiceFilter(SalesStage)


def _originating_lead(record):
    """The lead whose qualification created this account or contact (Dynamics'
    originatingleadid), from the prefetched `created_from` qualifications."""
    return record.created_from[0].lead_id if record.created_from else None


class AccountViewSet(DeletableMixin, RecordViewSet):
    """Customer companies you can see (yours, your teams', and your teammates')."""

    queryset = Account.objects.prefetch_related(
        Prefetch(
            "lead_qualifications",
            queryset=Qualification.objects.filter(created_account=True).order_by("pk"),
            to_attr="created_from",
        )
    )
    serializer_class = AccountSerializer
    filterset_class = AccountApiFilter

    def create_record(self, data):
        owner = data.pop("owner", None) or self.request.user
        account = Account(**data)
        account.owner = owner
        return account_services.create_customer(record=account, user=self.request.user)

    def update_record(self, record, data, *, expected_version):
        return account_services.update_customer(
            record=record, user=self.request.user, data=data, expected_version=expected_version
        )


class ContactViewSet(AccountViewSet):
    """People you can see; `account` is the company they work for."""

    queryset = Contact.objects.prefetch_related(
        Prefetch(
            "lead_qualifications",
            queryset=Qualification.objects.filter(created_contact=True).order_by("pk"),
            to_attr="created_from",
        )
    )
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def create_record(self, data):
        owner = data.pop("owner", None) or self.request.user
        contact = Contact(**data)
        contact.owner = owner
        return account_services.create_customer(record=contact, user=self.request.user)


class OpportunityViewSet(DeletableMixin, RecordViewSet):
    """Potential sales to an account or a contact; `customer` names which."""

    queryset = Opportunity.objects.select_related("currency").prefetch_related(
        Prefetch("lead_qualifications", queryset=Qualification.objects.order_by("pk"))
    )
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityApiFilter

    def create_record(self, data):
        owner = data.pop("owner", None) or self.request.user
        customer = data.pop("customer")
        data.setdefault("currency", Currency.objects.base())
        opportunity = Opportunity(**data)
        opportunity.owner = owner
        opportunity.customer = customer
        return opportunity_services.create_opportunity(
            opportunity=opportunity, user=self.request.user
        )

    def check_can_update(self, record):
        if not record.is_open:
            raise DomainError(_("A closed opportunity cannot be edited; reopen it first."))

    def update_record(self, record, data, *, expected_version):
        return opportunity_services.update_opportunity(
            opportunity=record,
            user=self.request.user,
            data=data,
            expected_version=expected_version,
        )
