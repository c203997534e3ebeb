"""Dynamics' Merge message for leads, contacts and accounts, and its undo:

    POST /api/v1/<leads|contacts|accounts>/<master id>/merge/
         {"subordinates": [ids], "fields": {"<field>": <pk>}, "versions": {"<pk>": <version>}}
         -> 201 {"id", "master", "subordinates", "fields", "moved": {kind: {count, ids}}}
    POST /api/v1/<leads|contacts|accounts>/<master id>/merge/<merge id>/undo/ -> 200

The services are leads/merge.py and accounts/merge.py. A master out of the user's scope is a
404; no change permission or no edit right on a record a 403; bad ids or fields a 400; a
stale version, a record merged already or a later merge depending on this one a 409."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.merge import merge_accounts, merge_contacts
from accounts.models import Account, Contact
from activities.merge import (
    MAX_OTHERS,
    MergeConflict,
    MergeForbidden,
    moved_summary,
    undo_merge,
)
from activities.models import RecordMerge
from api.schema import ErrorSerializer
from api.viewsets import ApiView
from crm.errors import DomainError, StaleRecord
from crm.lib.filters import MAX_ID
from crm.permissions import check_permission
from leads.merge import merge_leads
from leads.models import Lead


class MergeRequestSerializer(serializers.Serializer):
    subordinates = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_OTHERS,
        help_text="The ids of the records merged into the master (one or two).",
    )
    fields = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=dict,
        help_text="Per field, the id of the record whose value the master keeps (default: "
        "the master's own).",
    )
    versions = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=dict,
        help_text="Per record id, the version you read: a record changed since is a 409.",
    )


class MovedKindSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField())


class TakenValueSerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under its JSON name below.
    old = serializers.JSONField(help_text="The master's value before.")
    new = serializers.JSONField(help_text="The value taken.")


TakenValueSerializer._declared_fields["from"] = serializers.IntegerField(
    help_text="The id of the record the value was taken from."
)


class MergeResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The merge's id (to undo it).")
    master = serializers.IntegerField()
    subordinates = serializers.ListField(child=serializers.IntegerField())
    merged_at = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)
    fields = serializers.DictField(child=TakenValueSerializer())
    moved = serializers.DictField(child=MovedKindSerializer())


def merge_data(merge):
    return {
        "id": merge.pk,
        "master": merge.master_id,
        "subordinates": merge.subordinate_ids,
        "merged_at": merge.merged_at,
        "undone_at": merge.undone_at,
        "fields": merge.fields,
        "moved": moved_summary(merge),
    }


def _error(error):
    """A refusal of the merge service as the API's status."""
    if isinstance(error, MergeForbidden):
        return exceptions.PermissionDenied(str(error))
    if isinstance(error, StaleRecord | MergeConflict):
        return _Conflict(str(error))
    return exceptions.ValidationError({"detail": str(error)})


class _Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


_ERRORS = {
    400: OpenApiResponse(description="Bad ids or fields."),
    403: OpenApiResponse(ErrorSerializer, description="No right to change a record."),
    404: OpenApiResponse(ErrorSerializer, description="The master is not in your scope."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="A record changed since you read it, was merged already, or a later "
        "merge depends on this one.",
    ),
}


class _MergeBase(ApiView, GenericAPIView):
    model = None
    service = None
    serializer_class = MergeRequestSerializer

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def _master(self, pk):
        master = get_object_or_404(self.get_queryset(), pk=pk)
        options = self.model._meta
        check_permission(self.request.user, f"{options.app_label}.change_{options.model_name}")
        return master


class MergeView(_MergeBase):
    @extend_schema(
        request=MergeRequestSerializer,
        responses={201: MergeResultSerializer, **_ERRORS},
    )
    def post(self, request, pk):
        """Merge up to two records into the master: per field whose value to keep, every
        related item moved to the master, the others deactivated and pointing to it."""
        master = self._master(pk)
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wanted = body.validated_data["subordinates"]
        found = self.get_queryset().in_bulk(wanted)
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise exceptions.ValidationError(
                {
                    "subordinates": _("Not found: %(ids)s.")
                    % {"ids": ", ".join(str(pk) for pk in missing)}
                }
            )
        try:
            merge = type(self).service(
                user=request.user,
                master=master,
                others=[found[pk] for pk in wanted],
                take=body.validated_data["fields"],
                versions=body.validated_data["versions"],
            )
        except DomainError as error:
            raise _error(error) from None
        return Response(merge_data(merge), status=status.HTTP_201_CREATED)


class UndoMergeView(_MergeBase):
    serializer_class = MergeResultSerializer

    @extend_schema(request=None, responses={200: MergeResultSerializer, **_ERRORS})
    def post(self, request, pk, merge_pk):
        """Undo a merge into this master: the merged records come back with their own
        values and state, every moved item goes back. An administrator or the person who
        merged, while no later merge depends on it."""
        master = self._master(pk)
        merge = get_object_or_404(RecordMerge.objects.of_master(master), pk=merge_pk)
        try:
            merge = undo_merge(user=request.user, merge=merge)
        except DomainError as error:
            raise _error(error) from None
        return Response(merge_data(merge))


def views_for(model, service):
    """(merge view, undo view) for one kind of record."""
    name = model.__name__
    merge = type(f"{name}MergeView", (MergeView,), {"model": model, "service": service})
    undo = type(f"{name}UndoMergeView", (UndoMergeView,), {"model": model})
    return merge.as_view(), undo.as_view()


KINDS = (
    ("leads", "lead", Lead, merge_leads),
    ("contacts", "contact", Contact, merge_contacts),
    ("accounts", "account", Account, merge_accounts),
)
