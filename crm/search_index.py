"""A table's search index: a `search_text` column (crm.lib.search) matched per term as a
substring, served by a trigram GIN index on PostgreSQL and by an FTS5 table with the trigram
tokenizer on SQLite that triggers on the table keep current.

Each searchable model (leads, accounts, contacts, opportunities) has one `SearchIndex`,
registered with `register(index)` from its app's ready(): the rebuild command
(`manage.py rebuild_search_index`) and the post_migrate check that puts back FTS5 triggers a
table rebuild dropped (crm.apps) go through every registered one. The model keeps its own
`search_text` current in save() (and its bulk paths); `rebuild()` recomputes it for rows
written around the app.

Terms under three characters have no trigram: they match with LIKE, among the rows the other
terms and filters leave. On PostgreSQL `filter_close()` finds words within a small typo
(pg_trgm's word similarity, served by the same GIN index).
"""

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex

from crm.lib import search


class _NotAnIndex(Func):
    """`+id`: SQLite then reads `+id IN (the FTS5 matches)` as a test of each row its other
    conditions and the page's order already chose (the matches are read once, into a
    temporary index), never as the rows to start from. Started from the matches, the planner
    fetched every one of a common term's thousands by id even when the filter leaves no row
    (a manager's own open leads: 0 -> 70 ms for "hansen" at 200,000 leads)."""

    template = "+%(expressions)s"


class _WordSimilar(Func):
    """`text %> term`: pg_trgm's word similarity of `term` to some part of `text` is at least
    pg_trgm.word_similarity_threshold; the indexed column on the left, as the GIN operator
    class needs (no django.contrib.postgres in INSTALLED_APPS for its lookup)."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


_WORD = re.compile(r"[^\W_]{3,}")


def _index_key(term):
    """What the trigram index looks a term up by (PostgreSQL). A term with punctuation (an
    e-mail address or domain) by its first run of three or more letters or digits, the part
    people remember ("nordlys" of "nordlys-transport.example"), and the whole term is then
    checked with strpos() on the rows found: the GIN index intersects the posting list of
    every trigram of the pattern, and those of ".example" or ".com" hold nearly every row
    (145 of 190 ms for a 29-character domain at 1,000,000 leads)."""
    if _WORD.fullmatch(term):
        return term
    found = _WORD.search(term)
    return found.group(0) if found else term


def _fts_phrase(term):
    return '"' + term.replace('"', '""') + '"'


@dataclass(frozen=True)
class SearchIndex:
    """The search index of one table. `fields` are read, in order, by `text_of(*values)` to
    make the stored text; migrations use the same object (they cannot import the model)."""

    table: str  # "leads_lead"
    fields: tuple  # the columns search_text is made of
    text_of: object  # fields' values -> the stored text
    column: str = "search_text"
    label: str = field(default="", compare=False)  # "leads.Lead", for the rebuild command

    @property
    def trigram_index(self):
        return f"{self.table}_search_trgm"

    @property
    def fts_table(self):
        return f"{self.table}_search_fts"

    # PostgreSQL ------------------------------------------------------------------------------

    def create_trigram_index_sql(self):
        return (
            f"CREATE INDEX IF NOT EXISTS {self.trigram_index} ON {self.table}"
            f" USING gin ({self.column} gin_trgm_ops)"
        )

    def drop_trigram_index_sql(self):
        return f"DROP INDEX IF EXISTS {self.trigram_index}"

    # SQLite ----------------------------------------------------------------------------------

    @property
    def triggers(self):
        """An external-content FTS5 table indexes the column by rowid (the row's id) without a
        second copy of the text. Each trigger hands FTS5 the exact old text to remove, as
        external content requires; an UPDATE that leaves the text as it was costs nothing."""
        fts, table, col = self.fts_table, self.table, self.column
        return {
            f"{fts}_ai": f"""AFTER INSERT ON {table} BEGIN
        INSERT INTO {fts} (rowid, {col}) VALUES (new.id, new.{col});
    END""",
            f"{fts}_ad": f"""AFTER DELETE ON {table} BEGIN
        INSERT INTO {fts} ({fts}, rowid, {col}) VALUES ('delete', old.id, old.{col});
    END""",
            f"{fts}_au": f"""AFTER UPDATE OF id, {col} ON {table}
    WHEN old.id IS NOT new.id OR old.{col} IS NOT new.{col} BEGIN
        INSERT INTO {fts} ({fts}, rowid, {col}) VALUES ('delete', old.id, old.{col});
        INSERT INTO {fts} (rowid, {col}) VALUES (new.id, new.{col});
    END""",
        }

    def install_sqlite_index(self, cursor):
        """Create the FTS5 table and its triggers where missing, then fill the table from the
        model's table (SQLite only). Idempotent: the migration, the rebuild command and the
        post_migrate check call it."""
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.fts_table} USING fts5("
            f"{self.column}, content='{self.table}', content_rowid='id', tokenize='trigram')"
        )
        for name, body in self.triggers.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"INSERT INTO {self.fts_table} ({self.fts_table}) VALUES ('rebuild')")

    def drop_sqlite_triggers(self, cursor):
        """SQLite, before a bulk INSERT of many rows (the benchmark generator):
        install_sqlite_index after it fills the table in one pass, several times faster than a
        trigger per row."""
        for name in self.triggers:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

    def drop_sqlite_index(self, cursor):
        self.drop_sqlite_triggers(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {self.fts_table}")

    def sqlite_index_state(self, cursor):
        """(the FTS table exists, every trigger exists). SQLite drops a table's triggers with
        the table, and its schema editor rebuilds a table (a new table, copied, renamed) for
        many a later migration; crm.apps puts them back after migrate."""
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE (type = 'table' AND name = %s)"
            " OR (type = 'trigger' AND tbl_name = %s)",
            [self.fts_table, self.table],
        )
        names = {name for (name,) in cursor.fetchall()}
        return self.fts_table in names, set(self.triggers) <= names

    # Migrations ------------------------------------------------------------------------------

    def create(self, schema_editor):
        """The database's index (RunPython in a migration, after the column exists)."""
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.create_trigram_index_sql())
        elif schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                self.install_sqlite_index(cursor)

    def drop(self, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(self.drop_trigram_index_sql())
        elif schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                self.drop_sqlite_index(cursor)

    # Queries ---------------------------------------------------------------------------------

    def filter(self, queryset, terms):
        """`queryset` narrowed to rows whose search text holds every term as a substring. On
        SQLite the terms of three characters or more are one FTS5 query (a trigram phrase
        matches as a substring, as LIKE '%term%' does); shorter ones, and every term on
        PostgreSQL (where the GIN index serves LIKE), are a LIKE each. FTS5 reads every
        matching id (about 1 ms per thousand): a term in nearly every row costs more than a
        LIKE, which finds a page of it at once; a rare or absent one costs far less (a LIKE
        then reads every row's text)."""
        indexed = []
        if connections[queryset.db].vendor == "sqlite":
            indexed = [term for term in terms if len(term) >= search.TRIGRAM]
        if indexed:
            match = " AND ".join(_fts_phrase(term) for term in indexed)
            matching = RawSQL(
                f"SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s", [match]
            )
            queryset = queryset.alias(_search_pk=_NotAnIndex(F("pk"))).filter(
                _search_pk__in=matching
            )
        postgresql = connections[queryset.db].vendor == "postgresql"
        for number, term in enumerate(terms):
            if term in indexed:
                continue
            key = _index_key(term) if postgresql else term
            queryset = queryset.filter(**{f"{self.column}__contains": key})
            if key != term:  # the whole term, checked on the rows the key found
                queryset = queryset.alias(
                    **{f"_search_at_{number}": StrIndex(F(self.column), Value(term))}
                ).filter(**{f"_search_at_{number}__gt": 0})
        return queryset

    @staticmethod
    @contextmanager
    def close_match_settings(using="default"):
        """Run close-match queries inside this (PostgreSQL): a transaction in which the
        planner may not read the table sequentially. Under a LIMIT it would, expecting to stop
        early, and compute the word similarity of every row it passes: 233 ms against 27 ms
        for the rep's capped count of a typo at 1,000,000 leads (the index first offers the
        rows sharing enough trigrams)."""
        connection = connections[using]
        if connection.vendor != "postgresql":
            yield
            return
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            yield

    @staticmethod
    def supports_close(using="default"):
        """Whether filter_close() can find close matches here (PostgreSQL)."""
        return connections[using].vendor == "postgresql"

    def filter_close(self, queryset, terms):
        """PostgreSQL: rows with a word within a small typo of each term (pg_trgm's
        `word_similarity(term, text) >= pg_trgm.word_similarity_threshold`, 0.6 by default:
        "hanssen" finds "hansen", "sorensne" finds "sorensen"), served by the trigram GIN index.
        None on other databases (they have no trigram similarity)."""
        if connections[queryset.db].vendor != "postgresql":
            return None
        condition = Q()
        for term in terms:
            if len(term) >= search.TRIGRAM:
                condition &= Q(_WordSimilar(F(self.column), Value(term)))
            else:
                condition &= Q(**{f"{self.column}__contains": term})
        return queryset.filter(condition)

    # Rebuilding ------------------------------------------------------------------------------

    def rebuild(self, model, *, batch_size=5000, out=None, noun="rows"):
        """Recompute the search text of every row (`model` may be a migration's historical
        model), in batches by primary key, each its own transaction; rows whose text is
        already right are not written. Returns (rows read, rows written)."""
        table = connection.ops.quote_name(model._meta.db_table)
        read = written = 0
        last_pk, started = 0, time.monotonic()
        while True:
            rows = list(
                model.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", self.column, *self.fields)[:batch_size]
            )
            if not rows:
                break
            last_pk = rows[-1][0]
            changed = [
                (text, pk) for pk, old, *values in rows if (text := self.text_of(*values)) != old
            ]
            if changed:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {table} SET {self.column} = %s WHERE id = %s", changed
                    )
            read, written = read + len(rows), written + len(changed)
            if out:
                rate = read / max(time.monotonic() - started, 1e-6)
                out(f"{read:,} {noun} read, {written:,} updated ({rate:,.0f} rows/s)")
        return read, written


# label ("app_label.Model") -> SearchIndex, filled by the apps that own the models.
INDEXES: dict[str, SearchIndex] = {}


def register(label, index):
    """Make `index` (the search index of model `label`) one the rebuild command and the
    post_migrate check know; call from AppConfig.ready()."""
    INDEXES[label] = index


def ensure_sqlite_indexes(using="default"):
    """post_migrate (SQLite): for each registered index whose FTS5 table exists, put back any
    trigger a later migration's rebuild of its table dropped, and refill it."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for index in INDEXES.values():
            table_exists, triggers_exist = index.sqlite_index_state(cursor)
            if table_exists and not triggers_exist:
                index.install_sqlite_index(cursor)
