"""Filters shared by the apps' lists and the API."""

import django_filters
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

# The largest id a 64-bit integer column holds (SQLite's INTEGER, PostgreSQL's bigint).
MAX_ID = 2**63 - 1


class StableOrderingFilter(django_filters.OrderingFilter):
    """A list's "sort by": the chosen columns, then their tie-breakers (`then`: field name →
    fields that order rows equal on it, e.g. last name → first name) and the primary key, so
    equal values keep one order and pages neither repeat nor skip rows."""

    def __init__(self, *args, then=None, **kwargs):
        self.then = then or {}
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        # django-filter formats "%s (descending)" once, when the FilterSet class is built (in
        # the language of the import); a lazy label is formatted in the language of the page.
        ascending = [
            (param, labels.get(field, _(pretty_name(param)))) for field, param in fields.items()
        ]
        descending = [
            (f"-{param}", labels.get(f"-{param}", _descending(label)))
            for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        if not ordering:
            return qs
        extra = []
        for field in ordering:
            sign = "-" if field.startswith("-") else ""
            extra += [sign + name for name in self.then.get(field.lstrip("-"), [])]
        return qs.order_by(*ordering, *extra, "pk")


def _descending_label(label):
    return gettext("%s (descending)") % label


_descending = lazy(_descending_label, str)


class IdFilter(django_filters.NumberFilter):
    """A record id: a number out of an id's range is a filter error (400 / a message), never
    a value that overflows the database's integer."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """A Yes/No filter's select: "Any" (no filter), "Yes", "No". django-filter's BooleanWidget
    says "Unknown" for the empty choice, which reads as "the value is not known"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A Yes/No filter of a list ("Active", "Only mine"), "Any" unless chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)
