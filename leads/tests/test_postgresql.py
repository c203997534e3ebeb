"""Indexes the lead list's filters rely on, checked in PostgreSQL's plans. Skipped on SQLite."""

import pytest
from django.db import connection, transaction

from leads.filters import LeadFilter
from leads.models import Lead, LeadStatusChange, import_batch_reason
from leads.tests.factories import make_lead

pytestmark = pytest.mark.postgres


def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # With a few rows the planner would rightly scan: forbid scans to see what it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_import_filter_finds_a_batchs_leads_through_the_first_entry_index(alice):
    imported = make_lead(owner=alice, email="imported@example.com")
    make_lead(owner=alice, email="typed@example.com")
    LeadStatusChange.objects.filter(lead=imported).update(reason=import_batch_reason(7))

    leads = LeadFilter({"import": "7"}, queryset=Lead.objects.all()).qs

    assert list(leads) == [imported]
    assert "leads_statuslog_first_idx" in _plan(leads)
