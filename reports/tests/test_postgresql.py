"""What keeps the lead source report fast on PostgreSQL (issue #8: a million leads in under a
second): the settings its queries run with, and the covering index its lead counts read.
Skipped on SQLite."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from leads.models import Lead, LeadSource
from reports import queries
from reports.queries import AGGREGATE_SETTINGS, Criteria, aggregate_settings
from reports.tests.factories import build_known_data

pytestmark = pytest.mark.postgres  # the planner settings and plans of PostgreSQL


def _settings(cursor):
    names = list(AGGREGATE_SETTINGS)
    cursor.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(names))}", names)
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_the_report_queries_run_with_the_aggregate_settings_then_restore_them(db):
    with transaction.atomic(), connection.cursor() as cursor:
        before = _settings(cursor)
        assert before != AGGREGATE_SETTINGS

        with aggregate_settings():
            assert _settings(cursor) == AGGREGATE_SETTINGS

        # Inside a longer transaction (a request), the rest of it runs as before.
        assert _settings(cursor) == before


def test_the_settings_are_undone_with_a_failing_report(db):
    with connection.cursor() as cursor:
        before = _settings(cursor)
        with transaction.atomic():
            with pytest.raises(ZeroDivisionError), aggregate_settings():
                1 / 0  # noqa: B018
            # The enclosing transaction is doomed: rolled back at its end, settings included.
            assert transaction.get_rollback()
        assert _settings(cursor) == before


def test_outside_a_transaction_the_settings_end_with_the_report(transactional_db):
    with connection.cursor() as cursor:
        before = _settings(cursor)
        with aggregate_settings():
            assert _settings(cursor) == AGGREGATE_SETTINGS
        assert _settings(cursor) == before


def _report_index_columns():
    (index,) = [i for i in Lead._meta.indexes if i.name == "leads_lead_report_idx"]
    return {Lead._meta.get_field(name).column for name in index.fields}


def _columns_read(plan):
    """The leads_lead columns a verbose plan uses: in every line but the output of a scan of
    the table, which lists all its columns (a "physical target list") whatever is used."""
    read, node = set(), ""
    for line in plan.splitlines():
        if "->" in line or not line.startswith(" "):
            node = line
        if line.strip().startswith("Output:") and " on public.leads_lead" in node:
            continue
        read |= set(re.findall(r"\bleads_lead\.(\w+)", line))
    return read


def test_the_lead_counts_read_nothing_but_the_report_index(alice, bob, carol, north, manager):
    """Every column of leads_lead the lead counts read (grouped by, counted, filtered on, for
    visibility too) is in leads_lead_report_idx, so PostgreSQL answers them from the index
    alone (an index-only scan, as at a million leads) instead of reading the whole table."""
    build_known_data(alice=alice, bob=bob, carol=carol, north=north)
    march = {"created_from": datetime.date(2026, 3, 1), "created_to": datetime.date(2026, 3, 31)}
    for user, criteria in [
        (None, Criteria()),
        (manager, Criteria(by="team")),
        (alice, Criteria(by="owner", **march)),
        (None, Criteria(by="campaign", source=LeadSource.objects.get(name="Web"))),
    ]:
        with CaptureQueriesContext(connection) as captured:
            queries.lead_counts(user=user, criteria=criteria, reasons=["lost"])
        (query,) = [q for q in captured.captured_queries if "AS qualify_seconds" in q["sql"]]
        with transaction.atomic(), connection.cursor() as cursor:
            # A table scan's output lists every column; an index scan's, those it needs.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN (VERBOSE) {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        read = _columns_read(plan)
        assert {"status", "created_at", "first_contact_at", "qualified_at"} <= read
        assert read <= _report_index_columns(), plan
