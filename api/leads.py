"""Leads with Dynamics' messages as actions (qualify, disqualify, reactivate, assign, ...),
lead sources and campaigns. Every write goes through leads.services."""

import django_filters
from django.core.validators import RegexValidator
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Account, Contact, Industry, PreferredContactMethod
from api.concurrency import etag_for, expected_version
from api.customers import RECORD_FIELDS, CustomerField, RecordSerializer
from api.fields import NamedChoiceField, ScopedOwnerRelatedField, VisibleRelatedField
from api.pagination import ListPagination
from api.schema import DuplicateConflictSerializer
from api.viewsets import IF_MATCH_HEADER, ApiView, DeletableMixin, RecordViewSet
from capture import selectors as capture_selectors
from crm.errors import DomainError
from crm.models import Team, User
from leads import services
from leads.duplicates import possible_duplicates
from leads.filters import LeadFilter
from leads.models import (
    LEAD_DATA_FIELDS,
    STATUSES_BY_STATE,
    Campaign,
    Lead,
    LeadSource,
    Qualification,
    State,
    Status,
)
from leads.routing import services as routing_services
from opportunities.models import (
    BudgetStatus,
    Currency,
    Need,
    Opportunity,
    PurchaseProcess,
    PurchaseTimeframe,
    Rating,
)


def record_reference(record, request):
    """`{"type": "account", "id": 7, "url": ...}` for a record the API serves."""
    kind = record._meta.model_name
    path = reverse(f"api:{kind}-detail", kwargs={"pk": record.pk})
    return {"type": kind, "id": record.pk, "url": request.build_absolute_uri(path)}


class RecordReferenceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["lead", "account", "contact", "opportunity"])
    id = serializers.IntegerField()
    url = serializers.URLField()


class MatchSerializer(RecordReferenceSerializer):
    name = serializers.CharField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


def match_data(match, request):
    return {
        **record_reference(match.record, request),
        "name": str(match.record),
        "score": match.score,
        "reasons": [str(reason) for reason in match.reasons],
    }


class QualificationSerializer(serializers.ModelSerializer):
    """One qualification (or a "disqualify but keep the contact") and what it produced."""

    kind = NamedChoiceField(Qualification.Kind, read_only=True)
    created = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = [
            "id",
            "kind",
            "performed_by",
            "performed_at",
            "account",
            "contact",
            "opportunity",
            "source_campaign",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(RecordReferenceSerializer(many=True))
    def get_created(self, qualification):
        request = self.context["request"]
        return [record_reference(r, request) for r in qualification.created_records]


@extend_schema_field(OpenApiTypes.STR)
class SourceField(serializers.Field):
    """A lead source by its name (any case), among the active ones."""

    def get_attribute(self, lead):
        return lead.source

    def to_representation(self, source):
        return source.name if source is not None else None

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Give the lead source's name."))
        source = LeadSource.objects.filter(is_active=True, name__iexact=data.strip()).first()
        if source is None:
            raise serializers.ValidationError(
                _("No active lead source is called %(name)s.") % {"name": data}
            )
        return source


class WebCaptureMatchSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["lead", "contact", "account"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField(help_text="The record's page.")


class WebCaptureSerializer(serializers.Serializer):
    """What a web form submission brought with the lead (read-only)."""

    web_form = serializers.CharField(help_text="The form's name.")
    submitted_at = serializers.DateTimeField()
    utm_source = serializers.CharField()
    utm_medium = serializers.CharField()
    utm_campaign = serializers.CharField()
    utm_term = serializers.CharField()
    utm_content = serializers.CharField()
    referrer_url = serializers.CharField()
    possible_duplicate = serializers.BooleanField(
        help_text="Possible duplicates were found when the lead arrived."
    )
    duplicates = WebCaptureMatchSerializer(
        many=True, help_text="The matches you may see (others are only counted)."
    )
    hidden_duplicates = serializers.IntegerField()


def _with_full_name(names):
    """The lead's data fields with the computed full name after the last name."""
    names = list(names)
    names.insert(names.index("last_name") + 1, "full_name")
    return names


class LeadSerializer(RecordSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:lead-detail")
    full_name = serializers.CharField(read_only=True)
    industry = NamedChoiceField(Industry, required=False)
    preferred_contact_method = NamedChoiceField(
        PreferredContactMethod, required=False, allow_null=False
    )
    source = SourceField(required=False, allow_null=True)
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.filter(is_active=True), required=False, allow_null=True
    )
    rating = NamedChoiceField(Rating, required=False)
    budget_status = NamedChoiceField(BudgetStatus, required=False)
    need = NamedChoiceField(Need, required=False)
    purchase_timeframe = NamedChoiceField(PurchaseTimeframe, required=False)
    purchase_process = NamedChoiceField(PurchaseProcess, required=False)
    existing_account = VisibleRelatedField(Account)
    existing_contact = VisibleRelatedField(Contact)
    state = NamedChoiceField(State, read_only=True)
    status = NamedChoiceField(Status, read_only=True)
    qualifications = QualificationSerializer(many=True, read_only=True)
    qualified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    first_contact_at = serializers.DateTimeField(read_only=True, allow_null=True)
    # The lead score (the scoring app keeps them): 0-100, A-D ("" until scored), 0-1 or null.
    score = serializers.IntegerField(read_only=True)
    grade = serializers.CharField(read_only=True)
    predicted_qualification = serializers.FloatField(read_only=True, allow_null=True)
    associated_accounts = serializers.SerializerMethodField()
    associated_contacts = serializers.SerializerMethodField()
    web_capture = serializers.SerializerMethodField()
    on_duplicate = serializers.ChoiceField(
        choices=["allow", "reject"],
        default="allow",
        write_only=True,
        help_text="`reject`: a lead with possible duplicates is not created (409).",
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "url",
            *_with_full_name(LEAD_DATA_FIELDS),
            "qualifications",
            "qualified_at",
            "first_contact_at",
            "score",
            "grade",
            "predicted_qualification",
            "associated_accounts",
            "associated_contacts",
            "web_capture",
            "on_duplicate",
            *RECORD_FIELDS,
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_associated_accounts(self, lead):
        return [link.account_id for link in lead.links.all() if link.account_id]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_associated_contacts(self, lead):
        return [link.contact_id for link in lead.links.all() if link.contact_id]

    @extend_schema_field(WebCaptureSerializer(allow_null=True))
    def get_web_capture(self, lead):
        """Null unless the lead came from a web form. The matches the user may see are read
        once for the whole page of leads (one query, only when some have matches)."""
        submission = capture_selectors.submission_of(lead)
        if submission is None:
            return None
        visible = self.context.get("_visible_web_matches")
        if visible is None:
            page = (
                self.parent.instance
                if isinstance(self.parent, serializers.ListSerializer)
                else [lead]
            )
            submissions = [capture_selectors.submission_of(item) for item in page]
            visible = capture_selectors.visible_matches(self.context["request"].user, submissions)
            self.context["_visible_web_matches"] = visible
        data = capture_selectors.submission_data(submission, visible)
        data.pop("referrer_link")
        return data


class LeadCreatedSerializer(LeadSerializer):
    """The 201 response: the lead, plus the records it may duplicate."""

    possible_duplicates = MatchSerializer(many=True, read_only=True)

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "possible_duplicates"]


class LeadApiFilter(LeadFilter):
    # The page's owner filter lists every user as a choice; the public schema must not.
    owner = django_filters.CharFilter(
        method="by_owner",
        validators=[RegexValidator(r"^(user|team):\d{1,18}$", _('Use "user:7" or "team:2".'))],
        help_text='"user:7" or "team:2"',
    )


# The page's several-teams filter (for the reports' links) is not part of the API: owner
# covers a team; an array parameter only widens the public schema.
del LeadApiFilter.base_filters["team"]


# --- action bodies --------------------------------------------------------------------------


class QualifyRequestSerializer(serializers.Serializer):
    create_account = serializers.BooleanField(default=False)
    create_contact = serializers.BooleanField(default=False)
    create_opportunity = serializers.BooleanField(default=False)
    existing_opportunity = VisibleRelatedField(Opportunity)
    account = VisibleRelatedField(Account, help_text="An existing account to use instead.")
    contact = VisibleRelatedField(Contact, help_text="An existing contact to use instead.")
    opportunity_customer = CustomerField(required=False, allow_null=True)
    opportunity_currency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Currency.objects.active(),
        required=False,
        allow_null=True,
    )
    source_campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=STATUSES_BY_STATE[State.QUALIFIED], required=False, allow_blank=True
    )

    def validate(self, data):
        creates = data["create_account"] or data["create_contact"] or data["create_opportunity"]
        if not creates and data.get("existing_opportunity") is None:
            raise serializers.ValidationError(
                _("Choose at least one record to create, or an existing open opportunity.")
            )
        if data["create_opportunity"] and data.get("existing_opportunity") is not None:
            raise serializers.ValidationError(
                _("Either create an opportunity or qualify into an existing one, not both.")
            )
        return data

    def service_options(self):
        data = dict(self.validated_data)
        data["currency"] = data.pop("opportunity_currency", None)
        data["status"] = data.get("status") or Status.QUALIFIED
        return data


class QualifyResultSerializer(serializers.Serializer):
    lead = LeadSerializer()
    created = RecordReferenceSerializer(many=True)


class DisqualifyRequestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUSES_BY_STATE[State.DISQUALIFIED])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    keep_contact = serializers.BooleanField(default=False)


class ReactivateRequestSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUSES_BY_STATE[State.OPEN], default=Status.NEW)


class AssignRequestSerializer(serializers.Serializer):
    # The owners the page's assign form offers (crm.forms.owners_for).
    user = ScopedOwnerRelatedField(User, required=False)
    team = ScopedOwnerRelatedField(Team, required=False)

    def validate(self, data):
        if len(data) != 1:
            raise serializers.ValidationError(_('Give either "user" or "team".'))
        return data


class LinkRequestSerializer(serializers.Serializer):
    account = VisibleRelatedField(Account, allow_null=False)
    contact = VisibleRelatedField(Contact, allow_null=False)

    def validate(self, data):
        if len(data) != 1:
            raise serializers.ValidationError(_('Give either "account" or "contact".'))
        return data


def _lead_queryset():
    qualifications = Qualification.objects.select_related(
        "account", "contact", "opportunity"
    ).order_by("performed_at", "pk")
    return Lead.objects.select_related("source", "web_submission__web_form").prefetch_related(
        Prefetch("qualifications", queryset=qualifications), "links"
    )


class LeadViewSet(DeletableMixin, RecordViewSet):
    """Leads you can see. Creating one goes through the same service as the lead form: with
    `owner` the owner is kept, without it the routing rules choose. Possible duplicates come
    back in the 201 response; with `"on_duplicate": "reject"` they give a 409 instead."""

    queryset = _lead_queryset()
    serializer_class = LeadSerializer
    filterset_class = LeadApiFilter
    pagination_class = ListPagination
    action_permissions = {
        "qualify": "leads.qualify_lead",
        "disqualify": "leads.qualify_lead",
        "reactivate": "leads.qualify_lead",
        "assign": "leads.reassign_lead",
        "route": "leads.reassign_lead",
        "claim": "leads.reassign_lead",
    }

    def check_can_update(self, lead):
        lead.ensure_editable()

    def delete_record(self, lead, *, reason):
        services.delete_lead(lead=lead, user=self.request.user, reason=reason)

    @transaction.atomic
    def update_record(self, lead, data, *, expected_version):
        data.pop("on_duplicate", None)
        owner = data.pop("owner", None)
        lead = services.update_lead(
            lead=lead, user=self.request.user, data=data, expected_version=expected_version
        )
        if owner is not None:
            # A new owner goes through assignment, which notifies them (as the assign action).
            lead = services.assign_lead(lead=lead, user=self.request.user, owner=owner)
        return lead

    @extend_schema(
        responses={
            201: LeadCreatedSerializer,
            409: OpenApiResponse(DuplicateConflictSerializer, description="Duplicates found."),
        }
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reject = data.pop("on_duplicate") == "reject"
        owner = data.pop("owner", None)
        matches = possible_duplicates(user=request.user, data=data)
        found = [match_data(match, request) for match in matches]
        if reject and found:
            return Response(
                {
                    "detail": _("Possible duplicates exist; nothing was created."),
                    "possible_duplicates": found,
                },
                status=status.HTTP_409_CONFLICT,
            )
        lead = services.create_lead(
            data=data, created_by=request.user, owner=owner, route=owner is None
        )
        lead = _lead_queryset().get(pk=lead.pk)
        body = LeadSerializer(lead, context=self.get_serializer_context()).data
        response = Response({**body, "possible_duplicates": found}, status=201)
        response["ETag"] = etag_for(lead)
        response["Location"] = str(body["url"])  # a Hyperlink: wsgiref (runserver) wants a str
        return response

    # --- Dynamics' messages -----------------------------------------------------------------

    def _editable_lead(self):
        return self.get_editable_object()

    def _lead_response(self, lead, extra=None):
        response = self.record_response(lead)
        if extra is not None:
            response.data = {"lead": response.data, **extra}
        return response

    def _body(self, serializer_class):
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    @extend_schema(
        request=QualifyRequestSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: QualifyResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def qualify(self, request, pk=None):
        """QualifyLead: create an account, a contact and/or an opportunity from the lead (or
        qualify it into an existing open opportunity), in one transaction."""
        lead = self._editable_lead()
        version = expected_version(request, lead)
        body = self._body(QualifyRequestSerializer)
        qualification = services.qualify_lead(
            lead=lead, user=request.user, expected_version=version, **body.service_options()
        )
        created = [record_reference(r, request) for r in qualification.created_records]
        return self._lead_response(lead, {"created": created})

    @extend_schema(
        request=DisqualifyRequestSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        """Close the lead with a reason; `keep_contact` keeps the person as a contact."""
        lead = self._editable_lead()
        version = expected_version(request, lead)
        body = self._body(DisqualifyRequestSerializer).validated_data
        lead = services.disqualify_lead(
            lead=lead, user=request.user, expected_version=version, **body
        )
        return self._lead_response(lead)

    @extend_schema(
        request=ReactivateRequestSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """A qualified or disqualified lead becomes open again; what it produced stays linked."""
        lead = self._editable_lead()
        version = expected_version(request, lead)
        body = self._body(ReactivateRequestSerializer).validated_data
        lead = services.reactivate_lead(
            lead=lead, user=request.user, status=body["status"], expected_version=version
        )
        return self._lead_response(lead)

    @extend_schema(
        request=AssignRequestSerializer,
        parameters=[IF_MATCH_HEADER],
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Give the lead to a user or a team (the routing rules are not asked)."""
        lead = self._editable_lead()
        version = expected_version(request, lead)
        body = self._body(AssignRequestSerializer).validated_data
        owner = body.get("user") or body.get("team")
        lead = services.assign_lead(
            lead=lead, user=request.user, owner=owner, expected_version=version
        )
        return self._lead_response(lead)

    @extend_schema(
        request=None,
        parameters=[IF_MATCH_HEADER],
        responses={200: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        """Apply the routing rules now: the lead goes to whoever the rules name (open leads)."""
        lead = self._editable_lead()
        expected_version(request, lead)
        done, refused = routing_services.reroute_leads(leads=[lead], user=request.user)
        if refused:
            raise DomainError(refused[0][1])
        return self._lead_response(lead)

    @extend_schema(request=None, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Take a lead from your team's queue; 409 once someone else has taken it."""
        lead = self.get_object()
        lead = routing_services.claim_lead(lead=lead, user=request.user)
        return self._lead_response(lead)

    @extend_schema(request=LinkRequestSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def associate(self, request, pk=None):
        """Link the lead to an account or a contact (Dynamics' AssociateRequest)."""
        lead = self._editable_lead()
        body = self._body(LinkRequestSerializer).validated_data
        services.associate_lead(lead=lead, user=request.user, **body)
        return self._lead_response(lead)

    @extend_schema(request=LinkRequestSerializer, responses={200: LeadSerializer})
    @action(detail=True, methods=["post"])
    def disassociate(self, request, pk=None):
        """Remove the link to an account or a contact (Dynamics' DisassociateRequest)."""
        lead = self._editable_lead()
        body = self._body(LinkRequestSerializer).validated_data
        services.disassociate_lead(lead=lead, user=request.user, **body)
        return self._lead_response(lead)


class ConfigurationPermission(permissions.DjangoModelPermissions):
    """Everyone reads; adding and changing need the model permission (administrators, and
    sales managers for campaigns: crm.permissions)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": [],
        "HEAD": [],
        "OPTIONS": [],
    }


class ConfigurationViewSet(
    ApiView,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_classes = [permissions.IsAuthenticated, ConfigurationPermission]

    def perform_create(self, serializer):
        serializer.instance = self._validated_save(serializer.Meta.model(), serializer)

    def perform_update(self, serializer):
        self._validated_save(serializer.instance, serializer)

    def _validated_save(self, instance, serializer):
        # full_clean() checks the constraints DRF does not (unique name ignoring case, dates).
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        return instance


class LeadSourceSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:leadsource-detail")

    class Meta:
        model = LeadSource
        fields = ["id", "url", "name", "is_active", "order"]


class CampaignSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:campaign-detail")

    class Meta:
        model = Campaign
        fields = ["id", "url", "name", "code", "start_date", "end_date", "budget", "is_active"]


class LeadSourceViewSet(ConfigurationViewSet):
    """Where leads come from (Dynamics' ten, and any the administrators add)."""

    queryset = LeadSource.objects.order_by("order", "name", "pk")
    serializer_class = LeadSourceSerializer
    filterset_fields = ["is_active"]


class CampaignViewSet(ConfigurationViewSet):
    """Marketing campaigns leads and opportunities are attributed to."""

    queryset = Campaign.objects.order_by("-start_date", "name", "pk")
    serializer_class = CampaignSerializer
    filterset_fields = ["is_active", "code"]
