"""The shapes every API resource shares: read-only lists, and business records (owned, with
history and a version) that can be listed, read, created and partially updated."""

from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from api.concurrency import etag_for, expected_version
from crm import services as crm_services

ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=True,
    description="The record's version; send it back in If-Match when you update.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read. When it no longer matches, nothing is saved (412).",
)


class ApiView:
    # DRF authenticates (token or session) and answers 401 itself, so the site-wide
    # LoginRequiredMiddleware must not redirect API requests to the login page.

    @classmethod
    def as_view(cls, *args, **initkwargs):
        return login_not_required(super().as_view(*args, **initkwargs))


class ReadOnlyViewSet(ApiView, viewsets.ReadOnlyModelViewSet):
    pass


class RecordViewSet(
    ApiView,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # A business record (crm.models.OwnedRecord): scoped to what the user may see, so another
    # team's record is a 404; updates need edit rights (403) and honour If-Match (412).
    # (Comments, not a docstring: drf-spectacular would show a docstring on every operation.)

    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    @extend_schema(parameters=[ETAG_HEADER])
    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        response = Response(self.get_serializer(record).data)
        response["ETag"] = etag_for(record)
        return response

    @extend_schema(parameters=[IF_MATCH_HEADER, ETAG_HEADER])
    def partial_update(self, request, *args, **kwargs):
        record = self.get_editable_object()
        self.check_can_update(record)
        version = expected_version(request, record)
        serializer = self.get_serializer(record, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        record = self.update_record(record, serializer.validated_data, expected_version=version)
        return self.record_response(record)

    def get_editable_object(self):
        """The record to change: invisible → 404, visible but not yours to change → 403."""
        record = self.get_object()
        if (
            not type(record)
            ._default_manager.editable_by(self.request.user)
            .filter(pk=record.pk)
            .exists()
        ):
            raise exceptions.PermissionDenied(_("You can see this record but not change it."))
        return record

    def record_response(self, record, *, status_code=200):
        """The record as stored now (re-read with the list's joins), with its new ETag."""
        # The ETag comes from the re-read row: the caller's instance may predate the change
        # (an action that passes the record it started from).
        fresh = self.get_queryset().filter(pk=record.pk).first()
        if fresh is None:
            # The action took the record out of the caller's sight (assigned or routed to
            # another team): it was done; say so rather than show what they may not see.
            return Response(
                {
                    "id": record.pk,
                    "detail": _("Done. The record is no longer visible to you."),
                },
                status=status_code,
            )
        data = self.get_serializer(fresh).data
        response = Response(data, status=status_code)
        response["ETag"] = etag_for(fresh)
        return response

    def check_can_update(self, record):
        """Raise DomainError (409) when the record's state refuses edits (per resource)."""

    def update_record(self, record, data, *, expected_version):
        """Write through the app's update service (override per resource)."""
        return crm_services.update_record(
            record, user=self.request.user, data=data, expected_version=expected_version
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.create_record(serializer.validated_data)
        response = self.record_response(record, status_code=status.HTTP_201_CREATED)
        response["Location"] = str(response.data["url"])  # a Hyperlink: wsgiref wants a str
        return response

    def create_record(self, data):
        raise NotImplementedError
