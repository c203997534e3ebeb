"""The lead search index: Lead.search_text (crm.lib.search), a crm.search_index.SearchIndex:
matched per term as a substring, on PostgreSQL with LIKE served by a trigram GIN index
(leads_lead_search_trgm), on SQLite by an FTS5 table with the trigram tokenizer
(leads_lead_search_fts) that triggers on leads_lead keep current.

search_text is kept current by Lead.save() and by every bulk path (leads.bulk.refresh_keys,
through Lead.keys_for) and filled in SQL by bench/generate.py; `manage.py rebuild_search_index`
(and migration 0010) rebuild it for rows written any other way, and the FTS table with it.
"""

from crm.lib import search
from crm.search_index import SearchIndex

FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "email",
    "topic",
    "business_phone",
    "mobile_phone",
)  # fmt: skip (leads.models.lead.SEARCHED_FIELDS; migrations cannot import the model)


def text_of(first, last, company, email, topic, business, mobile):
    return search.search_text((first, last, company, email, topic), (business, mobile))


INDEX = SearchIndex(table="leads_lead", fields=FIELDS, text_of=text_of, label="leads.Lead")
INDEX_NAME = INDEX.trigram_index
FTS_TABLE = INDEX.fts_table
_FTS_TRIGGERS = INDEX.triggers

install_sqlite_index = INDEX.install_sqlite_index
drop_sqlite_triggers = INDEX.drop_sqlite_triggers
drop_sqlite_index = INDEX.drop_sqlite_index
sqlite_index_state = INDEX.sqlite_index_state
filter_by_terms = INDEX.filter


def rebuild(lead_model, *, batch_size=5000, out=None):
    """Recompute search_text of every lead (see SearchIndex.rebuild)."""
    return INDEX.rebuild(lead_model, batch_size=batch_size, out=out, noun="leads")
