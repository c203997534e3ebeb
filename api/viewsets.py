"""The shapes every API resource shares: read-only lists, and business records (owned, with
history and a version) that can be listed, read, created and partially updated."""

from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.response import Response

from activities.services import delete_record
from api.concurrency import etag_for, expected_version
from crm import services as crm_services
from crm.history import Reason, change_reason
from crm.permissions import declared_actions, missing_permission_message

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

    def dispatch(self, request, *args, **kwargs):
        # What the request writes says it came through the API (crm/history.py).
        with change_reason() as self.history_frame:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, Token):  # a script's token, not the browser's session
            self.history_frame.reason, self.history_frame.user = Reason.API, request.user


def _model_permission(view, action):
    options = view.queryset.model._meta
    return f"{options.app_label}.{action}_{options.model_name}"


class ActionPermission(permissions.BasePermission):
    """What the user's role may do (crm/permissions.py): creating needs the model's add
    permission, deleting its delete permission, and a viewset's `action_permissions` name the
    others ({"qualify": "leads.qualify_lead"}). An action on one record is checked on the
    record (after the scoped fetch: another team's record stays a 404). 403 says what lacks."""

    def _needed(self, view):
        if view.action == "create":
            return _model_permission(view, "add")
        if view.action == "destroy":
            return _model_permission(view, "delete")
        if view.action == "partial_update":
            return _model_permission(view, "change")
        return getattr(view, "action_permissions", {}).get(view.action)

    def _check(self, request, view):
        needed = self._needed(view)
        if needed and not request.user.has_perm(needed):
            raise exceptions.PermissionDenied(missing_permission_message(needed))
        return True

    def has_permission(self, request, view):
        return view.detail or self._check(request, view)

    def has_object_permission(self, request, view, obj):
        return self._check(request, view)


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
    permission_classes = [permissions.IsAuthenticated, ActionPermission]
    action_permissions = {}

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
        self.check_reassign(record, serializer.validated_data)
        record = self.update_record(record, serializer.validated_data, expected_version=version)
        return self.record_response(record)

    def get_editable_object(self):
        """The record to change: invisible → 404, visible but not yours to change → 403."""
        record = self.get_object()
        crm_services.ensure_not_merged(record)  # read-only: a 409 that says why
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

    def check_reassign(self, record, data):
        """A new owner needs the model's reassign permission (where one is declared)."""
        needed = _model_permission(self, "reassign")
        owner = data.get("owner")
        if owner is None or owner == record.owner or needed not in declared_actions():
            return
        if not self.request.user.has_perm(needed):
            raise exceptions.PermissionDenied(missing_permission_message(needed))

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


class DeletableMixin:
    """DELETE for a record made by mistake (administrators: the delete permission): 204, or
    409 when it must stay (a qualified lead). Body: {"reason": "…"}, kept in its history."""

    http_method_names = [*RecordViewSet.http_method_names, "delete"]

    def destroy(self, request, *args, **kwargs):
        # Scope (404), edit rights (403: a read share does not delete), the permission (403).
        record = self.get_editable_object()
        reason = str(request.data.get("reason", "") if hasattr(request.data, "get") else "")
        self.delete_record(record, reason=reason.strip() or Reason.DELETED_THROUGH_API)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def delete_record(self, record, *, reason):
        delete_record(record=record, user=self.request.user, reason=reason)
