"""The merge page and the undo of a merge, written once for leads, contacts and accounts.

Each app routes its own page with a `MergeKind` (its model, its merge service, its words):
``path("merge/", LEADS.view, name="merge")``; `/…/merge/?ids=1,2,3` shows the records side by
side, one row per field a person may choose (activities.merge.mergeable_fields), the master's
value chosen, a radio per record to take another's; the POST goes through the app's service
with every record's version. Undoing (`undo_merge_view`) and the panels on the record pages
(`merged_from_panel`, `merged_into_panel`, registered by the apps that own the models) are
generic: a RecordMerge names its master by content type.
"""

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from activities import merge as engine
from activities.models import RecordMerge
from crm.errors import DomainError, StaleRecord
from crm.lib.filters import MAX_ID
from crm.lib.http import safe_next
from crm.lookup import use_lookup
from crm.panels import register_panel
from crm.templatetags.readable import money

MAX_RECORDS = 3  # a master and up to two others, as Dynamics' Merge message
EMPTY = "—"

# What the summary counts, in the order shown (merge_preview's keys).
MOVED_KINDS = {
    "activities": ngettext_lazy("%(n)s activity", "%(n)s activities", "n"),
    "notes": ngettext_lazy("%(n)s note", "%(n)s notes", "n"),
    "inquiries": ngettext_lazy("%(n)s inquiry", "%(n)s inquiries", "n"),
    "links": ngettext_lazy("%(n)s link", "%(n)s links", "n"),
    "opportunities": ngettext_lazy("%(n)s opportunity", "%(n)s opportunities", "n"),
}


@dataclass(frozen=True)
class MergeKind:
    """What the merge page of one model needs from the app that owns it.

    merge       the service: merge(*, user, master, others, take, versions) -> RecordMerge.
    page_url    the page's URL name, for the picker's and the form's links.
    lookup      the crm.lookup kind that picks another record ("lead", "contact").
    selected    the name of the list's ticked boxes (?leads=1&leads=2 from the bulk bar).
    merged      merged(count, master) -> the success message.
    closed_note closed_note(record) -> a sentence when the record keeps its own state (a
                qualified or disqualified lead), else "".
    state       state(record) -> a short badge text ("Qualified", "Inactive") or "".
    related     the foreign keys the page shows joined (names of related records).
    order       the fields in the order of the record's form (the others after them).
    list_url    the list the bulk bar's Merge came from: a wrong number of ticked records
                goes back there with a message.
    """

    model: type
    merge: Callable
    page_url: str
    lookup: str
    selected: str
    plural: Any
    merged: Callable
    closed_note: Callable = lambda record: ""
    state: Callable = lambda record: ""
    can_be_master: Callable = lambda record: True
    related: tuple = ()
    order: tuple = ()
    list_url: str = ""

    @property
    def permission(self):
        """The model's change permission ("leads.change_lead"): merging edits records."""
        meta = self.model._meta
        return f"{meta.app_label}.change_{meta.model_name}"

    @property
    def view(self):
        kind = self

        @require_http_methods(["GET", "POST"])
        def view(request):
            return merge_page(request, kind)

        view.__name__ = view.__qualname__ = f"{self.model._meta.model_name}_merge"
        return view


# The page ---------------------------------------------------------------------------------


class BadIds(Exception):
    pass


def _ids(request, kind):
    """The record ids asked for: ?ids=1,2,3, or the list's ticked boxes (?leads=1&leads=2),
    or one id plus the picker's choice (?ids=1&add=2). At most MAX_RECORDS, no repeats."""
    source = request.POST if request.method == "POST" else request.GET
    values = source.get("ids", "").split(",") if source.get("ids") else []
    values += source.getlist(kind.selected)
    if source.get("add"):
        values.append(source["add"])
    ids = []
    for value in values:
        value = value.strip()
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise BadIds(_("Choose the records to merge from the list."))
        if int(value) not in ids:
            ids.append(int(value))
    if not ids:
        raise BadIds(_("Choose the records to merge from the list."))
    if len(ids) > MAX_RECORDS:
        raise BadIds(
            _("Merge at most %(n)s records at a time: a master and two others.")
            % {"n": MAX_RECORDS}
        )
    return ids


def _from_list_count_error(request, kind):
    """The bulk bar's Merge with a number of ticked records other than two or three: what
    to say on the list, or ""."""
    if request.method != "POST" or "ids" in request.POST or not kind.list_url:
        return ""
    ticked = {value for value in request.POST.getlist(kind.selected) if value.strip()}
    if 1 <= len(ticked) <= MAX_RECORDS:  # one: the page asks for the other
        return ""
    return _("Choose two or three %(kind)s to merge.") % {"kind": kind.plural}


def _records(request, kind, ids):
    """The records, oldest first, with can_edit; another team's (or a missing) one is a 404."""
    queryset = (
        kind.model._default_manager.visible_to(request.user)
        .with_access(request.user)
        .select_related(*kind.related)
        .filter(pk__in=ids)
        .order_by("created_at", "pk")
    )
    records = list(queryset)
    if len(records) != len(ids):
        raise Http404
    return records


class PickForm(forms.Form):
    """One record chosen, the page asks for the other: a lookup of the records the user sees."""

    add = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Merge with"))

    def __init__(self, *args, kind, user, record, **kwargs):
        super().__init__(*args, **kwargs)
        # Not the record itself, nor one merged already: neither can be merged with it.
        queryset = (
            kind.model._default_manager.visible_to(user)
            .exclude(pk=record.pk)
            .filter(merged_into__isnull=True)
        )
        self.fields["add"].queryset = queryset
        use_lookup(self.fields["add"], kind.lookup, exclude=record.pk)


def _shown(record, model_field):
    """A field's value as a person reads it."""
    value = getattr(record, model_field.attname)
    if value in (None, ""):
        return EMPTY
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.many_to_one:
        return str(getattr(record, model_field.name))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, decimal.Decimal):  # amounts of money, as on the record pages
        return money(value)
    return str(value)


@dataclass
class Cell:
    record: Any
    text: str
    chosen: bool
    raw: Any = None


@dataclass
class FieldRow:
    name: str
    label: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def identical(self):
        return len({cell.raw for cell in self.cells}) == 1 if self.cells else True


def _fields(kind):
    """The mergeable fields, in the order of the record's form."""
    fields = engine.mergeable_fields(kind.model)
    place = {name: i for i, name in enumerate(kind.order)}
    return sorted(fields, key=lambda pair: place.get(pair[0], len(place)))


def _field_rows(kind, records, take):
    rows = []
    for name, label in _fields(kind):
        model_field = kind.model._meta.get_field(name)
        row = FieldRow(name=name, label=label)
        chosen = take.get(name)
        for record in records:
            row.cells.append(
                Cell(
                    record=record,
                    text=_shown(record, model_field),
                    chosen=record.pk == chosen,
                    raw=getattr(record, model_field.attname),
                )
            )
        rows.append(row)
    return rows


def _take(source, records, master, kind):
    """{field: pk of the record whose value is kept}: the posted choices; where none (or an
    unknown record) was posted, the master's value, or the first other record's when the
    master has none (an empty field never wins over a filled one by default)."""
    pks = {record.pk for record in records}
    take = {}
    for name, _label in _fields(kind):
        value = source.get(f"take_{name}", "")
        if value.isdigit() and int(value) in pks:
            take[name] = int(value)
            continue
        attname = kind.model._meta.get_field(name).attname
        filled = [record.pk for record in (master, *records) if _filled(getattr(record, attname))]
        take[name] = filled[0] if filled else master.pk
    return take


def _filled(value):
    return value is not None and value != ""


def _master(source, records, kind):
    """The posted (or asked) master, else the oldest that may be one: it has carried the
    history longest (a qualified lead keeps its state, so it is never the default)."""
    value = source.get("master", "")
    for record in records:
        if value.isdigit() and record.pk == int(value):
            return record
    return next((record for record in records if kind.can_be_master(record)), records[0])


def _no_right(request, kind, records):
    """Why the user may not change (so not merge) these records, or ""."""
    if not request.user.has_perm(kind.permission):
        return _("You may not change these records, so you cannot merge them.")
    locked = [record for record in records if not record.can_edit]
    if locked:
        names = ", ".join(engine.record_name(record) for record in locked)
        return _("You can see %(records)s but not change it, so you cannot merge them.") % {
            "records": names
        }
    return ""


def _refusal(request, kind, records):
    """Why these records cannot be merged (besides the user's rights), or ""."""
    merged = [record for record in records if record.merged_into_id]
    if merged:
        names = ", ".join(engine.record_name(record) for record in merged)
        return _("%(records)s was merged into another record already.") % {"records": names}
    return ""


def _summary(preview):
    """What will move to the master, in words ("3 activities"), the kinds with any."""
    texts = []
    for move in preview["moves"]:
        if not move["count"]:
            continue
        text = MOVED_KINDS.get(move["key"])
        if text is None:  # a kind another app registered: its own label
            texts.append(_("%(kind)s: %(n)s") % {"kind": move["label"], "n": move["count"]})
        else:
            texts.append(text % {"n": move["count"]})
    return texts


def merge_page(request, kind):
    if list_error := _from_list_count_error(request, kind):
        messages.error(request, list_error)
        # Back to the list as it was: its filters, sort and page (the bulk form's next).
        return redirect(safe_next(request, reverse(kind.list_url)))
    try:
        ids = _ids(request, kind)
    except BadIds as error:
        return render(
            request, "activities/merge.html", {"kind": kind, "bad": str(error)}, status=400
        )
    # The list's ticked boxes (posted by the bulk bar's Merge) and the picker's choice come
    # back as a plain ?ids= address.
    source = request.POST if request.method == "POST" else request.GET
    added = source.get("add", "").strip()
    picked_itself = (
        request.method == "GET" and bool(added) and added in source.get("ids", "").split(",")
    )
    from_list = request.method == "POST" and "ids" not in request.POST
    if not picked_itself and (
        from_list
        or (request.method == "GET" and (source.getlist(kind.selected) or "add" in source))
    ):
        return redirect(f"{reverse(kind.page_url)}?ids={','.join(map(str, ids))}")
    records = _records(request, kind, ids)
    for record in records:
        record.merge_name = engine.record_name(record)
    # The user's rights are known at once: no page to fill in that would be refused.
    if no_right := _no_right(request, kind, records):
        raise PermissionDenied(no_right)
    master = _master(source, records, kind)
    context = {
        "kind": kind,
        "records": records,
        "ids": ",".join(str(record.pk) for record in records),
        "page_url": reverse(kind.page_url),
        "master": master,
    }
    if len(records) == 1:
        context["pick"] = PickForm(kind=kind, user=request.user, record=master)
        if picked_itself:
            context["pick_error"] = _(
                "%(record)s is the record you are merging: choose another one."
            ) % {"record": master.merge_name}
        return render(
            request, "activities/merge.html", context, status=400 if picked_itself else 200
        )
    others = [record for record in records if record.pk != master.pk]
    refusal = _refusal(request, kind, records)
    error, status = "", 200
    take = _take(source, records, master, kind)
    if request.method == "POST":
        versions = {
            record.pk: int(value)
            for record in records
            if (value := request.POST.get(f"version_{record.pk}", "")).isdigit()
        }
        try:
            if refusal:
                raise engine.MergeConflict(refusal)
            kind.merge(
                user=request.user, master=master, others=others, take=take, versions=versions
            )
        except StaleRecord as stale:
            error, status = stale.message_for(request.user), 409
        except DomainError as refused:
            error, status = str(refused), 400
        else:
            # The master as the merge left it: its name may be one taken from another record.
            master = kind.model._default_manager.get(pk=master.pk)
            messages.success(request, kind.merged(len(others), master))
            # The page's top: the message, then the "Merged from" panel with Undo.
            return redirect(master)
        # Show the records as they are now: the stale one's new values and version.
        records = _records(request, kind, ids)
        for record in records:
            record.merge_name = engine.record_name(record)
        master = _master(source, records, kind)
        others = [record for record in records if record.pk != master.pk]
    for record in records:
        record.merge_state = kind.state(record)
        record.may_be_master = kind.can_be_master(record)
    rows = _field_rows(kind, records, take)
    try:
        summary = _summary(engine.merge_preview(user=request.user, master=master, others=others))
    except DomainError as refused:
        summary, error = [], error or str(refused)
    context.update(
        master=master,
        others=others,
        differing=[row for row in rows if not row.identical],
        identical=[row for row in rows if row.identical],
        summary=summary,
        notes=[note for record in records if (note := kind.closed_note(record))],
        refusal=refusal,
        error=error,
    )
    return render(request, "activities/merge.html", context, status=status)


# Undo ---------------------------------------------------------------------------------------


def _merge_and_master(request, pk):
    """The merge and its master, read through the master's visible_to (another team's: 404)."""
    merge = get_object_or_404(RecordMerge.objects.select_related("content_type"), pk=pk)
    model = merge.model
    if model is None:
        raise Http404
    master = model._default_manager.visible_to(request.user).filter(pk=merge.master_id).first()
    if master is None:
        raise Http404
    return merge, master


@require_POST
def undo_merge_view(request, pk):
    merge, master = _merge_and_master(request, pk)
    if not engine.may_undo(request.user, merge):
        raise PermissionDenied(
            _("Only an administrator or the person who merged can undo this merge.")
        )
    try:
        engine.undo_merge(user=request.user, merge=merge)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Merge undone: the merged records are back."))
    # Back where the Undo was pressed: the record page or its History tab.
    return redirect(safe_next(request, master.get_absolute_url()))


# The record pages' panels -------------------------------------------------------------------


def _request_user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def merged_from_panel(context, record):
    """ "Merged from …" on a master's page: each merge into it not undone, the records merged
    (links), when and by whom, and Undo where the user may. One query on every page (the
    merges), one more when there are some (the merged records)."""
    merges = list(RecordMerge.objects.of_master(record).not_undone().select_related("merged_by"))
    if not merges:
        return None
    user = _request_user(context)
    # Each merge into this master involves it, so every one but the newest has a later merge
    # depending on it (engine.later_dependent_merges): only the newest may be undone, and is
    # the only one asked about (one query, however many merges the record has had).
    newest = max(merge.pk for merge in merges)
    ids = {pk for merge in merges for pk in merge.subordinate_ids}
    # Links to the merged records the user sees (one may have been given away since).
    visible = type(record)._default_manager.visible_to(user) if user else []
    merged = {other.pk: other for other in visible.filter(pk__in=sorted(ids))} if user else {}
    for other in merged.values():
        other.merge_name = engine.record_name(other)
    entries = [
        {
            "merge": merge,
            "records": [merged[pk] for pk in merge.subordinate_ids if pk in merged],
            "hidden": sum(pk not in merged for pk in merge.subordinate_ids),
            "may_undo": merge.pk == newest and user is not None and engine.may_undo(user, merge),
        }
        for merge in merges
    ]
    return {"record": record, "entries": entries, "request": context.get("request")}


def register_merge_panels(label):
    """The panels of a mergeable model's pages (crm/panels.py): "Merged into" and "Merged
    from" at the top of its record page, and "Merged from", with Undo, on its History tab."""
    register_panel(label, "activities/_merged_into.html", context=merged_into_panel, slot="top")
    for slot, order in (("top", 10), ("history", 10)):
        register_panel(
            label,
            "activities/_merged_from.html",
            context=merged_from_panel,
            slot=slot,
            order=order,
        )


def merged_into_panel(context, record):
    """ "Merged into <master> on … by …" at the top of a merged record's page (read-only)."""
    if not getattr(record, "merged_into_id", None):
        return None
    master = record.merged_into
    merge = next(
        (
            merge
            for merge in RecordMerge.objects.of_master(master)
            .not_undone()
            .select_related("merged_by")
            if record.pk in merge.subordinate_ids
        ),
        None,
    )
    return {"record": record, "master": master, "merge": merge}
