"""Reading from a PostgreSQL streaming replica (settings.DATABASE_REPLICA_URL): the pages that
only read and may be a moment behind (reports, exports, the search results page) are marked
`@reads_from_replica`; while one runs, the router sends its reads to the "replica" database.
Everything else, and every write, uses the primary, so a user always sees their own last write
on the record's own page. Without a replica the mark changes nothing."""

import functools
from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
_reading = ContextVar("reading_from_replica", default=False)


def reads_from_replica(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _reading.set(True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _reading.reset(token)
        if getattr(response, "streaming", False):
            # A streamed export reads as it is sent, after the view returned.
            response.streaming_content = _from_replica(response.streaming_content)
        return response

    return wrapped


def _from_replica(content):
    iterator = iter(content)
    while True:
        token = _reading.set(True)  # around each step: the server may switch contexts between
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _reading.reset(token)
        yield chunk


def reading_database() -> str:
    """The alias this request's reads use: raw SQL (the reports' queries) asks here, since the
    router only sees the ORM's."""
    if _reading.get() and REPLICA in connections.databases:
        return REPLICA
    return "default"


class ReplicaRouter:
    """Reads of a marked page go to the replica; writes, migrations and every other read go to
    the primary ("default")."""

    def db_for_read(self, model, **hints):
        return reading_database()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
