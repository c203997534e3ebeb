"""The search index of opportunities (crm.search_index): the topic, folded. Opportunity.save()
keeps search_text current; migration 0007 fills it and builds the index (trigram GIN on
PostgreSQL, FTS5 on SQLite); `manage.py rebuild_search_index` rebuilds it."""

from crm.lib import search
from crm.search_index import SearchIndex

FIELDS = ("topic",)  # migrations use it too: they cannot import the model


def opportunity_text(topic):
    return search.search_text((topic,))


INDEX = SearchIndex(
    table="opportunities_opportunity",
    fields=FIELDS,
    text_of=opportunity_text,
    label="opportunities.Opportunity",
)
