"""Activities and notes, each "regarding" a lead, account, contact or opportunity. Visibility
follows the regarding record (activities.models.RegardingQuerySet)."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import action

from accounts.models import Account, Contact
from activities import services
from activities.models import Activity, Inquiry, Note, Priority
from api.concurrency import expected_version
from api.customers import RECORD_FIELDS
from api.fields import NamedChoiceField, OwnerField, parse_reference, reference_serializer
from api.viewsets import IF_MATCH_HEADER, RecordViewSet
from crm.errors import DomainError
from crm.lib.filters import IdFilter
from leads.models import Lead
from opportunities.models import Opportunity

REGARDING_MODELS = {
    "lead": Lead,
    "account": Account,
    "contact": Contact,
    "opportunity": Opportunity,
}
RegardingReferenceSerializer = reference_serializer(
    "RegardingReferenceSerializer", list(REGARDING_MODELS)
)


@extend_schema_field(RegardingReferenceSerializer)
class RegardingField(serializers.Field):
    """The record an activity or note is about: `{"type": "lead", "id": 7}`; set on create."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, item):
        model = ContentType.objects.get_for_id(item.content_type_id).model
        return {"type": model, "id": item.object_id}

    def to_internal_value(self, data):
        user = self.context["request"].user
        return parse_reference(
            data,
            {kind: model.objects.visible_to(user) for kind, model in REGARDING_MODELS.items()},
        )


class ActivitySerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:activity-detail")
    regarding = RegardingField()
    kind = NamedChoiceField(Activity.Kind, allow_null=False)
    priority = NamedChoiceField(Priority, required=False, allow_null=False)
    state = NamedChoiceField(Activity.State, read_only=True)
    direction = NamedChoiceField(Activity.Direction, required=False)
    owner = OwnerField(
        required=False,
        help_text="An active user or team of yours (as for leads); default on create: you. "
        "Only an open activity can be changed or reassigned.",
    )
    version = serializers.IntegerField(read_only=True)
    completed = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text="On create: log something that already happened (stored completed).",
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "url",
            "regarding",
            "kind",
            "subject",
            "description",
            "due_at",
            "duration_minutes",
            "priority",
            "state",
            "closed_at",
            "direction",
            "other_party",
            "ends_at",
            "location",
            "completed",
            *RECORD_FIELDS,
        ]
        read_only_fields = ["closed_at"]

    def validate(self, data):
        if self.instance is not None:
            for name in ("regarding", "kind"):
                if name in data:
                    raise serializers.ValidationError({name: _("This cannot be changed.")})
        return data


class NoteSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:note-detail")
    regarding = RegardingField()
    owner = OwnerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    text = serializers.CharField(allow_blank=False, trim_whitespace=True)
    created_by = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The author.")

    class Meta:
        model = Note
        fields = [
            "id",
            "url",
            "regarding",
            "text",
            "attachment_name",
            "attachment_content_type",
            "attachment_size",
            "created_by",
            *RECORD_FIELDS,
        ]
        read_only_fields = [
            "attachment_name",
            "attachment_content_type",
            "attachment_size",
            "created_by",
        ]

    def validate(self, data):
        if self.instance is not None and "regarding" in data:
            raise serializers.ValidationError({"regarding": _("This cannot be changed.")})
        return data


class InquirySerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:inquiry-detail")
    regarding = RegardingField()
    channel = NamedChoiceField(Inquiry.Channel, required=False, allow_null=False)
    priority = NamedChoiceField(Priority, required=False, allow_null=False)
    state = NamedChoiceField(Inquiry.State, read_only=True)
    owner = OwnerField(read_only=True)
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "url",
            "regarding",
            "title",
            "description",
            "channel",
            "priority",
            "state",
            "closed_at",
            "resolution",
            *RECORD_FIELDS,
        ]
        read_only_fields = ["closed_at", "resolution"]

    def validate(self, data):
        if self.instance is not None and "regarding" in data:
            raise serializers.ValidationError({"regarding": _("This cannot be changed.")})
        return data


class ResolveInquirySerializer(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="")


class RegardingFilter(django_filters.FilterSet):
    regarding_type = django_filters.ChoiceFilter(
        choices=[(kind, kind) for kind in REGARDING_MODELS], method="by_regarding_type"
    )
    regarding_id = IdFilter(field_name="object_id")

    def by_regarding_type(self, queryset, name, value):
        model = REGARDING_MODELS[value]
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        return queryset.filter(content_type=content_type)


class ActivityFilter(RegardingFilter):
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices)
    state = django_filters.ChoiceFilter(choices=Activity.State.choices)

    class Meta:
        model = Activity
        fields = ["kind", "state"]


class InquiryFilter(RegardingFilter):
    state = django_filters.ChoiceFilter(choices=Inquiry.State.choices)
    channel = django_filters.ChoiceFilter(choices=Inquiry.Channel.choices)

    class Meta:
        model = Inquiry
        fields = ["state", "channel"]


class NoteFilter(RegardingFilter):
    class Meta:
        model = Note
        fields = []


class ActivityViewSet(RecordViewSet):
    """Phone calls, e-mails, tasks and appointments regarding a record you can see."""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def create_record(self, data):
        regarding = data.pop("regarding")
        kind = data.pop("kind")
        completed = data.pop("completed")
        owner = data.pop("owner", None)
        return services.log_activity(
            regarding=regarding,
            user=self.request.user,
            kind=kind,
            data=data,
            completed=completed,
            owner=owner,
        )

    def check_can_update(self, activity):
        services.ensure_open(activity)  # 409 before the If-Match check

    def update_record(self, record, data, *, expected_version):
        data.pop("completed", None)
        return services.update_activity(
            activity=record, user=self.request.user, data=data, expected_version=expected_version
        )

    @extend_schema(request=None, parameters=[IF_MATCH_HEADER])
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark an open activity completed (a call or e-mail then counts as contact)."""
        return self._transition(services.complete_activity)

    @extend_schema(request=None, parameters=[IF_MATCH_HEADER])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open activity."""
        return self._transition(services.cancel_activity)

    def _transition(self, service):
        activity = self.get_editable_object()
        expected_version(self.request, activity)
        activity = service(activity=activity, user=self.request.user)
        return self.record_response(activity)


class NoteViewSet(RecordViewSet):
    """Notes regarding a record you can see (files are added on the pages)."""

    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    filterset_class = NoteFilter

    def create_record(self, data):
        return services.add_note(
            regarding=data["regarding"], user=self.request.user, text=data["text"]
        )

    def get_editable_object(self):
        # As on the pages: the author may edit their note, nobody else (not even a manager
        # who may edit the record it is about).
        note = super().get_editable_object()
        if note.created_by_id != self.request.user.pk:
            raise exceptions.PermissionDenied(_("Only the author may change a note."))
        return note

    def update_record(self, record, data, *, expected_version):
        return services.update_note(
            note=record,
            user=self.request.user,
            text=data.get("text", record.text),
            expected_version=expected_version,
        )


class InquiryViewSet(RecordViewSet):
    """Customer inquiries regarding a record you can see; resolving or canceling one needs
    edit rights on that record (Dynamics' incident resolution)."""

    queryset = Inquiry.objects.all()
    serializer_class = InquirySerializer
    filterset_class = InquiryFilter

    def create_record(self, data):
        regarding = data.pop("regarding")
        return services.add_inquiry(regarding=regarding, user=self.request.user, data=data)

    def check_can_update(self, inquiry):
        if not inquiry.is_active:
            raise DomainError(_("A resolved or canceled inquiry cannot be changed."))

    @extend_schema(request=ResolveInquirySerializer, parameters=[IF_MATCH_HEADER])
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve an active inquiry, with an optional resolution text."""
        body = ResolveInquirySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(
            services.resolve_inquiry, resolution=body.validated_data["resolution"]
        )

    @extend_schema(request=None, parameters=[IF_MATCH_HEADER])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an active inquiry."""
        return self._transition(services.cancel_inquiry)

    def _transition(self, service, **arguments):
        inquiry = self.get_editable_object()
        version = expected_version(self.request, inquiry)
        inquiry = service(
            inquiry=inquiry, user=self.request.user, expected_version=version, **arguments
        )
        return self.record_response(inquiry)
