"""The lead list's indexes: one per offered sort, with the id as its tie-breaker (the list
orders by the column, then the id), so ORDER BY ... LIMIT reads an index instead of sorting
every visible lead; and the open leads newest first with their owners, so the default views
and their deep pages are served by the index alone."""

from django.db import models

# Sort key of the list (leads/filters.py ORDERING) → its index's name.
SORT_INDEXES = {
    "created_at": "leads_lead_sort_created_idx",
    "last_name": "leads_lead_sort_name_idx",
    "company_name": "leads_lead_sort_company_idx",
    "topic": "leads_lead_sort_topic_idx",
    "status": "leads_lead_sort_status_idx",
    "rating": "leads_lead_sort_rating_idx",
    "next_follow_up": "leads_lead_sort_follow_up_idx",
    "estimated_value": "leads_lead_sort_value_idx",
    "score": "leads_lead_sort_score_idx",
}
# The columns each sort orders by (after the key itself, its tie-breakers), then the id.
SORT_COLUMNS = {"last_name": ["last_name", "first_name"]}

LIST_INDEXES = [
    *(
        models.Index(fields=[*SORT_COLUMNS.get(key, [key]), "id"], name=name)
        for key, name in SORT_INDEXES.items()
    ),
    # Key columns rather than INCLUDE (SQLite lacks it): the owners are read from the index.
    models.Index(
        fields=["state", "-created_at", "-id", "owner_user", "owner_team"],
        name="leads_lead_list_state_idx",
    ),
]
