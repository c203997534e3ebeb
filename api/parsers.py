"""The API's JSON parser: DRF's, with a body nested too deep for Python's parser answered as
a 400 like any other malformed JSON (DRF lets the RecursionError through: a 500)."""

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
