"""The API's JSON parser: DRF's, with a body nested too deep for Python's parser answered as
a 400 like any other malformed JSON (DRF lets the RecursionError through: a 500), and the
400's message in the user's language (DRF's "JSON parse error - ..." is not translated)."""

import json

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(
                _("JSON parse error - the body is nested too deep.")
            ) from error
        except exceptions.ParseError as error:
            cause = error.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _(
                    "The request body is not valid JSON (line %(line)s, column %(column)s)."
                ) % {"line": cause.lineno, "column": cause.colno}
            elif isinstance(cause, ValueError):
                message = _("The request body is not valid JSON.")
            else:
                raise
            raise exceptions.ParseError(message) from cause
