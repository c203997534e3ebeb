"""The aggregate SQL behind the reports: a few GROUP BY queries, never a query per lead.

Scope (visibility and filters) is built with the ORM, compiled and used as a derived table,
so `visible_to(user)` stays the one place that decides who sees what. The first contact and
the latest qualification time are stored on the lead (issue #8: a report at a million leads
is one pass over the leads); the joins to opportunities and the status log are written as
SQL because they join pre-aggregated derived tables, which the ORM cannot express without a
correlated subquery per lead (too slow at a million leads).
"""

import contextlib
import datetime
from dataclasses import dataclass

from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from crm.models import Membership, Team, User
from crm.replica import reading_database
from leads.models import (
    STATUSES_BY_STATE,
    Campaign,
    Lead,
    LeadSource,
    LeadStatusChange,
    Qualification,
    State,
)
from leads.models.status_log import COUNTED_STAYS
from opportunities.models import Opportunity

DIMENSIONS = ("source", "campaign", "owner", "team")


@dataclass(frozen=True)
class Criteria:
    """What a report covers: leads created in [created_from, created_to] (dates in
    `time_zone`, both inclusive), narrowed by team, owner, source, campaign; grouped `by`."""

    by: str = "source"
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    time_zone: datetime.tzinfo | None = None
    team: Team | None = None
    owner: User | Team | None = None
    source: LeadSource | None = None
    campaign: Campaign | None = None

    def __post_init__(self):
        if self.by not in DIMENSIONS:
            raise ValueError(f"by must be one of {DIMENSIONS}, not {self.by!r}")

    def narrows(self):
        """Whether a filter (not only visibility) narrows the leads."""
        filters = (self.created_from, self.created_to, self.team, self.owner)
        return any(f is not None for f in (*filters, self.source, self.campaign))

    def start(self):
        return self._midnight(self.created_from) if self.created_from else None

    def end(self):
        """Exclusive end: midnight after `created_to` in the report's time zone."""
        if not self.created_to:
            return None
        return self._midnight(self.created_to + datetime.timedelta(days=1))

    def _midnight(self, day):
        tz = self.time_zone or timezone.get_default_timezone()
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def scoped_leads(*, user, criteria):
    """The leads a report counts: visible to `user` (everything when None), filtered."""
    leads = Lead.objects.all() if user is None else Lead.objects.visible_to(user)
    return _owned_as_asked(leads.filter(_lead_columns(criteria)), criteria).order_by()


def _lead_columns(criteria):
    """The criteria's filters on the lead's own columns (created, source, campaign): a Q,
    empty (falsy) when there are none."""
    condition = Q()
    if criteria.start():
        condition &= Q(created_at__gte=criteria.start())
    if criteria.end():
        condition &= Q(created_at__lt=criteria.end())
    if criteria.source is not None:
        condition &= Q(source=criteria.source)
    if criteria.campaign is not None:
        condition &= Q(campaign=criteria.campaign)
    return condition


def _owned_as_asked(records, criteria):
    """`records` (an OwnedQuerySet: leads, or status-log entries by the owner they carry)
    narrowed to the criteria's team and owner."""
    if criteria.team is not None:
        members = Membership.objects.filter(team=criteria.team, is_active=True).values("user_id")
        records = records.filter(Q(owner_team=criteria.team) | Q(owner_user_id__in=members))
    if criteria.owner is not None:
        records = records.owned_by(criteria.owner)
    return records


def visible_opportunities(user):
    return Opportunity.objects.all() if user is None else Opportunity.objects.visible_to(user)


# Settings for a report's aggregate queries on PostgreSQL, in its own transaction (SET LOCAL):
# - work_mem: the sorts and hashes over the 250,000 links of a million leads fit in memory
#   (at the default 4 MB they spill to disk and the hash joins run in batches);
# - jit off: compiling the expressions took longer than the sub-second queries it speeds up;
# - random_page_cost for data in memory or on SSD: at the default (4, spinning disks) the
#   planner reads the whole table rather than the report's covering index
#   (leads_lead_report_idx), which is half its size and needs no tuple decoding.
AGGREGATE_SETTINGS = {"work_mem": "64MB", "jit": "off", "random_page_cost": "1.1"}


@contextlib.contextmanager
def aggregate_settings(settings=None):
    """Run the enclosed report queries with `settings` (default AGGREGATE_SETTINGS) on
    PostgreSQL (elsewhere a no-op): one query sets them for the transaction; inside a longer
    one (a request's, a test's), one more puts the previous values back. No savepoint: an
    error dooms the enclosing transaction, whose rollback undoes the settings too."""
    if connection.vendor != "postgresql":
        yield
        return
    alias = reading_database()
    nested = connections[alias].in_atomic_block
    with transaction.atomic(using=alias, savepoint=False), connections[alias].cursor() as cursor:
        previous = _set_local(cursor, settings or AGGREGATE_SETTINGS)
        yield
        if nested:
            _set_local(cursor, previous)


def _set_local(cursor, settings):
    """Set `settings` for the current transaction; return the values they replace, read in
    a subquery (OFFSET 0 keeps it one) before the lateral one that depends on it sets them."""
    names = list(settings)
    read = ", ".join(f"current_setting(%s) AS s{i}" for i in range(len(names)))
    calls = ", ".join(["set_config(%s, %s, true)"] * len(names))
    cursor.execute(
        f"SELECT p.* FROM (SELECT {read} OFFSET 0) p,"
        f" LATERAL (SELECT {calls} WHERE p.s0 IS NOT NULL) s",
        [*names, *(value for item in settings.items() for value in item)],
    )
    return dict(zip(names, cursor.fetchone(), strict=True))


# SQL building blocks -------------------------------------------------------------------------


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def seconds_between(later, earlier):
    """Portable `later - earlier` in seconds (a float). On PostgreSQL date_part, a float8:
    EXTRACT returns numeric (since 14), whose arithmetic per stay, in the average and the
    median, took half of an administrator's time-in-status report."""
    if connection.vendor == "postgresql":
        return f"date_part('epoch', {later} - {earlier})"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def sum_of_durations(later, earlier):
    """Portable aggregate: the sum of `later - earlier` (NULLs skipped), to be turned into
    seconds by seconds_of(). PostgreSQL sums intervals and converts once at the end (EXTRACT
    per row is numeric arithmetic, a third of the lead report's time); SQLite sums seconds."""
    if connection.vendor == "postgresql":
        return f"SUM({later} - {earlier})"
    return f"SUM({seconds_between(later, earlier)})"


def seconds_of(partial_sums, condition=None):
    """Portable aggregate: the sum of sum_of_durations() rows (over those matching
    `condition`), in seconds."""
    where = f" FILTER (WHERE {condition})" if condition else ""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM SUM({partial_sums}){where})"
    return f"SUM({partial_sums}){where}"


def _compiled(queryset, *fields):
    sql, params = queryset.values(*fields).query.sql_with_params()
    return f"({sql})", list(params)


def _group_key(by):
    """(join, key columns) grouping lead rows `l` by a dimension. Team: the owning team, or
    each active team of the owning user (a user in two teams counts in both)."""
    if by == "source":
        return "", "l.source_id", "NULL"
    if by == "campaign":
        return "", "l.campaign_id", "NULL"
    if by == "owner":
        return "", "l.owner_user_id", "l.owner_team_id"
    join = (
        f" LEFT JOIN {_table(Membership)} m ON m.user_id = l.owner_user_id AND m.is_active"
        f" AND m.team_id IN (SELECT t.id FROM {_table(Team)} t WHERE t.is_active)"
    )
    return join, "COALESCE(l.owner_team_id, m.team_id)", "NULL"


def _with_totals(select, from_, by, params, *, totals, also=None):
    """The grouped query, and when `totals`, the same aggregates over everything (is_total=1)
    in the same statement; `also`: a column both are grouped by as well."""
    join, k1, k2 = _group_key(by)
    group_by = k1 if k2 == "NULL" else f"{k1}, {k2}"  # PostgreSQL refuses GROUP BY NULL
    also_group_by = f", {also}" if also else ""
    grouped = (
        f"SELECT 0 AS is_total, {k1} AS k1, {k2} AS k2, {select}"
        f" FROM {from_}{join} GROUP BY {group_by}{also_group_by}"
    )
    if not totals:
        return grouped, params
    if connection.vendor == "postgresql" and not join:
        # One pass computes the groups and the totals (SQLite has no GROUPING SETS).
        total_set = f"({also})" if also else "()"
        sql = (
            f"SELECT GROUPING({k1}) AS is_total, {k1} AS k1, {k2} AS k2, {select}"
            f" FROM {from_} GROUP BY GROUPING SETS (({group_by}{also_group_by}), {total_set})"
        )
        return sql, params
    # No team join: each lead once.
    total = f"SELECT 1, NULL, NULL, {select} FROM {from_}{' GROUP BY ' + also if also else ''}"
    return f"{grouped} UNION ALL {total}", params + params


def _fetch(sql, params):
    with connections[reading_database()].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _narrowed(column, narrowing):
    condition, params = narrowing
    return (f" AND {column}{condition}", params) if condition else ("", [])


_LEAD_FIELDS = (
    "id",
    "created_at",
    "state",
    "status",
    "source_id",
    "campaign_id",
    "owner_user_id",
    "owner_team_id",
    "first_contact_at",
    "qualified_at",
)
# What the funnel's per-lead steps read of a lead (leads_lead_report_idx holds them all).
_FUNNEL_FIELDS = (
    "first_contact_at",
    "qualified_at",
    "status",
    "reached_contacted",
    "reached_opportunity",
    "reached_won",
)


# The queries ---------------------------------------------------------------------------------


def lead_counts(*, user, criteria, reasons):
    """One row per group (and a totals row when the grouping may count a lead twice): lead
    counts by state and disqualification reason, and the sums behind the two averages.

    One pass over the leads: the first contact and the latest qualification are stored on
    the lead (Lead.first_contact_at, Lead.qualified_at), so no per-lead table is joined, and
    every column read is in leads_lead_report_idx: on PostgreSQL an index-only scan (with
    aggregate_settings), a date range a range of it. The leads are counted per group and
    status reason, the fewest aggregates per lead (every one costs ~0.05 µs a lead); the
    states and reasons are then read off those few rows (a status reason belongs to one
    state: a check constraint)."""
    leads_sql, leads_params = _compiled(scoped_leads(user=user, criteria=criteria), *_LEAD_FIELDS)
    per_status = (
        "l.status AS status, COUNT(*) AS leads,"
        f" {sum_of_durations('l.qualified_at', 'l.created_at')} AS qualify_sum,"
        " COUNT(l.qualified_at) AS qualify_count,"
        f" {sum_of_durations('l.first_contact_at', 'l.created_at')} AS contact_sum,"
        " COUNT(l.first_contact_at) AS contact_count"
    )
    if criteria.by == "team":
        sql, params = _lead_counts_by_team(per_status, leads_sql, leads_params, reasons)
    else:
        join, k1, k2 = _group_key(criteria.by)
        group_by = k1 if k2 == "NULL" else f"{k1}, {k2}"
        fold, fold_params = _fold_statuses("t", reasons)
        sql = (
            f"SELECT 0 AS is_total, t.k1, t.k2, {fold} FROM (SELECT {k1} AS k1, {k2} AS k2,"
            f" {per_status} FROM {leads_sql} l{join} GROUP BY {group_by}, l.status) t"
            " GROUP BY t.k1, t.k2"
        )
        params = [*fold_params, *leads_params]
    rows = _fetch(sql, params)
    for row in rows:
        row["disqualified"] = sum(row[f"reason_{i}"] or 0 for i in range(len(reasons)))
        row["open_leads"] = (row["leads"] or 0) - (row["qualified"] or 0) - row["disqualified"]
    return rows


def _fold_statuses(alias, reasons):
    """(aggregates, params) turning rows per status reason (`alias`) into the lead counts."""
    qualified_statuses = [str(status) for status in STATUSES_BY_STATE[State.QUALIFIED]]
    qualified = f"{alias}.status IN ({', '.join(['%s'] * len(qualified_statuses))})"
    reason_columns = "".join(
        f", SUM({alias}.leads) FILTER (WHERE {alias}.status = %s) AS reason_{i}"
        for i in range(len(reasons))
    )
    # qualified_at outlives a reactivation: the average is over leads qualified now.
    fold = (
        f"SUM({alias}.leads) AS leads,"
        f" SUM({alias}.leads) FILTER (WHERE {qualified}) AS qualified{reason_columns},"
        f" {seconds_of(f'{alias}.qualify_sum', qualified)} AS qualify_seconds,"
        f" SUM({alias}.qualify_count) FILTER (WHERE {qualified}) AS qualify_count,"
        f" {seconds_of(f'{alias}.contact_sum')} AS contact_seconds,"
        f" SUM({alias}.contact_count) AS contact_count"
    )
    return fold, [*qualified_statuses, *reasons, *qualified_statuses, *qualified_statuses]


def _lead_counts_by_team(per_status, leads_sql, leads_params, reasons):
    """By team, the leads are counted per owner first (one pass, a few hundred rows), then the
    owners' rows are summed per team and in total: joining a million leads to the
    memberships, and a second pass for the totals, took longer than the counting itself."""
    per_owner = (
        f"SELECT l.owner_user_id, l.owner_team_id, {per_status} FROM {leads_sql} l"
        " GROUP BY l.owner_user_id, l.owner_team_id, l.status"
    )
    fold, fold_params = _fold_statuses("l", reasons)
    join, k1, _k2 = _group_key("team")
    sql = (
        f"WITH per_owner AS ({per_owner})"
        f" SELECT 0 AS is_total, {k1} AS k1, NULL AS k2, {fold} FROM per_owner l{join}"
        f" GROUP BY {k1}"
        f" UNION ALL SELECT 1, NULL, NULL, {fold} FROM per_owner l"
    )
    return sql, [*leads_params, *fold_params, *fold_params]


def _links_table(narrowing=("", [])):
    """Every opportunity a qualification fed: distinct (lead, opportunity) pairs, each with n,
    the opportunity's number of source leads (all of them, seen or not: the share of one lead
    does not depend on who looks). `narrowing`, an `IN (ids)` condition: only the pairs of
    those leads, and n only for their opportunities (a month's leads: not every link).

    The pairs are read in lead order from leads_qualification_links_idx (GROUP BY drops a
    lead qualified twice into the same opportunity), so PostgreSQL merge-joins them with the
    qualified leads (leads_lead_qualified_idx, also in id order) without hashing a quarter of
    a million leads. n is 1 but for the few opportunities fed by several leads, counted in
    one ordered pass over leads_qualification_opps_idx: a small table to look up, not a
    window over every link in opportunity order, which then had to be hashed again."""
    condition = "q.kind = %s AND q.opportunity_id IS NOT NULL"
    kind = Qualification.Kind.QUALIFIED
    narrow, narrow_params = _narrowed("q.lead_id", narrowing)
    pairs = (
        f"SELECT q.lead_id, q.opportunity_id FROM {_table(Qualification)} q"
        f" WHERE {condition}{narrow} GROUP BY q.lead_id, q.opportunity_id"
    )
    several_params = [kind]
    of_narrowed = ""
    if narrow:
        of_narrowed = (
            f" AND q.opportunity_id IN (SELECT q.opportunity_id FROM {_table(Qualification)} q"
            f" WHERE {condition}{narrow})"
        )
        several_params += [kind, *narrow_params]
    several = (
        "SELECT s.opportunity_id, COUNT(*) AS n FROM"
        f" (SELECT q.opportunity_id, q.lead_id FROM {_table(Qualification)} q"
        f" WHERE {condition}{of_narrowed}"
        " GROUP BY q.opportunity_id, q.lead_id) s GROUP BY s.opportunity_id HAVING COUNT(*) > 1"
    )
    # The few opportunities with several leads, computed once: as a plain derived table,
    # PostgreSQL may put it inside a nested loop and aggregate every link again per outer row
    # (57 times, 3.7 s, on a manager's home page at 1,000,000 leads).
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sql = (
        f"WITH several AS {materialized}({several})"
        " SELECT p.lead_id, p.opportunity_id, COALESCE(m.n, 1) AS n"
        f" FROM ({pairs}) p LEFT JOIN several m ON m.opportunity_id = p.opportunity_id"
    )
    return f"({sql})", [*several_params, kind, *narrow_params]


def _per_state_aggregates(*, x, o, single_lead=False):
    """Aggregates over link rows `x` (n: the opportunity's number of source leads) joined to
    opportunity rows `o`, for rows grouped by opportunity state (params: won, open);
    `single_lead`: the rows are all of opportunities with one source lead."""
    # An opportunity with one source lead (n = 1) is on one row of a group: count rows. Only
    # those fed by several leads need COUNT(DISTINCT), which sorts: once per group and state,
    # rather than once for all opportunities, once for the won and once for the lost.
    # amount / rate = base currency (Currency.exchange_rate: units per one base unit); "* 1.0"
    # keeps SQLite from dividing integers.
    share = f"({o}.{{field}} * 1.0) / {o}.exchange_rate / {x}.n"
    count = (
        "COUNT(*)"
        if single_lead
        else f"COUNT(*) FILTER (WHERE {x}.n = 1) + COUNT(DISTINCT {o}.id) FILTER (WHERE {x}.n > 1)"
    )
    return (
        f"{count} AS opportunities,"
        f" SUM({share.format(field='actual_value')}) FILTER (WHERE {o}.state = %s) AS won_value,"
        f" SUM({share.format(field='estimated_value')}) FILTER (WHERE {o}.state = %s)"
        " AS open_value"
    )


def opportunity_counts(*, user, criteria):
    """Per group and in total (is_total = 1): distinct opportunities produced from the leads,
    won, lost, and the won and open values in the base currency, each source lead getting an
    equal share.

    Only leads ever qualified can have fed an opportunity, and Lead.qualified_at says which
    (it outlives a reactivation): the join reads a quarter of the leads, from the partial
    index leads_lead_qualified_idx, not the whole table. The links are aggregated per group
    and opportunity state, then the states are folded into one row per group."""
    leads = scoped_leads(user=user, criteria=criteria).filter(qualified_at__isnull=False)
    leads_sql, leads_params = _compiled(leads, *_LEAD_FIELDS)
    narrowing = ("", [])
    if criteria.narrows():  # visibility alone keeps most links: not worth one more pass
        ids_sql, ids_params = _compiled(leads, "id")
        narrowing = (f" IN {ids_sql}", ids_params)
    links_sql, links_params = _links_table(narrowing)
    opportunities = visible_opportunities(user).order_by()
    opportunities = opportunities.annotate(exchange_rate=F("currency__exchange_rate"))
    opps_sql, opps_params = _compiled(
        opportunities, "id", "state", "estimated_value", "actual_value", "exchange_rate"
    )
    won, lost, open_ = Opportunity.State.WON, Opportunity.State.LOST, Opportunity.State.OPEN
    from_ = (
        f"{leads_sql} l JOIN {links_sql} x ON x.lead_id = l.id"
        f" JOIN {opps_sql} o ON o.id = x.opportunity_id"
    )
    from_params = [*leads_params, *links_params, *opps_params]
    if criteria.by == "team":
        per_state, params = _opportunities_by_team(from_, from_params, [won, open_])
    else:
        select = f"o.state AS state, {_per_state_aggregates(x='x', o='o')}"
        per_state, params = _with_totals(
            select, from_, criteria.by, [won, open_, *from_params], totals=True, also="o.state"
        )
    sql = (
        "SELECT t.is_total, t.k1, t.k2, SUM(t.opportunities) AS opportunities,"
        " SUM(CASE WHEN t.state = %s THEN t.opportunities ELSE 0 END) AS won,"
        " SUM(CASE WHEN t.state = %s THEN t.opportunities ELSE 0 END) AS lost,"
        " SUM(t.won_value) AS won_value, SUM(t.open_value) AS open_value"
        f" FROM ({per_state}) t GROUP BY t.is_total, t.k1, t.k2"
    )
    return _fetch(sql, [won, lost, *params])


def _opportunities_by_team(from_, from_params, select_params):
    """By team, the joined links are read once into a CTE (joining the links, leads and
    opportunities twice, as _with_totals does, took most of the time). An opportunity with
    one source lead counts in its owner's teams and once in the totals: those links are
    summed per owner and state first (a few hundred rows to map to teams). Only the links of
    opportunities with several source leads are mapped to teams one by one, to count each
    opportunity once per team (a user in two teams counts in both) and once in total."""
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    links = (
        f"links AS {materialized}(SELECT l.owner_user_id, l.owner_team_id, x.n, o.id, o.state,"
        f" o.actual_value, o.estimated_value, o.exchange_rate FROM {from_})"
    )
    # A CTE row is the lead's owner, the link and the opportunity at once: alias l for the
    # team join of _group_key, and both x and o for the aggregates.
    aggregates = _per_state_aggregates(x="l", o="l")
    # "n < 2", not "n = 1": PostgreSQL guesses that an equality on a CTE's column keeps a few
    # hundred rows (and sorts them to group them); a range, a third (hashed, far cheaper).
    per_owner = (
        "per_owner AS (SELECT l.owner_user_id, l.owner_team_id, l.state,"
        f" {_per_state_aggregates(x='l', o='l', single_lead=True)}"
        " FROM links l WHERE l.n < 2 GROUP BY l.owner_user_id, l.owner_team_id, l.state)"
    )
    sums = "SUM(l.opportunities), SUM(l.won_value), SUM(l.open_value)"
    join, k1, _k2 = _group_key("team")
    sql = (
        f"WITH {links}, {per_owner}"
        f" SELECT 0 AS is_total, {k1} AS k1, NULL AS k2, l.state AS state,"
        " SUM(l.opportunities) AS opportunities, SUM(l.won_value) AS won_value,"
        " SUM(l.open_value) AS open_value"
        f" FROM per_owner l{join} GROUP BY {k1}, l.state"
        f" UNION ALL SELECT 1, NULL, NULL, l.state, {sums} FROM per_owner l GROUP BY l.state"
        f" UNION ALL SELECT 0, {k1}, NULL, l.state, {aggregates}"
        f" FROM links l{join} WHERE l.n > 1 GROUP BY {k1}, l.state"
        f" UNION ALL SELECT 1, NULL, NULL, l.state, {aggregates}"
        " FROM links l WHERE l.n > 1 GROUP BY l.state"
    )
    return sql, [*from_params, *select_params, *select_params, *select_params]


def _funnel_leads_key(by):
    """The lead columns the funnel's per-lead steps are summed by before they are grouped
    `by` (the team join of _group_key needs both owner columns)."""
    return {"source": ["source_id"], "campaign": ["campaign_id"]}.get(
        by, ["owner_user_id", "owner_team_id"]
    )


def funnel_counts(*, user, criteria):
    """Per group and in total: leads created → contacted → qualified → opportunity → won.
    Each step counts leads that reached at least that step (ever qualified, not only leads
    qualified now), so the steps only narrow.

    Created, contacted and qualified are facts stored on the lead (first_contact_at,
    reached_contacted, qualified_at, status: all in leads_lead_report_idx), counted in one
    pass over the leads in scope. Opportunity and won need the qualifications and the
    opportunities the user sees. A user who sees every opportunity (an administrator) reads
    them off the lead as well (reached_opportunity, reached_won), the same single pass.
    Others join: only leads ever qualified have any (Lead.qualified_at, the partial index
    leads_lead_qualified_idx), a quarter of the leads. Both parts are summed per owner (or
    source) first, a few hundred rows, then grouped and totalled."""
    leads = scoped_leads(user=user, criteria=criteria)
    key = _funnel_leads_key(criteria.by)
    columns = ", ".join(f"l.{column}" for column in key)
    leads_sql, leads_params = _compiled(leads, *key, *_FUNNEL_FIELDS)
    qualified_leads_sql, qualified_leads_params = _compiled(
        leads.filter(qualified_at__isnull=False), "id", *key
    )
    opportunities = visible_opportunities(user).order_by()
    # Joining a quarter of a million qualified leads to their opportunities took most of an
    # administrator's funnel at a million leads: with no visibility filter, the stored facts.
    every_opportunity = not opportunities.query.has_filters()
    opps_sql, opps_params = _compiled(opportunities, "id", "state")
    statuses = [str(status) for status in STATUSES_BY_STATE[State.QUALIFIED]]
    # Ever qualified: qualified_at (set by every qualification, kept on reactivation), or a
    # lead imported as qualified (no qualification of its own), as the lead source report.
    qualified = (
        f"(l.qualified_at IS NOT NULL OR l.status IN ({', '.join(['%s'] * len(statuses))}))"
    )
    contacted = f"(l.first_contact_at IS NOT NULL OR l.reached_contacted OR {qualified})"
    per_lead = (
        f"SELECT {columns}, COUNT(*) AS created,"
        f" SUM(CASE WHEN {contacted} THEN 1 ELSE 0 END) AS contacted,"
        f" SUM(CASE WHEN {qualified} THEN 1 ELSE 0 END) AS qualified,"
        + (
            " SUM(CASE WHEN l.reached_opportunity THEN 1 ELSE 0 END) AS opportunity,"
            " SUM(CASE WHEN l.reached_won THEN 1 ELSE 0 END) AS won"
            if every_opportunity
            else " 0 AS opportunity, 0 AS won"
        )
        + f" FROM {leads_sql} l GROUP BY {columns}"
    )
    # Per qualified lead: whether one of its qualifications fed an opportunity the user
    # sees, and whether one of those was won.
    reached = (
        f"SELECT {columns}, MAX(CASE WHEN o.state = %s THEN 1 ELSE 0 END) AS won"
        f" FROM {qualified_leads_sql} l JOIN {_table(Qualification)} q ON q.lead_id = l.id"
        f" JOIN {opps_sql} o ON o.id = q.opportunity_id"
        f" WHERE q.kind = %s GROUP BY l.id, {columns}"
    )
    per_opportunity = (
        f"SELECT {columns}, 0, 0, 0, COUNT(*), SUM(l.won) FROM ({reached}) l GROUP BY {columns}"
    )
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    steps_params = [*statuses, *statuses, *leads_params]
    if every_opportunity:
        steps = f"WITH steps AS {materialized}({per_lead}) "
    else:
        steps = f"WITH steps AS {materialized}({per_lead} UNION ALL {per_opportunity}) "
        steps_params += [
            Opportunity.State.WON,
            *qualified_leads_params,
            *opps_params,
            Qualification.Kind.QUALIFIED,
        ]
    select = (
        "SUM(l.created) AS created, SUM(l.contacted) AS contacted,"
        " SUM(l.qualified) AS qualified, SUM(l.opportunity) AS opportunity, SUM(l.won) AS won"
    )
    sql, params = _with_totals(select, "steps l", criteria.by, [], totals=True)
    return _fetch(steps + sql, steps_params + params)


def scoped_stays(*, user, criteria):
    """The status-log entries of the leads a report counts (those of scoped_leads), found by
    the owner each entry carries (LeadStatusChange.owner_user / owner_team, kept equal to
    its lead's): visibility and the team and owner filters read the log alone. Only a filter
    on the lead's own columns (dates, source, campaign) asks the leads, `lead IN (...)`."""
    stays = (
        LeadStatusChange.objects.all()
        if user is None
        else LeadStatusChange.objects.visible_to(user)
    )
    stays = _owned_as_asked(stays, criteria)
    lead_columns = _lead_columns(criteria)
    if lead_columns:
        stays = stays.filter(lead__in=Lead.objects.filter(lead_columns).values("id"))
    return stays.order_by()


def _stays_sql(*, user, criteria, now):
    """Each stay of a lead in a status: (k1, k2, status, seconds) from the status log. A stay
    ends at its entry's left_at (written with the next entry), so each is one row, and the
    owner it is grouped by is on the row too: by owner or team, one index-only scan of
    leads_stays_owner_idx (and leads_stays_team_idx) with no join to the leads."""
    # The condition of the owner indexes, written the same so the planner can use them.
    stays = scoped_stays(user=user, criteria=criteria).filter(COUNTED_STAYS)
    columns = ["owner_user_id", "owner_team_id", "to_status", "changed_at", "stay_seconds"]
    if criteria.by in ("source", "campaign"):  # grouped by a lead column: join the leads
        stays = stays.annotate(**{f"{criteria.by}_id": F(f"lead__{criteria.by}")})
        columns.append(f"{criteria.by}_id")
    stays_sql, stays_params = _compiled(stays, *columns)
    # The stays' rows under the alias the lead reports group by (_group_key reads `l`).
    join, k1, k2 = _group_key(criteria.by)
    seconds = f"COALESCE(l.stay_seconds, {seconds_between('%s', 'l.changed_at')})"
    sql = (
        f"SELECT {k1} AS k1, {k2} AS k2, l.to_status AS status, {seconds} AS seconds"
        f" FROM {stays_sql} l{join}"
    )
    now = connection.ops.adapt_datetimefield_value(now)
    return sql, [now, *stays_params]


def time_in_status(*, user, criteria, now=None):
    """Per group and status: number of stays, average and median days. PostgreSQL takes the
    median in SQL; on SQLite the stays are aggregated here."""
    now = now or timezone.now()
    stays, params = _stays_sql(user=user, criteria=criteria, now=now)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT k1, k2, status, COUNT(*) AS stays, AVG(seconds) AS average,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median"
            f" FROM ({stays}) t GROUP BY k1, k2, status"
        )
        return _fetch(sql, params)
    return _aggregate_stays(_fetch(stays, params))


def _aggregate_stays(rows):
    import statistics

    groups = {}
    for row in rows:
        groups.setdefault((row["k1"], row["k2"], row["status"]), []).append(row["seconds"])
    return [
        {
            "k1": k1,
            "k2": k2,
            "status": status,
            "stays": len(values),
            "average": sum(values) / len(values),
            "median": statistics.median(values),
        }
        for (k1, k2, status), values in groups.items()
    ]
