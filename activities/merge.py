"""The merge engine: merging up to two records into a master (Dynamics' Merge message) and
undoing it, for any business record whose app registers its rules here (leads for leads,
accounts for contacts and accounts; leads/merge.py and accounts/merge.py are the services).

What a merge does, in one transaction with every merged row locked in pk order:

- per field of `mergeable_fields(model)`, the master takes the value of the record `take`
  names (the master's own by default); the master becomes its next version;
- every item hanging off a merged record moves to the master: the activities, notes (with
  their files) and inquiries regarding it, and whatever the apps registered with
  `register_moved_items(MovedItems(...))` (an account's contacts and child accounts, links
  of leads, opportunities of a customer, a lead's web submission). An item whose twin hangs
  off the master already (a unique pair, such as a lead's link to one account) stays where
  it was: no duplicate is made;
- each merged record is retired by its app's rules (a lead Disqualified / Canceled, a
  customer inactive) and points to the master (`merged_into`);
- a `RecordMerge` row records who, when, every value taken from where and every item moved,
  so `undo_merge` restores exactly the state before.

Apps above `activities` fill the registries from their AppConfig.ready(); this module never
imports them.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import RecordMerge
from crm.errors import DomainError, StaleRecord
from crm.history import ALWAYS_EXCLUDED, note_reason
from crm.models import OwnedRecord, User
from crm.services import save_new_version

MAX_OTHERS = 2  # a master and up to two more records, as Dynamics allows three at most


class MergeRefused(DomainError):
    """A merge or an undo that cannot be done as asked (bad ids or fields: a 400)."""


class MergeForbidden(MergeRefused):
    """The user may not change one of the records (a 403)."""


class MergeConflict(MergeRefused):
    """The records' state does not allow it now: merged already, a later merge depends on
    this one (a 409)."""


# The rules of each mergeable model ---------------------------------------------------------


@dataclass(frozen=True)
class MergeRules:
    """How the app of a mergeable model retires and reinstates its records.

    state_fields  the record's own state columns, kept before the merge and put back by undo
                  ("state", "status" of a lead; "is_active" of a customer).
    check_master  check_master(master) raises a DomainError when the record cannot be a
                  master (a closed lead is read-only).
    retire        retire(record, *, user, master): the locked record (its `merged_into` set,
                  its history reason noted) leaves the stage: the app changes its state,
                  saves it as its next version and writes its own logs.
    reinstate     reinstate(record, *, user, before, master): undo: `record` (locked,
                  `merged_into` cleared, reason noted) gets the state `before` ({state field:
                  value}) back, saved as its next version, with its logs.
    excluded      field names never offered for a choice (besides the bookkeeping ones).
    absorb        absorb(master, others) -> {field: pk of the record its value comes from}:
                  stored facts the master takes from the others with their items (a lead's
                  first contact), set on the master; recorded like a chosen value, so undo
                  puts them back.
    name          name(record) -> how the merge screens and the timeline name a record (a
                  lead by its person and company); None: str(record).
    """

    state_fields: tuple[str, ...]
    check_master: Callable[[OwnedRecord], None]
    retire: Callable[..., None]
    reinstate: Callable[..., None]
    excluded: frozenset = frozenset()
    absorb: Callable[[OwnedRecord, list[OwnedRecord]], dict] | None = None
    name: Callable[[OwnedRecord], str] | None = None


_rules: dict[str, MergeRules] = {}


def register_merge_rules(model_label: str, rules: MergeRules) -> None:
    """Make `model_label` ("leads.Lead") mergeable. Called from the model's AppConfig.ready()."""
    _rules[model_label.lower()] = rules


def rules_for(model: type[OwnedRecord]) -> MergeRules:
    try:
        return _rules[model._meta.label_lower]
    except KeyError:
        raise MergeRefused(
            _("%(kind)s cannot be merged.") % {"kind": capfirst(model._meta.verbose_name_plural)}
        ) from None


def is_mergeable(model: type) -> bool:
    return model._meta.label_lower in _rules


def record_name(record: OwnedRecord) -> str:
    """The record's name on the merge screens and in the timeline (its rules' `name`)."""
    rules = _rules.get(record._meta.label_lower)
    if rules is not None and rules.name is not None:
        return rules.name(record)
    return str(record)


# What moves to the master ------------------------------------------------------------------


@dataclass(frozen=True)
class MovedItems:
    """One kind of item that hangs off a merged record and moves to the master.

    key         the kind's name in counts and the API's answer ("activities", "opportunities").
    label       its plural label for people ("Opportunities").
    merged      the label of the merged model ("accounts.Account").
    model       the label of the item's model ("opportunities.Opportunity").
    field       the item's foreign key to the merged record ("account"); for a generic
                relation (regarding) its object id column, with `regarding=True`.
    unique_with the item's fields that with `field` are unique (a lead's link to an account:
                ("account", "contact")); () when one item per record at most (a one-to-one).
                An item whose twin is on the master already stays where it was. None: no rule.
    after       after(pks) once items moved, e.g. to rewrite what they denormalise.
    """

    key: str
    label: Any
    merged: str
    model: str
    field: str
    regarding: bool = False
    unique_with: tuple[str, ...] | None = None
    after: Callable[[list[int]], None] | None = None

    def item_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def items_of(self, merged_model: type[OwnedRecord], pks: Iterable[int]) -> models.QuerySet:
        condition = {f"{self.field}__in": list(pks)}
        if self.regarding:
            condition["content_type"] = ContentType.objects.get_for_model(
                merged_model, for_concrete_model=False
            )
        return self.item_model()._default_manager.filter(**condition)

    @property
    def column(self) -> str:
        """The attribute holding the merged record's id (`account_id` for `account`)."""
        if self.regarding:
            return self.field
        return self.item_model()._meta.get_field(self.field).attname


_moved: dict[str, MovedItems] = {}


def register_moved_items(items: MovedItems) -> None:
    """Add a kind of item that moves with a merge (see MovedItems). From AppConfig.ready();
    registering the same (merged, key) again replaces it."""
    _moved[f"{items.merged.lower()}:{items.key}"] = items


def moved_kinds(model: type[OwnedRecord]) -> list[MovedItems]:
    """The kinds of item that move when records of `model` are merged, in registration
    order, the activities' own first."""
    label = model._meta.label_lower
    return [items for items in _moved.values() if items.merged.lower() == label]


def register_builtin_moves(model_label: str) -> None:
    """The activities, notes (with their files: the file stays, its note moves) and
    inquiries regarding a record of `model_label` move with it."""
    for key, label, model in (
        ("activities", gettext_lazy("Activities"), "activities.Activity"),
        ("notes", gettext_lazy("Notes"), "activities.Note"),
        ("inquiries", gettext_lazy("Customer inquiries"), "activities.Inquiry"),
    ):
        register_moved_items(
            MovedItems(
                key=key,
                label=label,
                merged=model_label,
                model=model,
                field="object_id",
                regarding=True,
            )
        )


# Reading -----------------------------------------------------------------------------------


def mergeable_fields(model: type[OwnedRecord]) -> list[tuple[str, str]]:
    """(field name, label) of every field a person may choose the value of, in the model's
    order: the fields a person enters (not the owner, the state, keys or bookkeeping)."""
    rules = rules_for(model)
    skipped = {
        *ALWAYS_EXCLUDED,
        *rules.state_fields,
        *rules.excluded,
        "owner_user",
        "owner_team",
        "merged_into",
        "is_active",
    }
    return [
        (field.name, capfirst(str(field.verbose_name)))
        for field in model._meta.concrete_fields
        if field.editable
        and field.name not in skipped
        and not field.name.endswith("_key")
        and not field.primary_key
    ]


def _value(record: models.Model, name: str) -> Any:
    field = record._meta.get_field(name)
    return getattr(record, field.attname)


def _shown(record: models.Model, name: str) -> str:
    """A field's value in words (choice labels, related names), "" when empty."""
    field = record._meta.get_field(name)
    value = getattr(record, field.attname)
    if value is None or value == "":
        return ""
    if field.is_relation:
        return str(getattr(record, name))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def merge_preview(*, user: User, master: OwnedRecord, others: list[OwnedRecord]) -> dict:
    """What merging `others` into `master` would do, for the side-by-side page: nothing is
    written, nothing locked.

    Returns {"records": [master, *others], "fields": [{"name", "label", "values": [{"pk",
    "value", "text"}], "differs"}], "moves": [{"key", "label", "count"}], "total": n}.
    Refuses (MergeRefused) what the merge itself would refuse."""
    model = type(master)
    records = [master, *others]
    _check_editable(user, model, [record.pk for record in records])
    _check_choice(model, records)
    _check_state(master, records)
    fields = []
    for name, label in mergeable_fields(model):
        values = [
            {"pk": record.pk, "value": _value(record, name), "text": _shown(record, name)}
            for record in records
        ]
        fields.append(
            {
                "name": name,
                "label": label,
                "values": values,
                "differs": len({repr(v["value"]) for v in values}) > 1,
            }
        )
    others_pks = [record.pk for record in others]
    moves = []
    for items in moved_kinds(model):
        count = items.items_of(model, others_pks).count()
        moves.append({"key": items.key, "label": items.label, "count": count})
    return {
        "records": records,
        "fields": fields,
        "moves": moves,
        "total": sum(move["count"] for move in moves),
    }


def merged_into_master(master: OwnedRecord) -> models.QuerySet:
    """The records merged into `master` (and not undone), oldest first: their own history,
    qualifications and status log stay under them, and the master's page links to them."""
    return type(master)._default_manager.filter(merged_into=master).order_by("pk")


def merges_of(master: OwnedRecord) -> models.QuerySet:
    """Every merge into `master`, undone ones too, newest first."""
    return RecordMerge.objects.of_master(master).select_related("merged_by", "undone_by")


def later_dependent_merges(merge: RecordMerge) -> list[RecordMerge]:
    """The later merges, not undone, that involve this merge's master or one of its merged
    records, or that moved again an item this merge moved: while one exists, undoing this
    one would pull records or items from under it. One query."""
    involved = [merge.master_id, *merge.subordinate_ids]
    # subordinate_ids is a JSON list of at most MAX_OTHERS ids: an index lookup per place
    # works on SQLite and PostgreSQL alike (a JSON "contains" does not on SQLite).
    same_records = Q(master_id__in=involved)
    for place in range(MAX_OTHERS):
        same_records |= Q(**{f"subordinate_ids__{place}__in": involved})
    condition = Q(content_type_id=merge.content_type_id) & same_records
    if merge.moved:
        condition |= Q(_moved_any(merge.moved))
    return list(
        RecordMerge.objects.not_undone().filter(pk__gt=merge.pk).filter(condition).order_by("pk")
    )


def _moved_any(moved: list[dict]) -> RawSQL:
    """True for a RecordMerge row whose `moved` list holds one of the items of `moved` (the
    same model, pk and column). The list's elements are read with the database's own JSON
    table function; `->>` reads an element's key on both SQLite (3.38+) and PostgreSQL."""
    elements = "jsonb_array_elements" if connection.vendor == "postgresql" else "json_each"
    quote = connection.ops.quote_name
    column = f"{quote(RecordMerge._meta.db_table)}.{quote('moved')}"
    keys = sorted({f"{item['model']}:{item['pk']}:{item['field']}" for item in moved})
    placeholders = ", ".join(["%s"] * len(keys))
    sql = (
        f"EXISTS (SELECT 1 FROM {elements}({column}) AS element WHERE "
        "(element.value ->> 'model') || ':' || (element.value ->> 'pk') || ':' || "
        f"(element.value ->> 'field') IN ({placeholders}))"
    )
    return RawSQL(sql, keys, output_field=models.BooleanField())


def may_undo(user: User, merge: RecordMerge) -> bool:
    """Whether `user` may undo `merge` now: an administrator or the person who merged, the
    merge not undone yet, and no later merge depending on it."""
    if merge.is_undone or not user.is_authenticated or not user.is_active:
        return False
    if not (user.is_administrator or merge.merged_by_id == user.pk):
        return False
    return not later_dependent_merges(merge)


# Writing -----------------------------------------------------------------------------------


def _check_choice(model: type[OwnedRecord], records: list[OwnedRecord]) -> None:
    """The records make a merge: 2 or 3 distinct ones of one kind."""
    master, *others = records
    if not others:
        raise MergeRefused(_("Choose at least one record to merge into the master."))
    if len(others) > MAX_OTHERS:
        raise MergeRefused(_("At most three records can be merged at once."))
    if any(type(record) is not model for record in others):
        raise MergeRefused(_("Only records of one kind can be merged."))
    pks = [record.pk for record in records]
    if len(set(pks)) != len(pks):
        raise MergeRefused(_("Each record can be merged only once."))
    rules_for(model)


def _check_state(master: OwnedRecord, records: list[OwnedRecord]) -> None:
    """None of the records is merged already, and the master may be one."""
    for record in records:
        if record.merged_into_id is not None:
            raise MergeConflict(
                _("%(record)s was merged into #%(master)s already.")
                % {"record": record, "master": record.merged_into_id}
            )
    rules_for(type(master)).check_master(master)


def _lock(model: type[OwnedRecord], pks: list[int]) -> dict[int, OwnedRecord]:
    """The rows of `pks`, locked in pk order (two merges of overlapping records cannot
    deadlock: both lock the lower id first)."""
    locked = model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk")
    return {record.pk: record for record in locked}


def _check_editable(user: User, model: type[OwnedRecord], pks: list[int]) -> None:
    codename = f"{model._meta.app_label}.change_{model._meta.model_name}"
    if not user.has_perm(codename):
        raise MergeForbidden(
            _("You do not have the permission to change %(kind)s.")
            % {"kind": model._meta.verbose_name_plural}
        )
    # Merged records count here (merged=True): merging one again is a conflict (_check_state
    # says "merged already"), not a missing right.
    editable = set(
        model._default_manager.editable_by(user, merged=True)
        .filter(pk__in=pks)
        .values_list("pk", flat=True)
    )
    refused = [pk for pk in pks if pk not in editable]
    if refused:
        raise MergeForbidden(
            _("You may not change %(records)s: merging needs the right to change every record.")
            % {"records": ", ".join(f"#{pk}" for pk in refused)}
        )


def _check_versions(records: dict[int, OwnedRecord], versions: dict | None) -> None:
    for pk, version in (versions or {}).items():
        try:
            record = records[int(pk)]
            expected = int(version)
        except (KeyError, TypeError, ValueError):
            raise MergeRefused(
                _("%(pk)s is not one of the merged records.") % {"pk": pk}
            ) from None
        if record.version != expected:
            raise StaleRecord(record)


def _ids(pks: Iterable[int]) -> str:
    return ", ".join(f"#{pk}" for pk in pks)


def merge_reason(pks: Iterable[int]) -> str:
    """The master's history reason (stored in English, crm/history.py _PREFIXES)."""
    return f"Merge of {_ids(pks)}"


def merged_into_reason(pk: int) -> str:
    return f"Merged into #{pk}"


def undo_reason(pks: Iterable[int]) -> str:
    return f"Merge undone: {_ids(pks)}"


def unmerged_reason(pk: int) -> str:
    return f"Unmerged from #{pk}"


@transaction.atomic
def merge_records(
    *,
    user: User,
    master: OwnedRecord,
    others: list[OwnedRecord],
    take: dict | None = None,
    versions: dict | None = None,
) -> RecordMerge:
    """Merge `others` into `master` (see the module docstring); the services of leads and
    accounts call this. `take`: {field name: pk of the record whose value the master keeps}
    (default the master's own); `versions`: {pk: version} for the lost-update check."""
    model = type(master)
    records = [master, *others]
    pks = [record.pk for record in records]
    _check_editable(user, model, pks)  # no right says so first, whatever else is wrong
    _check_choice(model, records)
    rules = rules_for(model)
    locked = _lock(model, pks)
    if len(locked) != len(pks):
        raise MergeRefused(_("One of the records no longer exists."))
    _check_versions(locked, versions)
    master = locked[master.pk]
    others = [locked[record.pk] for record in others]
    _check_state(master, [master, *others])
    others_pks = [record.pk for record in others]

    # Values taken from the others.
    choosable = dict(mergeable_fields(model))
    taken = {}
    for name, source_pk in (take or {}).items():
        if name not in choosable:
            raise MergeRefused(_("%(field)s is not a field that can be chosen.") % {"field": name})
        try:
            source = locked[int(source_pk)]
        except (KeyError, TypeError, ValueError):
            raise MergeRefused(
                _("The value of %(field)s can only come from one of the merged records.")
                % {"field": choosable[name]}
            ) from None
        if source.pk == master.pk:
            continue
        field = model._meta.get_field(name)
        old, new = getattr(master, field.attname), getattr(source, field.attname)
        if old == new:  # the same value: nothing is taken from the other record
            continue
        taken[name] = {"from": source.pk, "old": old, "new": new}
        setattr(master, field.attname, new)

    # Facts that come with the items (the app's rules say which).
    if rules.absorb is not None:
        before_absorb = {
            f.attname: getattr(master, f.attname) for f in model._meta.concrete_fields
        }
        for name, source_pk in rules.absorb(master, others).items():
            field = model._meta.get_field(name)
            old = before_absorb[field.attname]
            if getattr(master, field.attname) != old:
                taken[name] = {
                    "from": source_pk,
                    "old": old,
                    "new": getattr(master, field.attname),
                }

    # A master pointing at one of the merged records (an account's parent) would point at
    # a retired record, or at itself: it points at none.
    for name in choosable:
        field = model._meta.get_field(name)
        if field.is_relation and field.related_model is model:
            value = getattr(master, field.attname)
            if value is not None and value in locked:
                old = taken.get(name, {}).get("old", value)
                taken[name] = {"from": master.pk, "old": old, "new": None}
                setattr(master, field.attname, None)

    # The others' own state, kept for undo.
    before = {
        str(record.pk): {
            "version": record.version,
            "state": {name: getattr(record, name) for name in rules.state_fields},
            "values": {name: _value(record, name) for name in choosable},
        }
        for record in others
    }

    # The items, moved.
    moved = _move_items(model, master, others_pks)

    # The master: its next version, with why.
    note_reason(master, merge_reason(others_pks))
    try:
        save_new_version(master, user)
    except ValidationError as error:
        raise MergeRefused(" ".join(error.messages)) from None

    # The others: retired, pointing to the master.
    for record in others:
        record.merged_into = master
        note_reason(record, merged_into_reason(master.pk))
        rules.retire(record, user=user, master=master)

    return RecordMerge.objects.create(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        master_id=master.pk,
        subordinate_ids=others_pks,
        merged_by=user,
        fields=taken,
        moved=moved,
        subordinates_before=before,
        master_version=master.version,
    )


def _move_items(model: type[OwnedRecord], master: OwnedRecord, pks: list[int]) -> list[dict]:
    """Move every registered kind of item from the records `pks` to `master`; returns what
    moved ({"kind", "model", "pk", "field", "old"} each). The item rows are locked while
    they are read, so what is recorded is what moves."""
    moved = []
    merged = {master.pk, *pks}
    for items in moved_kinds(model):
        column = items.column
        unique = items.unique_with
        queryset = items.items_of(model, pks)
        if items.item_model() is model:  # child records: never the merged ones themselves
            queryset = queryset.exclude(pk__in=merged)
        rows = list(
            queryset.select_for_update().order_by("pk").values_list("pk", column, *(unique or ()))
        )
        if not rows:
            continue
        if unique is not None:
            on_master = items.items_of(model, [master.pk])
            if unique:
                taken = set(on_master.values_list(*unique))
            else:
                taken = {()} if on_master.exists() else set()
            moving = []
            for row in rows:
                key = tuple(row[2:])
                if key not in taken:  # else its twin hangs off the master already: it stays
                    taken.add(key)
                    moving.append(row)
        else:
            moving = rows
        if not moving:
            continue
        item_pks = [row[0] for row in moving]
        items.item_model()._default_manager.filter(pk__in=item_pks).update(**{column: master.pk})
        moved.extend(
            {"kind": items.key, "model": items.model, "pk": row[0], "field": column, "old": row[1]}
            for row in moving
        )
        if items.after is not None:
            items.after(item_pks)
    return moved


@transaction.atomic
def undo_merge(*, user: User, merge: RecordMerge) -> RecordMerge:
    """Undo `merge`: the merged records get their own state and field values back and stop
    pointing to the master, every moved item goes back where it hung, the master gets back
    the values it had before (those nobody changed since). Recorded on the merge
    (undone_by / undone_at) and in the records' history. An administrator or the person who
    merged, while no later merge depends on it."""
    merge = RecordMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise MergeConflict(_("This merge was undone already."))
    if not (user.is_administrator or merge.merged_by_id == user.pk):
        raise MergeForbidden(_("Only an administrator or the person who merged can undo a merge."))
    model = merge.model
    rules = rules_for(model)
    locked = _lock(model, [merge.master_id, *merge.subordinate_ids])
    depending = later_dependent_merges(merge)
    if depending:
        raise MergeConflict(
            _("A later merge (%(merges)s) depends on this one: undo it first.")
            % {"merges": ", ".join(f"#{later.pk}" for later in depending)}
        )
    master = locked.get(merge.master_id)
    if master is None or len(locked) != 1 + len(merge.subordinate_ids):
        raise MergeConflict(_("One of the merged records no longer exists."))

    # The items, back where they hung.
    by_kind = defaultdict(list)
    for item in merge.moved:
        by_kind[(item["model"], item["field"], item["old"])].append(item["pk"])
    for (label, column, old), item_pks in by_kind.items():
        item_model = apps.get_model(label)
        item_model._default_manager.filter(pk__in=item_pks, **{column: master.pk}).update(
            **{column: old}
        )
    for items in moved_kinds(model):
        if items.after is not None:
            back = [item["pk"] for item in merge.moved if item["kind"] == items.key]
            if back:
                items.after(back)

    # The master's values, where nobody changed them since.
    for name, taken in merge.fields.items():
        field = model._meta.get_field(name)
        if getattr(master, field.attname) == field.to_python(taken["new"]):
            setattr(master, field.attname, field.to_python(taken["old"]))
    note_reason(master, undo_reason(merge.subordinate_ids))
    save_new_version(master, user, validate=False)

    # The merged records: their own state, values and independence back.
    for pk in merge.subordinate_ids:
        record = locked[pk]
        kept = merge.subordinates_before.get(str(pk), {})
        for name, value in kept.get("values", {}).items():
            field = model._meta.get_field(name)
            setattr(record, field.attname, field.to_python(value))
        record.merged_into = None
        note_reason(record, unmerged_reason(master.pk))
        rules.reinstate(record, user=user, before=kept.get("state", {}), master=master)

    merge.undone_by = user
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    return merge


def moved_summary(merge: RecordMerge) -> dict:
    """{kind key: {"count": n, "ids": [...]}} of what a merge moved (the API's answer)."""
    found = {}
    for item in merge.moved:
        entry = found.setdefault(item["kind"], {"count": 0, "ids": []})
        entry["count"] += 1
        entry["ids"].append(item["pk"])
    return found


# The timeline: a merge and its undo are entries on the master's (activities/timeline.py) --


def _merge_rows(undone: bool) -> Callable:
    def rows(model: type, pks: object) -> models.QuerySet | None:
        if not is_mergeable(model):
            return None
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        found = RecordMerge.objects.filter(content_type=content_type, master_id__in=pks)
        return found.filter(undone_at__isnull=False) if undone else found

    return rows


def _load_merges(pks: list[int]) -> list[RecordMerge]:
    merges = list(RecordMerge.objects.filter(pk__in=pks).select_related("merged_by", "undone_by"))
    for merge in merges:
        merge.moved_count = len(merge.moved)
        merge.taken_count = taken_count(merge)
    return merges


def taken_count(merge: RecordMerge) -> int:
    """How many of the master's values came from another record (not the master's own
    pointer cleared because it pointed at a merged record)."""
    return sum(
        1
        for taken in merge.fields.values()
        if taken.get("from") != merge.master_id and taken.get("old") != taken.get("new")
    )


def name_merged_records(merges: list[RecordMerge], user: User | None) -> list[RecordMerge]:
    """Set `merged_names` on each merge: the names of its merged records the user sees, and
    `hidden_count` of the others. One query per kind of record."""
    by_model = defaultdict(set)
    for merge in merges:
        by_model[merge.content_type_id].update(merge.subordinate_ids)
    names = {}
    for content_type_id, ids in by_model.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        records = model._default_manager.filter(pk__in=sorted(ids))
        if user is not None:
            records = records.visible_to(user)
        for record in records:
            names[(content_type_id, record.pk)] = record_name(record)
    for merge in merges:
        shown = [
            names[key]
            for pk in merge.subordinate_ids
            if (key := (merge.content_type_id, pk)) in names
        ]
        merge.merged_names = ", ".join(shown)
        merge.hidden_count = len(merge.subordinate_ids) - len(shown)
    return merges


def _name_for_user(rows: list[RecordMerge], user: User) -> list[RecordMerge]:
    return name_merged_records(list(rows), user)


def register_timeline() -> None:
    """From ActivitiesConfig.ready(): "Merges" on the timeline of every mergeable record."""
    from activities.timeline import TimelineSource, register_source

    register_source(
        TimelineSource(
            key="merge",
            label=gettext_lazy("Merges"),
            rows=_merge_rows(undone=False),
            load=_load_merges,
            for_user=_name_for_user,
            template="activities/entries/merge.html",
            at="merged_at",
        )
    )
    register_source(
        TimelineSource(
            key="merge_undone",
            label=gettext_lazy("Merges undone"),
            rows=_merge_rows(undone=True),
            load=_load_merges,
            for_user=_name_for_user,
            template="activities/entries/merge_undone.html",
            at="undone_at",
        )
    )
