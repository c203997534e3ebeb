"""Possible duplicates, found in batch and stored (crm.PossibleDuplicate).

Each kind registers a `Finder` from its app's AppConfig.ready(): its active records, and the
rules that pair them (`KeyRule`: the same value of a stored, indexed normalised key; with
`similar`, two further columns whose values must score at least NAME_THRESHOLD with
crm.lib.duplicates.name_similarity, checked on the paired candidates only). The pairs are
found in SQL (a self-join on the key), chunked; keys shared by more than MAX_GROUP records
(a switchboard number, a free-mail domain) pair nothing.

`refresh(label, full=)` keeps a kind's list current: the records changed since the last run
(a stored watermark) or, full, every record. Pairs whose records are merged, closed, deleted
or no longer match are removed; a dismissed pair stays dismissed.

Stable public API: `Finder`, `KeyRule`, `register_finder`, `finders`, `refresh`,
`dismiss_pair`, `restore_pair`, `pairs_visible_to`, `dismissed_pairs_visible_to`, `pairs_of`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.lib.duplicates import NAME_THRESHOLD, name_similarity
from crm.models import DuplicateScan, PossibleDuplicate

MAX_GROUP = 20
CHUNK = 2000
BULK = 1000


@dataclass(frozen=True)
class KeyRule:
    key: str  # column holding the normalised key
    reason: str  # PossibleDuplicate.Reason
    score: int = 0  # 0: the similarity of `similar`
    similar: tuple[str, ...] = ()  # columns scored with name_similarity
    same: tuple[str, ...] = ()  # columns that must be equal (and set) too


@dataclass(frozen=True)
class Finder:
    model: type
    active: Q  # which records take part (open leads, active customers, not merged)
    rules: tuple[KeyRule, ...]
    shows: tuple[str, ...] = field(default=())  # key fields the pages show side by side
    title: Callable[[object], str] = str  # how the pages and panels name a record

    @property
    def label(self):
        return self.model._meta.label_lower

    def active_records(self):
        return self.model._default_manager.filter(self.active)


_finders: dict[str, Finder] = {}


def register_finder(model, finder):
    """Make `model`'s possible duplicates found by `finder`. Call from AppConfig.ready().
    A record created or saved with other keys is checked at once after the commit (a task);
    rows written in bulk (imports) wait for the batch run."""
    _finders[model._meta.label_lower] = finder
    # The key columns' values as read (OwnedRecord.from_db keeps them), compared on save; no
    # post_init listener: the bulk paths build leads without Model.__init__'s signals.
    model.duplicate_key_names = tuple(
        dict.fromkeys(
            name for rule in finder.rules for name in (rule.key, *rule.similar, *rule.same)
        )
    )
    uid = f"crm.duplicates.{model._meta.label_lower}"
    post_save.connect(_check_when_keys_change, sender=model, dispatch_uid=uid)


def _check_when_keys_change(sender, instance, created, raw=False, **kwargs):
    label = sender._meta.label_lower
    if raw or label not in _finders:
        return
    keys = tuple(instance.__dict__.get(name) for name in sender.duplicate_key_names)
    if not created and getattr(instance, "_duplicate_keys", None) == keys:
        return
    instance._duplicate_keys = keys
    # One task per transaction, however many records it saved (a qualify, a merge, a bulk
    # edit): the ids wait on the connection (one per thread) and the first callback after
    # the commit takes them all. Ids of a rolled-back block left there are checked with the
    # next commit's, which finds them unchanged or gone: harmless.
    using = instance._state.db or "default"
    connection = transaction.get_connection(using)
    pending = connection.__dict__.setdefault("_crm_duplicate_checks", {})
    pending.setdefault(label, set()).add(instance.pk)
    transaction.on_commit(partial(_check_pending, connection), using=using)


def _check_pending(connection):
    from crm.tasks import check_duplicates

    for label, ids in connection.__dict__.pop("_crm_duplicate_checks", {}).items():
        check_duplicates.enqueue(label=label, ids=sorted(ids))


def finders():
    return dict(_finders)


def finder_for(model):
    return _finders[model._meta.label_lower]


def _active_sql(finder):
    """The active records' ids as SQL (and its parameters), for the self-join."""
    query = finder.active_records().values("pk").query
    return query.sql_with_params()


def _pairs(finder, ids=None):
    """{(low id, high id): (score, reason)} of the active records' pairs; with `ids`, only
    the pairs with one of them."""
    model = finder.model
    connection = connections[finder.active_records().db]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    active_sql, active_params = _active_sql(finder)
    found = {}
    for rule in finder.rules:
        key = quote(model._meta.get_field(rule.key).column)
        extra = "".join(
            f", a.{quote(model._meta.get_field(name).column)}"
            f", b.{quote(model._meta.get_field(name).column)}"
            for name in rule.similar
        )
        same = "".join(
            f" AND b.{col} = a.{col}"
            for col in (quote(model._meta.get_field(name).column) for name in rule.same)
        )
        groups = (
            f"SELECT {key} FROM {table} WHERE {key} <> '' AND {pk} IN ({active_sql}) "
            f"GROUP BY {key} HAVING COUNT(*) BETWEEN 2 AND {MAX_GROUP}"
        )
        sql = (
            f"SELECT a.{pk}, b.{pk}{extra} FROM {table} a JOIN {table} b "
            f"ON b.{key} = a.{key} AND b.{pk} <> a.{pk}{same} "
            f"WHERE a.{key} IN ({groups}) AND a.{pk} IN ({active_sql}) "
            f"AND b.{pk} IN ({active_sql})"
        )
        params = [*active_params, *active_params, *active_params]
        if ids is None:
            sql += f" AND a.{pk} < b.{pk}"
        else:
            sql += f" AND a.{pk} IN ({', '.join(['%s'] * len(ids))})"
            params += list(ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(BULK):
                for row in rows:
                    values = row[2:]
                    similar = [(values[i], values[i + 1]) for i in range(0, len(values), 2)]
                    _keep(found, rule, row[0], row[1], similar)
    return found


def _keep(found, rule, one, other, similar):
    """Record the pair (`one`, `other`) found by `rule` in `found` with its score, the
    higher of two rules' scores kept; a rule with similar names scores their similarity
    (`similar`: each compared field's two values) and drops the pair under the threshold."""
    score = rule.score
    if rule.similar:
        score = min(name_similarity(a or "", b or "") for a, b in similar)
        if score < NAME_THRESHOLD:
            return
    pair = (min(one, other), max(one, other))
    if pair not in found or found[pair][0] < score:
        found[pair] = (score, rule.reason)


def _store(content_type, found, existing):
    """Insert the new pairs, update the changed scores, delete the open pairs no longer
    found (`existing`: {(low, high): (pk, score, reason, dismissed)} of the scope)."""
    gone = [row[0] for pair, row in existing.items() if pair not in found and not row[3]]
    for start in range(0, len(gone), BULK):
        PossibleDuplicate.objects.filter(pk__in=gone[start : start + BULK]).delete()
    now = timezone.now()
    new = [
        PossibleDuplicate(
            content_type=content_type,
            record_id=pair[0],
            other_id=pair[1],
            score=score,
            reason=reason,
            found_at=now,
        )
        for pair, (score, reason) in found.items()
        if pair not in existing
    ]
    PossibleDuplicate.objects.bulk_create(new, batch_size=BULK, ignore_conflicts=True)
    changed = [
        PossibleDuplicate(pk=existing[pair][0], score=score, reason=reason)
        for pair, (score, reason) in found.items()
        if pair in existing and existing[pair][1:3] != (score, reason)
    ]
    PossibleDuplicate.objects.bulk_update(changed, ["score", "reason"], batch_size=BULK)
    return len(new), len(gone)


def _existing(content_type, ids=None):
    rows = PossibleDuplicate.objects.filter(content_type=content_type)
    if ids is not None:
        rows = rows.filter(Q(record_id__in=ids) | Q(other_id__in=ids))
    return {
        (low, high): (pk, score, reason, dismissed is not None)
        for pk, low, high, score, reason, dismissed in rows.values_list(
            "pk", "record_id", "other_id", "score", "reason", "dismissed_at"
        ).iterator(chunk_size=BULK)
    }


def _drop_inactive(finder, content_type):
    """Delete the pairs with a record that is merged, closed or deleted (dismissed too:
    nothing is left to dismiss)."""
    active = finder.active_records().values("pk")
    pairs = PossibleDuplicate.objects.filter(content_type=content_type)
    removed, _ = pairs.exclude(record_id__in=active).delete()
    other, _ = pairs.exclude(other_id__in=active).delete()
    return removed + other


def refresh(label, *, full=False):
    """Bring one kind's stored pairs up to date; returns counts (scanned, added, removed)."""
    finder = _finders[label]
    content_type = ContentType.objects.get_for_model(finder.model)
    started = timezone.now()
    scan = DuplicateScan.objects.filter(label=label).first()
    full = full or scan is None
    added = removed = scanned = 0
    with transaction.atomic():
        removed += _drop_inactive(finder, content_type)
        if full:
            scanned = finder.active_records().count()
            added, gone = _store(content_type, _pairs(finder), _existing(content_type))
            removed += gone
        else:
            changed = (
                finder.model._default_manager.filter(modified_at__gte=scan.scanned_from)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            last = 0
            while ids := list(changed.filter(pk__gt=last)[:CHUNK]):
                last = ids[-1]
                scanned += len(ids)
                new, gone = _store(content_type, _pairs(finder, ids), _existing(content_type, ids))
                added, removed = added + new, removed + gone
        DuplicateScan.objects.update_or_create(
            label=label,
            defaults={"scanned_from": started, **({"full_at": started} if full else {})},
        )
    return {"scanned": scanned, "added": added, "removed": removed}


def may_change_both(user, model, pair):
    """Whether `user` may edit the pair's two records (dismissing and merging need it)."""
    editable = model._default_manager.editable_by(user)
    return editable.filter(pk__in=[pair.record_id, pair.other_id]).count() == 2


def _pairs_of_records(finder, ids):
    """{(low id, high id): (score, reason)} of the active records `ids` with any other active
    record: per rule, each record's key looked up by the key's index (no GROUP BY over the
    table, as `_pairs` does), groups of more than MAX_GROUP skipped as the batch skips them."""
    active = finder.active_records()
    found = {}
    for rule in finder.rules:
        columns = ("pk", rule.key, *rule.similar, *rule.same)
        for row in active.filter(pk__in=ids).values(*columns):
            if not row[rule.key] or any(not row[name] for name in rule.same):
                continue
            others = list(
                active.filter(
                    **{rule.key: row[rule.key]}, **{name: row[name] for name in rule.same}
                )
                .exclude(pk=row["pk"])
                .values(*columns)[:MAX_GROUP]
            )
            if len(others) >= MAX_GROUP:
                continue
            for other in others:
                similar = [(row[name], other[name]) for name in rule.similar]
                _keep(found, rule, row["pk"], other["pk"], similar)
    return found


def check_records(label, ids):
    """Bring the stored pairs of these records up to date at once (a record just created or
    changed: crm.tasks.check_duplicates, enqueued on commit), without waiting for the batch
    run. Returns (added, removed)."""
    finder = _finders[label]
    content_type = ContentType.objects.get_for_model(finder.model, for_concrete_model=False)
    ids = sorted(set(ids))
    with transaction.atomic():
        existing = _existing(content_type, ids)
        found = _pairs_of_records(finder, ids)
        # A pair whose records are no longer both active goes; the others are kept as found.
        return _store(content_type, found, existing)


def dismiss_pair(*, user, pair):
    """ "Not a duplicate": the pair stays dismissed. `pair` is a PossibleDuplicate the user
    sees (the view checked); refused unless the user may edit both of its records."""
    with transaction.atomic():
        locked = PossibleDuplicate.objects.select_for_update().get(pk=pair.pk)
        model = ContentType.objects.get_for_id(locked.content_type_id).model_class()
        if not may_change_both(user, model, locked):
            raise DomainError(_("Only someone who may change both records can dismiss this pair."))
        if locked.dismissed_at is None:
            locked.dismissed_by, locked.dismissed_at = user, timezone.now()
            locked.save(update_fields=["dismissed_by", "dismissed_at"])
    return locked


def may_restore(user, pair):
    """Whether `user` may take back the pair's "Not a duplicate": who said it, or an
    administrator."""
    return user.is_administrator or (
        pair.dismissed_by_id is not None and pair.dismissed_by_id == user.pk
    )


def restore_pair(*, user, pair):
    """Undo "Not a duplicate": the pair is open again (and stays so until dismissed anew).
    `pair` is a dismissed PossibleDuplicate the user sees (the view checked)."""
    with transaction.atomic():
        # Locked: a second restore or a dismissal at the same time waits, then sees this one.
        locked = PossibleDuplicate.objects.select_for_update().get(pk=pair.pk)
        if locked.dismissed_at is None:
            return locked  # restored already: nothing to do
        if not may_restore(user, locked):
            raise DomainError(
                _("Only the person who dismissed this pair or an administrator can restore it.")
            )
        locked.dismissed_by, locked.dismissed_at = None, None
        locked.save(update_fields=["dismissed_by", "dismissed_at"])
    return locked


def open_pairs(model):
    """The kind's pairs not dismissed. The content type as its id (ContentType's cache, no
    query past the first): joined by name, the planner could not read the pages' index
    crm_possdup_open_idx in order and sorted every pair (0.5 s at 37,000 pairs)."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return PossibleDuplicate.objects.filter(content_type=content_type, dismissed_at__isnull=True)


def pairs_visible_to(user, model):
    """The open pairs of `model` whose two records `user` sees, newest first."""
    pairs = open_pairs(model)
    if not user.is_administrator:
        visible = model._default_manager.visible_to(user).values("pk")
        pairs = pairs.filter(record_id__in=visible, other_id__in=visible)
    return pairs.order_by("-found_at", "-id")


def dismissed_pairs_visible_to(user, model):
    """The dismissed pairs of `model` whose two records `user` sees, newest dismissal first,
    with who dismissed them (joined)."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    pairs = PossibleDuplicate.objects.filter(
        content_type=content_type, dismissed_at__isnull=False
    ).select_related("dismissed_by")
    if not user.is_administrator:
        visible = model._default_manager.visible_to(user).values("pk")
        pairs = pairs.filter(record_id__in=visible, other_id__in=visible)
    return pairs.order_by("-dismissed_at", "-id")


def pairs_of(user, record):
    """The open pairs with `record` whose other record `user` sees, best first."""
    model = type(record)
    pairs = open_pairs(model).filter(Q(record_id=record.pk) | Q(other_id=record.pk))
    if not user.is_administrator:
        visible = model._default_manager.visible_to(user).values("pk")
        pairs = pairs.filter(record_id__in=visible, other_id__in=visible)
    return pairs.order_by("-score", "-found_at")


def with_access(user, model):
    """The records `user` sees, each with `can_edit` read in the same query."""
    manager = model._default_manager
    editable = manager.editable_by(user).filter(pk=OuterRef("pk"))
    return manager.visible_to(user).annotate(can_edit=Exists(editable))


def with_records(user, model, pairs):
    """The pairs with `.record` and `.other` set (each with `can_edit`) and `.can_edit` (both
    records), read in one query (visible ones only)."""
    pairs = list(pairs)
    ids = {pk for pair in pairs for pk in (pair.record_id, pair.other_id)}
    finder = finder_for(model)
    joined = [
        name
        for name in finder.shows
        if name != "owner" and model._meta.get_field(name).is_relation
    ]
    records = (
        with_access(user, model).select_related("owner_user", "owner_team", *joined).in_bulk(ids)
        if ids
        else {}
    )
    shown = []
    for pair in pairs:
        pair.record, pair.other = records.get(pair.record_id), records.get(pair.other_id)
        if pair.record is not None and pair.other is not None:
            pair.can_edit = pair.record.can_edit and pair.other.can_edit
            shown.append(pair)
    return shown
