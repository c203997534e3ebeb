"""Unknown query parameters are refused: a mistyped filter must not silently return
everything. The documented ones are the pagination's, `format`, `q`, `ordering` and the
viewset's filterset fields."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions

ALWAYS_KNOWN = {"format", "q", "ordering", "page", "page_size", "cursor", "after", "before"}


class KnownParametersFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        known = set(ALWAYS_KNOWN)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        paginator = getattr(view, "paginator", None)
        for name in ("page_query_param", "page_size_query_param", "cursor_query_param"):
            if getattr(paginator, name, None):
                known.add(getattr(paginator, name))
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {
                    "detail": _("Unknown query parameters: %(names)s.")
                    % {"names": ", ".join(unknown)}
                }
            )
        return super().filter_queryset(request, queryset, view)
