"""The lead search index: Lead.search_text (crm.lib.search), matched per term as a substring;
on PostgreSQL with LIKE served by a trigram GIN index (leads_lead_search_trgm), on SQLite by an
FTS5 table with the trigram tokenizer (leads_lead_search_fts) that triggers on leads_lead keep
current. Terms under three characters have no trigram: they match with LIKE, among the rows
the other terms and filters leave.

search_text is kept current by Lead.save() and by every bulk path (leads.bulk.refresh_keys,
through Lead.keys_for) and filled in SQL by bench/generate.py; `manage.py rebuild_search_index`
(and migration 0010) rebuild it for rows written any other way, and the FTS table with it.
"""

import time

from django.db import connection, connections, transaction
from django.db.models import F, Func
from django.db.models.expressions import RawSQL

from crm.lib import search

FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "email",
    "topic",
    "business_phone",
    "mobile_phone",
)  # fmt: skip (leads.models.lead.SEARCHED_FIELDS; migrations cannot import the model)
INDEX_NAME = "leads_lead_search_trgm"
FTS_TABLE = "leads_lead_search_fts"

# An external-content FTS5 table: it indexes leads_lead.search_text by rowid (the lead's id)
# without a second copy of the text. Each trigger hands FTS5 the exact old text to remove, as
# external content requires; an UPDATE that leaves search_text as it was costs nothing.
_FTS_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""AFTER INSERT ON leads_lead BEGIN
        INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    f"{FTS_TABLE}_ad": f"""AFTER DELETE ON leads_lead BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    f"{FTS_TABLE}_au": f"""AFTER UPDATE OF id, search_text ON leads_lead
    WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (new.id, new.search_text);
    END""",
}


def install_sqlite_index(cursor):
    """Create the FTS5 table and its triggers where missing, then fill the table from
    leads_lead (SQLite only). Idempotent: the migration, the rebuild command and the
    post_migrate check (leads.apps) call it."""
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "search_text, content='leads_lead', content_rowid='id', tokenize='trigram')"
    )
    for name, body in _FTS_TRIGGERS.items():
        cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')")


def drop_sqlite_triggers(cursor):
    """SQLite, before a bulk INSERT of many leads (the benchmark generator): install_sqlite_index
    after it fills the table in one pass, several times faster than a trigger per row."""
    for name in _FTS_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def drop_sqlite_index(cursor):
    drop_sqlite_triggers(cursor)
    cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def sqlite_index_state(cursor):
    """(the FTS table exists, every trigger exists). SQLite drops a table's triggers with the
    table, and its schema editor rebuilds leads_lead (a new table, copied, renamed) for many
    a later migration; leads.apps puts them back after migrate."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE (type = 'table' AND name = %s)"
        " OR (type = 'trigger' AND tbl_name = 'leads_lead')",
        [FTS_TABLE],
    )
    names = {name for (name,) in cursor.fetchall()}
    return FTS_TABLE in names, set(_FTS_TRIGGERS) <= names


def _fts_phrase(term):
    return '"' + term.replace('"', '""') + '"'


class _NotAnIndex(Func):
    """`+id`: SQLite then reads `+id IN (the FTS5 matches)` as a test of each row its other
    conditions and the page's order already chose (the matches are read once, into a
    temporary index), never as the rows to start from. Started from the matches, the planner
    fetched every one of a common term's thousands by id even when the filter leaves no row
    (a manager's own open leads: 0 -> 70 ms for "hansen" at 200,000 leads)."""

    template = "+%(expressions)s"


def filter_by_terms(queryset, terms):
    """`queryset` narrowed to leads whose search text holds every term as a substring. On
    SQLite the terms of three characters or more are one FTS5 query (a trigram phrase matches
    as a substring, as LIKE '%term%' does); shorter ones, and every term on PostgreSQL (where
    the GIN index serves LIKE), are a LIKE each. FTS5 reads every matching id (about 1 ms per
    thousand): a term in nearly every lead ("example" in every bench e-mail) costs more than
    a LIKE, which finds a page of it at once; a rare or absent one costs far less (a LIKE then
    reads every row's text)."""
    indexed = []
    if connections[queryset.db].vendor == "sqlite":
        indexed = [term for term in terms if len(term) >= search.TRIGRAM]
    if indexed:
        match = " AND ".join(_fts_phrase(term) for term in indexed)
        matching = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
        queryset = queryset.alias(_search_pk=_NotAnIndex(F("pk"))).filter(_search_pk__in=matching)
    for term in terms:
        if term not in indexed:
            queryset = queryset.filter(search_text__contains=term)
    return queryset


def text_of(first, last, company, email, topic, business, mobile):
    return search.search_text((first, last, company, email, topic), (business, mobile))


def rebuild(lead_model, *, batch_size=5000, out=None):
    """Recompute search_text of every lead (`lead_model` may be a migration's historical
    model), in batches by primary key, each its own transaction; rows whose text is already
    right are not written. Returns (rows read, rows written)."""
    table = connection.ops.quote_name(lead_model._meta.db_table)
    read = written = 0
    last_pk, started = 0, time.monotonic()
    while True:
        rows = list(
            lead_model.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "search_text", *FIELDS)[:batch_size]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        changed = [(text, pk) for pk, old, *values in rows if (text := text_of(*values)) != old]
        if changed:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET search_text = %s WHERE id = %s", changed)
        read, written = read + len(rows), written + len(changed)
        if out:
            rate = read / max(time.monotonic() - started, 1e-6)
            out(f"{read:,} leads read, {written:,} updated ({rate:,.0f} rows/s)")
    return read, written
