"""A record's history a person can read: who, when, what kind of change, which fields from
what to what (labels, choice names, names of related records), and why.

Reading: ``history_page(record, *, user, page=1, per_page=50)`` returns a ``HistoryPage``
of ``Entry`` objects, newest first, for any model with django-simple-history's
``HistoricalRecords`` (every ``crm.models.OwnedRecord``; routing rules too). Each entry has
``when`` (aware, in ``user``'s time zone) and ``when_text`` (the language's format), ``who``
(the user's name), ``via`` ("API token", "Import #12", "Routing rule: North": read from the
reason), ``kind`` ("created" / "changed" / "deleted") with ``kind_label``, ``changes`` (a
list of ``Change(label, old, new)``, texts ready to show, "—" for empty) and ``reason`` (in
words). The page reads a fixed number of queries however many entries it holds: the history
rows (one LIMIT/OFFSET query on the history table by the record's id, its index), then one
query per related model for the names of every foreign key on the page.
``templates/crm/history/_entries.html`` renders the entries, ``crm.history_views.history_view``
is the page (one per model, in the model's app's urls.py).

What is shown: ``register_history(model, exclude=[...])`` names a model's internal or
denormalised columns to skip besides ``ALWAYS_EXCLUDED`` and the ``*_key`` columns;
``shown={"fields": function}`` turns a column's stored value into words (a web form's list of
lead field names into their labels). A list without one is shown joined by commas.

Writing why: every history row's ``history_change_reason`` is set where it is written.
``with change_reason(Reason.BULK_ASSIGNMENT):`` around a write gives each history row stored
inside it that reason (nested blocks add theirs: "API token · Qualified"), and ``user=``
fills in ``history_user`` where the write did not say who. A reason the instance carries
itself (``record._change_reason``, an import's batch) is kept as it is;
``note_reason(record, text)`` adds one for that instance's next row only. Reasons are stored
in English (``Reason`` and the ``prefix`` ones such as ``routing_rule_reason(name)``) and
translated when shown, so each reader sees them in their own language.

Other entries on the tab (a share granted or revoked, ...): ``register_entries(model,
source)`` where ``source(record, *, user, newest, oldest)`` returns ``Entry`` objects dated
in that window (``newest`` is None on the first page, ``oldest`` None on the last); they are
merged into the page by date.
"""

import contextvars
import datetime
import decimal
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

EMPTY = "—"
SEPARATOR = " · "
# Bookkeeping every record has: the entry's own who and when say it already.
ALWAYS_EXCLUDED = frozenset(
    {"id", "version", "created_at", "created_by", "modified_at", "modified_by", "search_text"}
)


class Reason:
    """Why a record changed, as stored (English; translated when shown)."""

    API = gettext_noop("API token")
    INLINE_EDIT = gettext_noop("Inline edit")
    BULK_ASSIGNMENT = gettext_noop("Bulk assignment")
    BULK_STATUS = gettext_noop("Bulk status change")
    BULK_QUALIFICATION = gettext_noop("Bulk qualification")
    CREATED = gettext_noop("Created")
    QUALIFIED = gettext_noop("Qualified")
    DISQUALIFIED = gettext_noop("Disqualified")
    REACTIVATED = gettext_noop("Reactivated")
    ACCOUNT_CREATED = gettext_noop("Account created")
    CONTACT_CREATED = gettext_noop("Contact created")
    OPPORTUNITY_CREATED = gettext_noop("Opportunity created")
    FROM_QUALIFIED_LEAD = gettext_noop("Created by qualifying a lead")
    CLAIMED = gettext_noop("Claimed from the team queue")
    HANDED_OVER = gettext_noop("Hand-over")
    ROUTING_DEFAULT = gettext_noop("Routing: default owner")
    ROUTING_NO_RULE = gettext_noop("Routing: no rule matched")
    CREATED_IN_APP = gettext_noop("Created in the app")
    CHANGED_IN_APP = gettext_noop("Changed in the app")
    DELETED_IN_ADMIN = gettext_noop("Deleted in the admin")
    DELETED_THROUGH_API = gettext_noop("Deleted through the API")
    # privacy's erasure (and retention's): every field of the person's emptied in one go.
    PERSONAL_DATA_ERASED = gettext_noop("Personal data erased")


# What an entry whose reason holds one of these did, said on the entry: an erasure scrubs the
# earlier entries too, so its own entry changes nothing a reader could compare.
_SUMMARIES = {Reason.PERSONAL_DATA_ERASED: gettext_noop("Personal data erased (GDPR)")}


# Stored prefix -> the shown text with %(value)s ("Routing rule: North").
_PREFIXES = {
    "Routing rule: ": gettext_noop("Routing rule: %(value)s"),
    "Import batch #": gettext_noop("Import #%(value)s"),
    "Shared by ": gettext_noop("Shared by %(value)s"),
    # A lead's status log: the call or e-mail that made it Contacted (leads/receivers.py).
    "Phone call logged: ": gettext_noop("Phone call logged: %(value)s"),
    "E-mail logged: ": gettext_noop("E-mail logged: %(value)s"),
    "Access changed by ": gettext_noop("Access changed by %(value)s"),
    "Revoked by ": gettext_noop("Revoked by %(value)s"),
    # Merges (activities/merge.py): the master's and the merged records' rows.
    "Merge of ": gettext_noop("Merged with %(value)s"),
    "Merged into ": gettext_noop("Merged into %(value)s"),
    "Merge undone: ": gettext_noop("Merge with %(value)s undone"),
    "Unmerged from ": gettext_noop("Merge into %(value)s undone"),
}
# Parts of a reason that say by which way the change came: shown beside the user's name.
_VIA = (Reason.API, "Routing", "Import batch #")


def routing_rule_reason(name):
    return f"Routing rule: {name}"


def describe_reason(stored):
    """A stored reason in the reader's language (parts we do not know shown as stored)."""
    return SEPARATOR.join(_describe_part(part) for part in _parts(stored))


def _parts(stored):
    return [part for part in (stored or "").split(SEPARATOR) if part.strip()]


def _describe_part(part):
    for prefix, shown in _PREFIXES.items():
        if part.startswith(prefix):
            return _(shown) % {"value": part.removeprefix(prefix)}
    return _(part)


# Writing: the reasons of the block a write happens in ---------------------------------------

_frames = contextvars.ContextVar("crm_history_frames", default=())


@dataclass
class Frame:
    reason: str = ""
    user: object = None


@contextmanager
def change_reason(reason="", *, user=None):
    """Every history row written inside the block gets `reason` (after the reasons of the
    blocks around it) and, when the write did not say who, `user`. Yields the block's
    `Frame`, whose reason and user may be set later (the API knows them once it has
    authenticated the request)."""
    frame = Frame(reason, user)
    token = _frames.set((*_frames.get(), frame))
    try:
        yield frame
    finally:
        _frames.reset(token)


def current_reason(*more):
    """The reason a history row written now gets from the blocks around it ("" outside),
    followed by `more`."""
    parts = []
    for reason in (*(frame.reason for frame in _frames.get()), *more):
        if reason and reason not in parts:
            parts.append(reason)
    return SEPARATOR.join(parts)


def note_reason(record, reason):
    """`reason` for the next history row of this one instance only (after the blocks'
    reasons): a routing decision, made per lead inside a batch."""
    record._history_reason = reason


def fill_in_reason(sender, instance, history_instance, **kwargs):
    """pre_create_historical_record: the blocks' reason and user where the write set none."""
    own = instance.__dict__.pop("_history_reason", "")
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = current_reason(own) or None
    if history_instance.history_user_id is None:
        users = [frame.user for frame in _frames.get() if frame.user is not None]
        if users:
            history_instance.history_user = users[-1]


# What a model shows ----------------------------------------------------------------------

_excluded = {}
_shown = {}
_sources = defaultdict(list)


def register_history(model, *, exclude=(), shown=None):
    """Columns of `model` (a model or its label, "leads.Lead") its History tab does not
    show: internal, denormalised; `shown`: {column name: function(stored value) -> text}
    for values only the model's app can put in words."""
    label = _label_of(model)
    _excluded[label] = frozenset(exclude)
    for name, function in (shown or {}).items():
        _shown[(label, name)] = function


def register_entries(model, source):
    """More entries for `model`'s (a model or its label) History tab (see the module
    docstring)."""
    _sources[_label_of(model)].append(source)


def _label_of(model):
    return model if isinstance(model, str) else model._meta.label


def shown_fields(model):
    excluded = ALWAYS_EXCLUDED | _excluded.get(model._meta.label, frozenset())
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in excluded and not f.name.endswith("_key")
    ]


# Reading ---------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    kind: str
    kind_label: str
    via: str = ""
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    when_text: str = ""
    summary: str = ""  # what the change was, in words, where its fields cannot say it


@dataclass
class HistoryPage:
    entries: list[Entry]
    number: int
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def next_number(self):
        return self.number + 1

    @property
    def previous_number(self):
        return self.number - 1


KIND_CREATED, KIND_CHANGED, KIND_DELETED = "created", "changed", "deleted"
_KINDS = {"+": KIND_CREATED, "~": KIND_CHANGED, "-": KIND_DELETED}


def kind_label(kind):
    return {
        KIND_CREATED: _("Created"),
        KIND_CHANGED: _("Changed"),
        KIND_DELETED: _("Deleted"),
    }[kind]


def history_page(record, *, user, page=1, per_page=50):
    """Page `page` (from 1) of `record`'s history as `user` reads it, newest first."""
    model = type(record)
    page = max(int(page), 1)
    start = (page - 1) * per_page
    # One row more than the page: it says whether a next page exists, and it is what the
    # page's oldest entry changed from.
    rows = list(
        model.history.filter(id=record.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[start : start + per_page + 1]
    )
    has_next = len(rows) > per_page
    fields = shown_fields(model)
    names = _related_names(fields, rows)
    zone = user.zone
    entries = []
    for i, row in enumerate(rows[:per_page]):
        before = rows[i + 1] if i + 1 < len(rows) else None
        entries.append(_entry(row, before, fields=fields, names=names, zone=zone))
    sources = _sources.get(model._meta.label, [])
    if sources:
        newest = rows[0].history_date if page > 1 and rows else None
        oldest = rows[per_page - 1].history_date if has_next else None
        for source in sources:
            entries.extend(source(record, user=user, newest=newest, oldest=oldest))
        entries.sort(key=lambda entry: entry.when, reverse=True)
    for entry in entries:
        entry.when = timezone.localtime(entry.when, zone)
        entry.when_text = entry.when_text or formats.date_format(entry.when, "DATETIME_FORMAT")
    return HistoryPage(entries=entries, number=page, has_next=has_next)


def _who_and_via(row):
    via = [
        _describe_part(part) for part in _parts(row.history_change_reason) if part.startswith(_VIA)
    ]
    who = str(row.history_user) if row.history_user_id else ""
    return who or (via[0] if via else _("System")), SEPARATOR.join(via)


def _entry(row, before, *, fields, names, zone):
    kind = _KINDS.get(row.history_type, KIND_CHANGED)
    who, via = _who_and_via(row)
    if kind == KIND_CHANGED and before is not None:
        changes = _changes(row, before, fields=fields, names=names, zone=zone)
    elif kind == KIND_CREATED or before is None:
        changes = _changes(row, None, fields=fields, names=names, zone=zone)
    else:
        changes = []
    return Entry(
        when=row.history_date,
        who=who,
        via=via,
        kind=kind,
        kind_label=kind_label(kind),
        reason=describe_reason(row.history_change_reason),
        changes=changes,
        summary=_summary(row.history_change_reason),
    )


def _summary(stored):
    return SEPARATOR.join(_(_SUMMARIES[part]) for part in _parts(stored) if part in _SUMMARIES)


def _owner_text(row, names):
    if row is None:
        return EMPTY
    if getattr(row, "owner_team_id", None):
        return _("%(team)s (team)") % {"team": names.get(("owner_team", row.owner_team_id))}
    if getattr(row, "owner_user_id", None):
        return names.get(("owner_user", row.owner_user_id), EMPTY)
    return EMPTY


def _changes(row, before, *, fields, names, zone):
    """What differs between `before` (None: a creation, every value set) and `row`."""
    changes = []
    owner_done = False
    for model_field in fields:
        new = getattr(row, model_field.attname)
        old = getattr(before, model_field.attname) if before is not None else None
        if before is not None and new == old:
            continue
        if before is None and _is_empty(new):
            continue
        if model_field.name in ("owner_user", "owner_team"):
            # One owner, a user or a team: shown as one change.
            if not owner_done:
                owner_done = True
                changes.append(
                    Change(_("Owner"), _owner_text(before, names), _owner_text(row, names))
                )
            continue
        changes.append(
            Change(
                _label(model_field),
                _text(model_field, old, names=names, zone=zone),
                _text(model_field, new, names=names, zone=zone),
            )
        )
    return changes


def _label(model_field):
    label = str(model_field.verbose_name)
    return label[:1].upper() + label[1:]


def _is_empty(value):
    return value is None or value == "" or value is False or value == []


def _text(model_field, value, *, names, zone):
    if value is None or value == "" or value == []:
        return EMPTY
    shown = _shown.get((model_field.model._meta.label, model_field.name))
    if shown is not None:
        return shown(value)
    if isinstance(value, list):  # a JSON list (not a Python repr)
        return ", ".join(str(item) for item in value)
    if model_field.is_relation:
        return names.get((model_field.name, value), EMPTY)
    if model_field.choices:
        labels = {key: str(label) for key, label in model_field.flatchoices}
        return labels.get(value, str(value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value, zone), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (int, float, decimal.Decimal)):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _related_names(fields, rows):
    """Names of every record a foreign key on the page points at: one query per related
    model (whatever the number of entries); a deleted one is "#id"."""
    wanted = defaultdict(set)
    for model_field in fields:
        if model_field.is_relation and isinstance(model_field, models.ForeignKey):
            for row in rows:
                value = getattr(row, model_field.attname)
                if value is not None:
                    wanted[model_field.related_model].add(value)
    found = {related: related._base_manager.in_bulk(ids) for related, ids in wanted.items() if ids}
    names = {}
    for model_field in fields:
        if not (model_field.is_relation and isinstance(model_field, models.ForeignKey)):
            continue
        stored = found.get(model_field.related_model, {})
        for value in wanted.get(model_field.related_model, ()):
            target = stored.get(value)
            names[(model_field.name, value)] = str(target) if target else f"#{value}"
    return names
