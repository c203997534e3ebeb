"""Filters shared by the apps' lists and the API."""

import django_filters

# The largest id a 64-bit integer column holds (SQLite's INTEGER, PostgreSQL's bigint).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A record id: a number out of an id's range is a filter error (400 / a message), never
    a value that overflows the database's integer."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
