"""The lead search index: Lead.search_text (crm.lib.search), matched per term with LIKE, and
on PostgreSQL a trigram GIN index (leads_lead_search_trgm) serving it.

Kept current by Lead.save() and by every bulk path (leads.bulk.refresh_keys, through
Lead.keys_for) and filled in SQL by bench/generate.py; `manage.py rebuild_search_index`
(and migration 0010) rebuild it for rows written any other way.
"""

import time

from django.db import connection, transaction

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
