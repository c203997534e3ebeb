"""The timeline: everything that happened around one record, newest first, in one list.

Other apps plug in without this app importing them (STYLE.md: imports point up):

- `register_source(...)` adds a kind of entry (the leads app adds its status log);
- `register_read_through(...)` makes a record show the timeline of other records too, marked
  with a label (an account created by qualifying a lead shows "From the lead").

Call both from your AppConfig.ready(). The page is read with a fixed number of queries: one
COUNT and one UNION over every (record, source) pair pick the page's rows, then one query per
source present on the page loads them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import (
    BigIntegerField,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

PER_PAGE = 20


@dataclass(frozen=True)
class TimelineSource:
    """One kind of timeline entry.

    key       the filter value and the entry's `kind` ("note", "status", ...).
    label     shown in the filter bar.
    rows      rows(model, pks) -> QuerySet or None: the source's rows that belong to records
              of `model` whose pk is in `pks` (a list or a `values("pk")` subquery); None
              when the source has nothing for that model (e.g. a lead status log asked about
              accounts). Must not run a query itself.
    template  the partial that renders one entry; it receives `entry` (a TimelineEntry).
    at        the row's timestamp field, used for the order.
    load      load(pks) -> iterable of the rows to show, one query (select_related here).
    kinds     the values of `kind_field` this source stands for, when one source holds several
              filterable kinds (activities: phone call, e-mail, ...). Empty: just `key`.
    for_user  optional for_user(queryset, user) -> queryset: adds what depends on the viewer
              to `load`'s query (e.g. an annotation saying whether they may change the row),
              without a query of its own.
    load_for  instead of `load`, for a source whose rows live in a table per model (the
              history tables): load_for(model, pks), one query per model on the page.
    """

    key: str
    label: Any
    rows: Callable
    template: str
    load: Callable
    at: str = "created_at"
    kinds: tuple = ()
    kind_field: str | None = None
    kind_labels: dict = field(default_factory=dict)
    for_user: Callable | None = None
    load_for: Callable | None = None


@dataclass(frozen=True)
class ReadThrough:
    label: Any
    related: Callable


_sources: dict[str, TimelineSource] = {}
_read_throughs: dict[str, list[ReadThrough]] = {}


def register_source(source):
    """Add a kind of timeline entry (see TimelineSource). Call from AppConfig.ready().

    Example (leads/apps.py):

        from activities.timeline import TimelineSource, register_source
        register_source(TimelineSource(
            key="status",
            label=_("Status changes"),
            rows=lambda model, pks: (
                LeadStatusChange.objects.filter(lead__in=pks) if model is Lead else None
            ),
            load=lambda pks: LeadStatusChange.objects.filter(pk__in=pks).select_related("by"),
            template="leads/_timeline_status_change.html",
            at="changed_at",
        ))

    Registering the same key again replaces the source (ready() may run twice in tests).
    """
    _sources[source.key] = source


def register_read_through(model_label, related, label):
    """Show on every `model_label` record ("accounts.account") the timeline of related records.

    `related(record, user)` returns a QuerySet of the related records (any model), without
    evaluating it: it becomes a subquery. Their entries appear marked with `label`
    ("From the lead"). Example (leads/apps.py):

        register_read_through(
            "accounts.account",
            lambda account, user: Lead.objects.filter(qualified_account=account),
            _("From the lead"),
        )

    Registering the same (model_label, label) again replaces the earlier one.
    """
    entries = _read_throughs.setdefault(model_label.lower(), [])
    entries[:] = [entry for entry in entries if str(entry.label) != str(label)]
    entries.append(ReadThrough(label=label, related=related))


def sources():
    return list(_sources.values())


def kind_choices(record=None, user=None):
    """(value, label) for the filter bar, in registration order; for `record`, only the
    sources with rows for it or the records it reads through (no query: `rows` runs none)."""
    groups = _groups(record, user) if record is not None else None
    choices = []
    for source in _sources.values():
        if groups is not None and all(source.rows(m, pks) is None for m, pks, _l in groups):
            continue
        if source.kinds:
            choices.extend((kind, source.kind_labels.get(kind, kind)) for kind in source.kinds)
        else:
            choices.append((source.key, source.label))
    return choices


@dataclass
class TimelineEntry:
    kind: str
    at: Any
    object: Any
    template: str
    origin: Any = None  # the read-through label, None for the record's own entries


@dataclass
class TimelinePage:
    record: Any
    entries: list
    page: Any
    kind: str


def _groups(record, user):
    """(model, pks, label) for the record itself and every read-through group."""
    groups = [(type(record), [record.pk], None)]
    for read_through in _read_throughs.get(record._meta.label_lower, []):
        related = read_through.related(record, user)
        groups.append((related.model, related.values("pk"), read_through.label))
    return groups


def timeline_rows(record, user, kind=""):
    """The UNION of (source key, kind, pk, at, group index) rows, newest first, unevaluated."""
    parts = []
    for index, (model, pks, _label) in enumerate(_groups(record, user)):
        for source in _sources.values():
            if kind and kind != source.key and kind not in source.kinds:
                continue
            rows = source.rows(model, pks)
            if rows is None:
                continue
            if kind and kind in source.kinds:
                rows = rows.filter(**{source.kind_field: kind})
            kind_expr = F(source.kind_field) if source.kind_field else Value(source.key)
            parts.append(
                rows.order_by()
                .annotate(
                    t_source=Value(source.key, output_field=CharField()),
                    t_kind=kind_expr,
                    t_at=F(source.at),
                    t_group=Value(index, output_field=IntegerField()),
                )
                .values_list("t_source", "t_kind", "pk", "t_at", "t_group")
            )
    if not parts:
        return None
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-t_at", "-pk")


def build_timeline(record, user, *, kind="", page=1, per_page=PER_PAGE):
    """One page of the record's timeline.

    Queries: COUNT of the union, the union's page, then one query per source present on the
    page (so at most 2 + number of sources, whatever the page size)."""
    if kind and kind not in dict(kind_choices()):
        kind = ""
    rows = timeline_rows(record, user, kind)
    page_obj = Paginator([] if rows is None else rows, per_page).get_page(page)
    picked = list(page_obj.object_list)
    labels = [None] + [rt.label for rt in _read_throughs.get(record._meta.label_lower, [])]
    groups = _groups(record, user)

    def slot(source_key, group):
        # A per-model source's ids are only unique within one group's model.
        return (source_key, group if _sources[source_key].load_for else None)

    by_source = {}
    for source_key, _kind, pk, _at, group in picked:
        by_source.setdefault(slot(source_key, group), []).append(pk)
    loaded = {}
    for (source_key, group), pks in by_source.items():
        source = _sources[source_key]
        rows = source.load(pks) if group is None else source.load_for(groups[group][0], pks)
        if source.for_user is not None:
            rows = source.for_user(rows, user)
        for obj in rows:
            loaded[(source_key, group, obj.pk)] = obj
    entries = []
    for source_key, row_kind, pk, at, group in picked:
        obj = loaded.get((*slot(source_key, group), pk))
        if obj is None:  # deleted between the two queries
            continue
        entries.append(
            TimelineEntry(
                kind=row_kind,
                at=at,
                object=obj,
                template=_sources[source_key].template,
                origin=labels[group] if group < len(labels) else None,
            )
        )
    return TimelinePage(record=record, entries=entries, page=page_obj, kind=kind)


# The app's own sources: activities, notes, customer inquiries.


def _regarding_rows(model_name):
    def rows(model, pks):
        from django.apps import apps

        item_model = apps.get_model("activities", model_name)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        return item_model.objects.filter(content_type=content_type, object_id__in=pks)

    return rows


def _loader(model_name, *related):
    def load(pks):
        from django.apps import apps

        item_model = apps.get_model("activities", model_name)
        return item_model.objects.filter(pk__in=pks).select_related(*related)

    return load


def with_can_edit(queryset, user):
    """Annotate `user_can_edit`: whether `user` may change the row (edit rights on the record
    it is about, or their own row), as a subquery of the same query."""
    editable = queryset.model.objects.editable_rows_by(user).filter(pk=OuterRef("pk"))
    return queryset.annotate(user_can_edit=Exists(editable))


def _share_rows(model, pks):
    """The shares of shareable records (crm/sharing.py); none for other kinds."""
    from crm.models import Share
    from crm.sharing import shareable_models

    if model not in shareable_models().values():
        return None
    return Share.objects.of_records(model, pks)


def _load_shares(pks):
    from crm.models import Share

    return Share.objects.filter(pk__in=pks).select_related(
        "user", "team", "granted_by", "revoked_by"
    )


def _owner_of(history_rows, column):
    """The owner column of the row before each history row of the same record."""
    previous = history_rows.model.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    return Coalesce(Subquery(previous.values(column)[:1]), 0, output_field=BigIntegerField())


def _owner_now(column):
    return Coalesce(F(column), 0, output_field=BigIntegerField())


def _assignment_rows(model, pks):
    """The history rows of records of `model` whose owner differs from the row before: every
    assignment after the record was created (by hand, a bulk reassignment, routing, a
    hand-over), each read through the history table's index on (id, history_date). None for
    a model without an owner's history."""
    history = getattr(model, "history", None)
    if history is None or not hasattr(model, "owner_user_id"):
        return None
    rows = history.model.objects.filter(id__in=pks, history_type="~")
    return rows.annotate(
        before_user=_owner_of(rows, "owner_user_id"),
        before_team=_owner_of(rows, "owner_team_id"),
    ).filter(
        ~Q(before_user=_owner_now("owner_user_id")) | ~Q(before_team=_owner_now("owner_team_id"))
    )


def _load_assignments(model, pks):
    from crm.history import describe_reason

    rows = list(
        model.history.filter(pk__in=pks).select_related("owner_user", "owner_team", "history_user")
    )
    for row in rows:  # why, in the reader's words ("Bulk assignment", "Routing rule …")
        row.reason_text = describe_reason(row.history_change_reason)
    return rows


def _state_rows(model, pks):
    """The history rows of records of `model` whose state differs from the row before: an
    opportunity won, lost or reopened, an account or contact deactivated or activated. The
    model names its state column (`timeline_state_field`); the leads have their status log."""
    name = getattr(model, "timeline_state_field", None)
    history = getattr(model, "history", None)
    if name is None or history is None:
        return None
    rows = history.model.objects.filter(id__in=pks, history_type="~")
    previous = rows.model.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    return rows.annotate(state_before=Subquery(previous.values(name)[:1])).filter(
        ~Q(state_before=F(name))
    )


def _load_states(model, pks):
    from crm.history import describe_reason

    name = model.timeline_state_field
    column = model._meta.get_field(name)
    rows = list(model.history.filter(pk__in=pks).select_related("history_user"))
    for row in rows:
        value = getattr(row, name)
        if column.get_internal_type() == "BooleanField":
            row.state_text = _("Activated") if value else _("Deactivated")
        else:
            row.state_text = str(dict(column.flatchoices).get(value, value))
        status = getattr(row, "get_status_display", None)
        row.status_text = status() if status else ""
        row.reason_text = describe_reason(row.history_change_reason)
    return rows


def register_builtin_sources():
    from activities.models import Activity

    register_source(
        TimelineSource(
            key="activity",
            label=_("Activities"),
            rows=_regarding_rows("Activity"),
            load=_loader("Activity", "owner_user", "owner_team", "created_by"),
            template="activities/entries/activity.html",
            kinds=tuple(Activity.Kind.values),
            kind_field="kind",
            kind_labels=dict(Activity.Kind.choices),
            for_user=with_can_edit,  # the Edit link, in the same query
        )
    )
    register_source(
        TimelineSource(
            key="note",
            label=_("Notes"),
            rows=_regarding_rows("Note"),
            load=_loader("Note", "created_by", "modified_by"),
            template="activities/entries/note.html",
        )
    )
    register_source(
        TimelineSource(
            key="inquiry",
            label=_("Customer inquiries"),
            rows=_regarding_rows("Inquiry"),
            load=_loader("Inquiry", "owner_user", "owner_team", "created_by"),
            template="activities/entries/inquiry.html",
            for_user=with_can_edit,
        )
    )
    register_source(
        TimelineSource(
            key="assignment",
            label=_("Assignments"),
            rows=_assignment_rows,
            load=None,
            load_for=_load_assignments,
            template="activities/entries/assignment.html",
            at="history_date",
        )
    )
    register_source(
        TimelineSource(
            key="state",
            label=_("Status changes"),
            rows=_state_rows,
            load=None,
            load_for=_load_states,
            template="activities/entries/state.html",
            at="history_date",
        )
    )
    register_source(
        TimelineSource(
            key="share",
            label=_("Sharing"),
            rows=_share_rows,
            load=_load_shares,
            template="activities/entries/share.html",
            at="granted_at",
        )
    )


def panel_id(record):
    return f"timeline-{record._meta.label_lower.replace('.', '-')}-{record.pk}"


def panel_context(record, user, *, kind="", page=1):
    """What templates/activities/_timeline.html needs (the tag and the views share it)."""
    from activities.forms import QUICK_ADD_KINDS, quick_add_labels
    from activities.services import may_add_to

    may_add = may_add_to(record, user)
    return {
        "record": record,
        "record_label": record._meta.label_lower,
        "panel_id": panel_id(record),
        "timeline": build_timeline(record, user, kind=kind, page=page),
        "kind_choices": kind_choices(record, user),
        # A record the user only reads offers no quick-add forms (activities.services).
        "quick_add": [(kind_, quick_add_labels()[kind_]) for kind_ in QUICK_ADD_KINDS]
        if may_add
        else [],
    }
