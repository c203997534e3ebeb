"""Every API error is JSON: field messages (400), 404 for what the user cannot see, 409 for a
refused state change (DomainError), 412 for a stale `If-Match` (StaleRecord), 413 for a body
over DATA_UPLOAD_MAX_MEMORY_SIZE."""

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from crm.errors import DomainError, StaleRecord


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The record is not in a state that allows this.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you read it (If-Match does not match).")
    default_code = "precondition_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def exception_handler(exc, context):
    # StaleRecord is a DomainError too, so it is tested first.
    if isinstance(exc, RequestDataTooBig):
        # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, hit while DRF reads the body.
        exc = PayloadTooLarge()
    elif isinstance(exc, StaleRecord):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, DomainError):
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
        # A model's full_clean() inside a service: the same shape as a serializer's errors.
        errors = as_serializer_error(exc)
        if NON_FIELD_ERRORS in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, Http404):
        # Django's get_object_or_404 names the model's class in English ("No Lead matches
        # the given query."): say it with the model's translated name instead.
        exc = exceptions.NotFound(_not_found_detail(context.get("view")))
    return drf_exception_handler(exc, context)


def _not_found_detail(view):
    try:
        model = view.get_queryset().model
    except Exception:  # not a model view (or none at all): DRF's own "Not found."
        return exceptions.NotFound.default_detail
    return gettext("%(name)s not found.") % {"name": capfirst(model._meta.verbose_name)}
