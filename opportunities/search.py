"""The search index of opportunities (crm.search_index): the topic and the potential
customer's name (the account's, or the contact's), folded, so "Havn Logistics" finds its deals.
Opportunity.save() keeps search_text current, and a customer's rename rewrites its
opportunities' (opportunities.receivers); migration 0007 fills it and builds the index (trigram
GIN on PostgreSQL, FTS5 on SQLite); `manage.py rebuild_search_index` rebuilds it."""

from crm.lib import search
from crm.search_index import SearchIndex

# Migrations use it too: they cannot import the model.
FIELDS = ("topic", "account__name", "contact__first_name", "contact__last_name")


def opportunity_text(topic, account_name, contact_first, contact_last):
    customer = account_name or " ".join(part for part in (contact_first, contact_last) if part)
    return search.search_text((topic, customer or ""))


INDEX = SearchIndex(
    table="opportunities_opportunity",
    fields=FIELDS,
    text_of=opportunity_text,
    label="opportunities.Opportunity",
)
