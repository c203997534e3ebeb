"""Click-through: the lead list (/leads/) filtered to exactly the leads behind a report cell.

Built from what the report already holds (its criteria and each row's group key): no query.
The lead list reads the dates in the user's time zone, as the reports do (UserTimezoneMiddleware).
"""

from django.http import QueryDict
from django.urls import reverse

from crm.models import Team
from leads.models import State

# Report column -> the lead list's `state` value ("leads": any state).
COUNT_STATES = {
    "leads": None,
    "open": State.OPEN,
    "qualified": State.QUALIFIED,
    "disqualified": State.DISQUALIFIED,
}


def _owner_value(owner):
    return f"{'team' if isinstance(owner, Team) else 'user'}:{owner.pk}"


def criteria_query(criteria):
    """The lead list's parameters for the report's filters (every state, any saved view)."""
    query = QueryDict(mutable=True)
    query["view"] = "any"
    if criteria.created_from:
        query["created_after"] = criteria.created_from.isoformat()
    if criteria.created_to:
        query["created_before"] = criteria.created_to.isoformat()
    if criteria.team is not None:
        query.appendlist("team", str(criteria.team.pk))
    if criteria.owner is not None:
        query["owner"] = _owner_value(criteria.owner)
    if criteria.source is not None:
        query["source"] = str(criteria.source.pk)
    if criteria.campaign is not None:
        query["campaign"] = str(criteria.campaign.pk)
    return query


def add_group(query, by, key):
    """Narrow `query` to a report row's group; `key` (k1, k2) as the queries return it."""
    k1, k2 = key
    if by in ("source", "campaign"):
        query[by] = "null" if k1 is None else str(k1)
    elif by == "owner":
        # Every lead has exactly one owner, a user (k1) or a team (k2).
        query["owner"] = f"user:{k1}" if k1 is not None else f"team:{k2}"
    elif by == "team":
        query.appendlist("team", "null" if k1 is None else str(k1))
    else:
        raise ValueError(f"unknown dimension {by!r}")
    return query


def count_links(criteria, key=None):
    """{column: lead list URL} for the count cells of one row (`key` None: the totals row)."""
    base = criteria_query(criteria)
    if key is not None:
        add_group(base, criteria.by, key)
    links, url = {}, reverse("leads:list")
    for column, state in COUNT_STATES.items():
        query = base.copy()
        if state:
            query["state"] = state
        links[column] = f"{url}?{query.urlencode()}"
    return links


def add_count_links(report, criteria):
    for row in report.rows:
        row.links = count_links(criteria, row.key)
    report.totals.links = count_links(criteria)
    return report
