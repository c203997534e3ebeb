"""Search-as-you-type record pickers for forms, instead of a <select> of every record.

`use_lookup(form.fields["account"], "account")` swaps a ModelChoiceField's widget for a
search box plus radio buttons. The page holds only the chosen record (and "none" for an
optional field); typing asks `lookup` (htmx GET) for at most LOOKUP_LIMIT visible records,
returned as more radio buttons of the same name, so picking one is plain form input and the
chosen id is posted (and round-trips) without any script of ours. static/js/lookup.js only
keeps Enter in the search box from submitting the whole form, and the search box's change
event out of it (typing is not a choice). The search box sets every htmx setting a form
around it could pass down (hx-select, hx-swap, hx-select-oob, ...): a lookup never inherits
its form's, as it did once on the qualify page, whose preview hx-select emptied the results.

The field keeps its ModelChoiceField validation against its own queryset (always scoped with
visible_to(user)): an id the user may not see is "not found", never accepted.
"""

import re
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from crm import search_index
from crm.lib.search import search_terms

LOOKUP_LIMIT = 20
NOT_FOUND = _("Not found: choose a record you can see.")
_SAFE_NAME = re.compile(r"^[A-Za-z][\w-]{0,80}$")


@dataclass(frozen=True)
class Lookup:
    model: str  # "app_label.Model"
    search: tuple  # fields each typed word is looked for in (icontains)
    detail: str = ""  # an attribute shown after the name
    only: str = ""  # a queryset method narrowing the offered records ("active", "open")
    # Typed words looked for in the model's search index (crm/search_index.py: every field
    # it holds, topic and phones included, served by its index) instead of `search`.
    indexed: bool = False

    def queryset(self, user):
        queryset = apps.get_model(self.model).objects.visible_to(user)
        return getattr(queryset, self.only)() if self.only else queryset


# kind -> Lookup, filled by the apps that own the models (register_lookup in their ready()).
LOOKUPS: dict[str, Lookup] = {}


def register_lookup(kind, lookup):
    """Offer `lookup` as /lookup/<kind>/ and to use_lookup(); call from AppConfig.ready()."""
    LOOKUPS[kind] = lookup


def search(queryset, lookup, text):
    """Records with every typed word in one of the lookup's fields (or, `indexed`, in the
    model's search index), first LOOKUP_LIMIT + 1."""
    index = search_index.INDEXES.get(lookup.model) if lookup.indexed else None
    if index is not None:
        queryset = index.filter(queryset, search_terms(text)[:5])
        return list(
            queryset.order_by(*queryset.model._meta.ordering or ["pk"])[: LOOKUP_LIMIT + 1]
        )
    for word in text.split()[:5]:
        words = Q()
        for field in lookup.search:
            words |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(words)
    return list(queryset.order_by(*queryset.model._meta.ordering or ["pk"])[: LOOKUP_LIMIT + 1])


def _selected(queryset, value):
    value = getattr(value, "pk", value)
    if value in (None, ""):
        return None
    try:
        return queryset.filter(pk=value).first()
    except (ValueError, TypeError, ValidationError):
        return None


def _options_context(*, name, html_id, optional, selected, matches=(), searched=False, kind):
    detail = LOOKUPS[kind].detail
    return {
        "name": name,
        "html_id": html_id,
        "optional": optional,
        "selected": selected,
        "matches": [
            (record, getattr(record, detail, "") if detail else "")
            for record in matches[:LOOKUP_LIMIT]
        ],
        "more": len(matches) > LOOKUP_LIMIT,
        "searched": searched,
    }


class LookupWidget(forms.Widget):
    template_name = "crm/lookup/widget.html"

    def __init__(self, kind, queryset, attrs=None, exclude=None):
        super().__init__(attrs)
        self.kind, self.queryset, self.exclude = kind, queryset, exclude

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        html_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        optional = not self.is_required
        url = reverse("lookup", kwargs={"kind": self.kind})
        params = f"name={name}&id={html_id}" + ("&optional=1" if optional else "")
        if self.exclude is not None:
            params += f"&exclude={int(self.exclude)}"
        context["widget"].update(
            url=f"{url}?{params}",
            **_options_context(
                name=name,
                html_id=html_id,
                optional=optional,
                selected=_selected(self.queryset, value),
                kind=self.kind,
            ),
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def use_lookup(field, kind, *, exclude=None):
    """Make a ModelChoiceField (its queryset already scoped to the user) a lookup; `exclude`:
    the pk of a record never offered (the record being merged, which cannot be its own
    duplicate)."""
    field.widget = LookupWidget(kind, field.queryset, exclude=exclude)
    field.widget.is_required = field.required
    field.error_messages = {**field.error_messages, "invalid_choice": NOT_FOUND}
    return field


@require_GET
def lookup(request, kind):
    """Radio buttons for at most LOOKUP_LIMIT visible records matching the typed text, the
    chosen one (if the user sees it) first. An HTML fragment for the lookup widget."""
    spec = LOOKUPS.get(kind)
    if spec is None:
        return HttpResponseNotFound()
    name = request.GET.get("name", "")
    html_id = request.GET.get("id") or f"id_{name}"
    if not (_SAFE_NAME.match(name) and _SAFE_NAME.match(html_id)):
        return HttpResponseBadRequest()
    text = request.GET.get(f"{name}__search", request.GET.get("q", "")).strip()[:100]
    visible = apps.get_model(spec.model).objects.visible_to(request.user)
    selected = _selected(visible, request.GET.get(name))
    matches = []
    if text:
        offered = spec.queryset(request.user)
        if selected is not None:
            offered = offered.exclude(pk=selected.pk)
        if (exclude := request.GET.get("exclude", "")).isdigit():
            offered = offered.exclude(pk=int(exclude))
        matches = search(offered, spec, text)
    context = _options_context(
        name=name,
        html_id=html_id,
        optional=bool(request.GET.get("optional")),
        selected=selected,
        matches=matches,
        searched=bool(text),
        kind=kind,
    )
    return render(request, "crm/lookup/options.html", context)
