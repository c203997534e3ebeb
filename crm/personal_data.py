"""What the organisation holds about a person, and how each app exports and erases it.

The privacy app (top layer) answers a person's request for their data and erases them; every
app that keeps personal data says how to find, export and erase its share from its own
AppConfig.ready() with ``register_personal_data(PersonalData(...))``. The registry lives here,
in the lowest layer, so that no app below privacy has to import it.

A request runs the registered kinds in ``order``: first the finders (leads and contacts, by
e-mail address) add the records about the person to a ``Person``, with the names and phone
numbers they hold; then every kind's ``export(person)`` lists its ``Item``s, or, in the
erasure's one transaction, ``erase(person, user=)`` anonymises them and returns
{count key: how many}. Kinds below leads (activities, merges) reach the found records
through ``person.records`` and never name the models above them.
"""

import datetime
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.history import describe_reason
from crm.lib import search

# What erased text becomes; stored, so it is the same in every language.
ERASED = "[erased]"

# Columns that are bookkeeping, never a person's data, on every row and history row.
_NOT_SHOWN = {"search_text", "history_id"}
# Columns of internal tables and keys the readable page leaves out too (the JSON keeps them).
_NOT_READABLE = {
    "id",
    "version",
    "content_type",
    "object_id",
    "history_relation",
    "salt",
    "email_hash",
    "fingerprint",
    "name_sound",
    "name_token",
    "email_domain",
}
# The history columns, said in words.
_HISTORY_LABELS = {
    "history_date": _("changed at"),
    "history_user": _("changed by"),
    "history_type": _("change"),
    "history_change_reason": _("why"),
}


@dataclass
class Person:
    """The person a request is about: their e-mail address, the records found about them
    (leads, contacts), and the values of theirs to look for in free text."""

    email: str
    records: list[models.Model] = field(default_factory=list)
    values: set[str] = field(default_factory=set)
    # The values that name the person alone (the address, a full name, a phone number), by
    # which rows of shared tables (task arguments, the admin's log) are found.
    keys: set[str] = field(default_factory=set)
    _pattern: re.Pattern | None = field(default=None, repr=False)

    def __post_init__(self):
        self.email = self.email.strip()
        if self.email:  # a record without an address is asked about alone (export by record)
            self.values.add(self.email)
            self.keys.add(self.email)

    def found(self, record: models.Model, *, names: Iterable[str] = (), phones=()) -> None:
        """Add a record about the person, with their names and phone numbers it holds."""
        if record not in self.records:
            self.records.append(record)
        for name in names:
            if len(name.strip()) >= 2:
                # As typed, and folded as search texts store it ("Søren" -> "soren").
                self.values |= {name.strip(), search.fold(name)}
                if " " in name.strip():
                    self.keys.add(name.strip())
        for phone in phones:
            if phone.strip():
                self.values.add(phone.strip())
                self.keys.add(phone.strip())
                digits = re.sub(r"\D", "", phone)
                if len(digits) >= 6:  # the search index and keys store phones as digits
                    self.values.add(digits)
        self._pattern = None

    def records_of(self, label: str) -> list[models.Model]:
        return [record for record in self.records if record._meta.label == label]

    def pks_of(self, label: str) -> list[int]:
        return [record.pk for record in self.records_of(label)]

    @property
    def pattern(self) -> re.Pattern:
        # Longest first, whole words only: "Berg" is not erased out of "Bergen".
        if self._pattern is None:
            alternatives = "|".join(
                re.escape(value) for value in sorted(self.values, key=len, reverse=True) if value
            )
            # No values (yet): a pattern that matches nothing, not the empty string everywhere.
            alternatives = alternatives or r"(?!x)x"
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        return self._pattern

    def mentions(self, value: Any) -> bool:
        if isinstance(value, str):
            return bool(self.pattern.search(value))
        if isinstance(value, dict):
            return any(self.mentions(key) or self.mentions(item) for key, item in value.items())
        if isinstance(value, list | tuple):
            return any(self.mentions(item) for item in value)
        return False

    def scrub(self, value: Any) -> Any:
        """`value` (a text, or JSON: lists and dicts of them) with every value of the
        person's replaced by ERASED."""
        if isinstance(value, str):
            return self.pattern.sub(ERASED, value)
        if isinstance(value, dict):
            return {self.scrub(key): self.scrub(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub(item) for item in value]
        return value


@dataclass(frozen=True)
class Item:
    """One thing held about the person: a record, a history entry, a rejected import row."""

    kind: str
    pk: Any
    title: str
    fields: list[tuple[str, str, Any]]  # (name, label, value)
    # What the readable page shows: (label, text), the filled-in fields a person reads
    # (names of related records, dates in the reader's format, no internal columns).
    shown: tuple[tuple[str, str], ...] = ()
    # A history row (an earlier version of a record): counted apart from the records.
    is_history: bool = False

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.pk,
            "title": self.title,
            "fields": {name: value for name, _label, value in self.fields},
        }


@dataclass(frozen=True)
class PersonalData:
    """A kind of personal data an app keeps. `find(person)` adds records to the person
    (only the kinds that find people by e-mail have one); `export(person)` returns Items;
    `erase(person, user=)` anonymises them (in the erasure's transaction, rows locked) and
    returns {count key: number erased}."""

    key: str
    label: Any
    export: Callable[[Person], list[Item]]
    erase: Callable[..., dict[str, int]]
    find: Callable[[Person], None] | None = None
    order: int = 100


_KINDS: dict[str, PersonalData] = {}


def register_personal_data(data: PersonalData) -> None:
    _KINDS[data.key] = data


def personal_data_kinds() -> list[PersonalData]:
    return sorted(_KINDS.values(), key=lambda data: (data.order, data.key))


def _shown_value(record: models.Model, model_field: models.Field) -> Any:
    value = getattr(record, model_field.attname)
    if isinstance(value, FieldFile):  # a file column (a history row's too): its name
        return value.name or ""
    if value is None or value == "":
        return value
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.FileField):
        return value.name if hasattr(value, "name") else str(value)
    return value


def _readable_value(record: models.Model, model_field: models.Field) -> str:
    """The column's value as a person reads it ("" when empty)."""
    if model_field.name == "history_change_reason":
        return describe_reason(record.history_change_reason)
    if model_field.many_to_one:
        if getattr(record, model_field.attname) is None:
            return ""
        try:
            return str(getattr(record, model_field.name))
        except ObjectDoesNotExist:  # a history row's link to a row deleted since
            return f"#{getattr(record, model_field.attname)}"
    value = _shown_value(record, model_field)
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(formats.localize(value))


def _capfirst(label) -> str:
    text = str(label)
    return text[:1].upper() + text[1:]


def readable_fields(record: models.Model, skipped: Iterable[str]) -> tuple:
    """(label, text) of each filled-in column of `record` a person reads."""
    shown = []
    for f in record._meta.concrete_fields:
        if f.name in skipped or f.name in _NOT_READABLE or f.name.endswith("_key"):
            continue
        text = _readable_value(record, f)
        if text:
            shown.append((_capfirst(_HISTORY_LABELS.get(f.name, f.verbose_name)), text))
    return tuple(shown)


def record_item(record: models.Model, *, exclude: Iterable[str] = (), title: str = "") -> Item:
    """An Item of every column of `record` (choices as their labels, foreign keys as ids)
    but its duplicate keys and search text; `shown` the same for a reader."""
    skipped = {*_NOT_SHOWN, *exclude}
    fields = [
        (f.attname, str(f.verbose_name), _shown_value(record, f))
        for f in record._meta.concrete_fields
        if f.name not in skipped and not f.name.endswith("_key")
    ]
    return Item(
        str(record._meta.verbose_name),
        record.pk,
        title or str(record),
        fields,
        readable_fields(record, skipped),
    )


def history_items(model: type[models.Model], pks: Iterable[int]) -> list[Item]:
    """The simple-history rows of `model`'s records `pks`, oldest first, as Items."""
    history = getattr(model, "history", None)
    if history is None:
        return []
    kind = str(history.model._meta.verbose_name)
    rows = history.filter(id__in=list(pks)).order_by("history_date", "history_id")
    items = []
    before: dict[Any, dict] = {}  # record id -> what its previous entry showed
    for row in rows:
        when = formats.date_format(timezone.localtime(row.history_date), "SHORT_DATETIME_FORMAT")
        item = record_item(row, title=f"{model._meta.verbose_name} #{row.id} · {when}")
        # The readable page shows an entry's who, when and why, and what it changed.
        previous, current = before.get(row.id), dict(item.shown)
        always = {_capfirst(label) for label in _HISTORY_LABELS.values()}
        shown = tuple(
            (label, text)
            for label, text in item.shown
            if previous is None or label in always or previous.get(label) != text
        )
        before[row.id] = current
        items.append(Item(kind, row.history_id, item.title, item.fields, shown, is_history=True))
    return items


def _text_columns(model: type[models.Model], skip: Iterable[str]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.choices
        and not f.is_relation
        and f.attname not in skip
    ]


def scrub_rows(
    queryset: models.QuerySet,
    person: Person,
    *,
    replace: dict | None = None,
    keep: Iterable[str] = (),
) -> int:
    """Erase the person from every row of `queryset` (history rows too): the columns of
    `replace` set outright, those of `keep` left alone, every other text and JSON column
    scrubbed of the person's values. Rows are locked first. Returns how many rows changed.
    A plain UPDATE: no new version, no history row (the row's history is scrubbed the same
    way)."""
    replace = replace or {}
    model = queryset.model
    columns = _text_columns(model, {*replace, *keep})
    changed = 0
    rows = queryset.select_for_update().order_by("pk")
    for row in rows.only("pk", *[f.attname for f in columns], *replace):
        updates = {name: value for name, value in replace.items() if getattr(row, name) != value}
        for column in columns:
            value = getattr(row, column.attname)
            scrubbed = person.scrub(value)
            if scrubbed != value:
                updates[column.attname] = scrubbed
        if updates:
            model._base_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed
