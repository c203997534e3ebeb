"""OpenAPI details every operation shares: the JSON error responses the exception handler
gives, so clients (and the schemathesis run in CI) know each status code an operation has."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DuplicateConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    possible_duplicates = serializers.ListField(child=serializers.DictField())


# A 400 body names each field with its messages ("non_field_errors" for the whole object).
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "description": "Field name → list of messages.",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "401": (ErrorSerializer, _("Not authenticated.")),
            "403": (ErrorSerializer, _("Not allowed (or a session request without CSRF).")),
            # Lists give 404 for a page past the end, details for an invisible record.
            "404": (ErrorSerializer, _("Not found, or not visible to you.")),
        }
        # Updates and the actions on one record (qualify, complete, ...) check the record's
        # state (409) and If-Match (412).
        if self.method == "PATCH" or (self.method == "POST" and "{" in self.path):
            errors["409"] = (ErrorSerializer, _("The record's state does not allow this."))
            errors["412"] = (ErrorSerializer, _("If-Match names an older version."))
        if self.method in {"POST", "PATCH", "PUT"}:
            errors["415"] = (ErrorSerializer, _("The body is not JSON."))
        if self.method in {"POST", "PATCH", "PUT"} or self._is_list_view():
            errors["400"] = (VALIDATION_ERROR_SCHEMA, _("Invalid input."))
        for code, (schema, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(schema, code, direction=direction)
                response["description"] = str(description)
                responses[code] = response
        return responses
