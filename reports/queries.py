"""The aggregate SQL behind the reports: a few GROUP BY queries, never a query per lead.

Scope (visibility and filters) is built with the ORM, compiled and used as a derived table,
so `visible_to(user)` stays the one place that decides who sees what. The first contact and
the latest qualification time are stored on the lead (issue #8: a report at a million leads
is one pass over the leads); the joins to opportunities and the status log are written as
SQL because they join pre-aggregated derived tables, which the ORM cannot express without a
correlated subquery per lead (too slow at a million leads).
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from crm.models import Membership, Team, User
from leads.models import Campaign, Lead, LeadSource, LeadStatusChange, Qualification, State
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
    if criteria.start():
        leads = leads.filter(created_at__gte=criteria.start())
    if criteria.end():
        leads = leads.filter(created_at__lt=criteria.end())
    if criteria.team is not None:
        members = Membership.objects.filter(team=criteria.team, is_active=True).values("user_id")
        leads = leads.filter(Q(owner_team=criteria.team) | Q(owner_user_id__in=members))
    if criteria.owner is not None:
        leads = leads.owned_by(criteria.owner)
    if criteria.source is not None:
        leads = leads.filter(source=criteria.source)
    if criteria.campaign is not None:
        leads = leads.filter(campaign=criteria.campaign)
    return leads.order_by()


def visible_opportunities(user):
    return Opportunity.objects.all() if user is None else Opportunity.objects.visible_to(user)


# SQL building blocks -------------------------------------------------------------------------


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def seconds_between(later, earlier):
    """Portable `later - earlier` in seconds (a float)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def sum_of_seconds(later, earlier, condition=None):
    """Portable aggregate: the sum of `later - earlier` in seconds (over the rows matching
    `condition`; NULLs are skipped anyway). PostgreSQL sums intervals and converts once
    (EXTRACT per row is numeric arithmetic, a third of the lead report's time)."""
    where = f" FILTER (WHERE {condition})" if condition else ""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM SUM({later} - {earlier}){where})"
    return f"SUM({seconds_between(later, earlier)}){where}"


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


def _with_totals(select, from_, by, params, *, totals):
    """The grouped query, and when `totals`, the same aggregates over everything (is_total=1)
    in the same statement."""
    join, k1, k2 = _group_key(by)
    group_by = k1 if k2 == "NULL" else f"{k1}, {k2}"  # PostgreSQL refuses GROUP BY NULL
    grouped = (
        f"SELECT 0 AS is_total, {k1} AS k1, {k2} AS k2, {select}"
        f" FROM {from_}{join} GROUP BY {group_by}"
    )
    if not totals:
        return grouped, params
    if connection.vendor == "postgresql" and not join:
        # One pass computes the groups and the totals (SQLite has no GROUPING SETS).
        sql = (
            f"SELECT GROUPING({k1}) AS is_total, {k1} AS k1, {k2} AS k2, {select}"
            f" FROM {from_} GROUP BY GROUPING SETS (({group_by}), ())"
        )
        return sql, params
    total = f"SELECT 1, NULL, NULL, {select} FROM {from_}"  # no team join: each lead once
    return f"{grouped} UNION ALL {total}", params + params


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _scope(user, criteria):
    """(SQL of the scoped leads, params, narrowing): with filters, narrowing is an `IN (ids)`
    condition so the per-lead tables of the funnel and time in status only aggregate the
    leads in scope (a month, a team: a fraction of the work); else ("", [])."""
    leads = scoped_leads(user=user, criteria=criteria)
    sql, params = _compiled(leads, *_LEAD_FIELDS)
    if not criteria.narrows():
        # Visibility alone is not selective enough to pay for one more pass over the leads.
        return sql, params, ("", [])
    ids_sql, ids_params = _compiled(leads, "id")
    return sql, params, (f" IN {ids_sql}", ids_params)


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


# The queries ---------------------------------------------------------------------------------


def lead_counts(*, user, criteria, reasons):
    """One row per group (and a totals row when the grouping may count a lead twice): lead
    counts by state and disqualification reason, and the sums behind the two averages.

    One pass over the leads: the first contact and the latest qualification are stored on
    the lead (Lead.first_contact_at, Lead.qualified_at), so no per-lead table is joined."""
    leads_sql, leads_params = _compiled(scoped_leads(user=user, criteria=criteria), *_LEAD_FIELDS)
    # COUNT(*) FILTER (WHERE ...), not SUM(CASE ...): cheaper per row on PostgreSQL; SQLite
    # has it since 3.30. Every aggregate costs ~0.1 µs per lead, so open and disqualified are
    # derived from the others below (a status reason belongs to one state: a check constraint).
    reason_columns = "".join(
        f", COUNT(*) FILTER (WHERE l.status = %s) AS reason_{i}" for i in range(len(reasons))
    )
    # qualified_at outlives a reactivation: the average is over leads qualified now.
    qualified = "l.state = %s AND l.qualified_at IS NOT NULL"
    select = (
        "COUNT(*) AS leads,"
        " COUNT(*) FILTER (WHERE l.state = %s) AS qualified"
        f"{reason_columns},"
        f" {sum_of_seconds('l.qualified_at', 'l.created_at', qualified)} AS qualify_seconds,"
        f" COUNT(*) FILTER (WHERE {qualified}) AS qualify_count,"
        f" {sum_of_seconds('l.first_contact_at', 'l.created_at')} AS contact_seconds,"
        " COUNT(l.first_contact_at) AS contact_count"
    )
    params = [State.QUALIFIED, *reasons, State.QUALIFIED, State.QUALIFIED, *leads_params]
    if criteria.by == "team":
        sql, params = _lead_counts_by_team(select, leads_sql, params, reasons)
    else:
        sql, params = _with_totals(select, f"{leads_sql} l", criteria.by, params, totals=False)
    rows = _fetch(sql, params)
    for row in rows:
        row["disqualified"] = sum(row[f"reason_{i}"] or 0 for i in range(len(reasons)))
        row["open_leads"] = (row["leads"] or 0) - (row["qualified"] or 0) - row["disqualified"]
    return rows


def _lead_counts_by_team(select, leads_sql, params, reasons):
    """By team, the leads are counted per owner first (one pass, a few dozen rows), then the
    owners' rows are summed per team and in total: joining a million leads to the
    memberships, and a second pass for the totals, took longer than the counting itself."""
    columns = (
        "leads",
        "qualified",
        *(f"reason_{i}" for i in range(len(reasons))),
        "qualify_seconds",
        "qualify_count",
        "contact_seconds",
        "contact_count",
    )
    per_owner = (
        f"SELECT l.owner_user_id, l.owner_team_id, {select} FROM {leads_sql} l"
        " GROUP BY l.owner_user_id, l.owner_team_id"
    )
    sums = ", ".join(f"SUM(l.{column}) AS {column}" for column in columns)
    join, k1, _k2 = _group_key("team")
    sql = (
        f"WITH per_owner AS ({per_owner})"
        f" SELECT 0 AS is_total, {k1} AS k1, NULL AS k2, {sums} FROM per_owner l{join}"
        f" GROUP BY {k1}"
        f" UNION ALL SELECT 1, NULL, NULL, {sums} FROM per_owner l"
    )
    return sql, params


def _links_table():
    """Every opportunity a qualification fed: distinct (lead, opportunity) pairs, each with n,
    the opportunity's number of source leads (all of them, seen or not: the share of one lead
    does not depend on who looks). Pre-aggregated in one pass over
    leads_qualification_opps_idx: read in (opportunity, lead) order, GROUP BY drops a lead
    qualified twice into the same opportunity and the window counts without sorting."""
    pairs = (
        f"SELECT q.opportunity_id, q.lead_id FROM {_table(Qualification)} q"
        " WHERE q.kind = %s AND q.opportunity_id IS NOT NULL GROUP BY q.opportunity_id, q.lead_id"
    )
    sql = (
        "SELECT p.lead_id, p.opportunity_id, COUNT(*) OVER (PARTITION BY p.opportunity_id) AS n"
        f" FROM ({pairs}) p"
    )
    return f"({sql})", [Qualification.Kind.QUALIFIED]


def opportunity_counts(*, user, criteria):
    """Per group and in total: distinct opportunities produced from the leads, won, lost, and
    the won and open values in the base currency, each source lead getting an equal share.

    Only leads ever qualified can have fed an opportunity, and Lead.qualified_at says which
    (it outlives a reactivation): the join reads a quarter of the leads, from the partial
    index leads_lead_qualified_idx, not the whole table."""
    leads = scoped_leads(user=user, criteria=criteria).filter(qualified_at__isnull=False)
    leads_sql, leads_params = _compiled(leads, *_LEAD_FIELDS)
    links_sql, links_params = _links_table()
    opportunities = visible_opportunities(user).order_by()
    opportunities = opportunities.annotate(exchange_rate=F("currency__exchange_rate"))
    opps_sql, opps_params = _compiled(
        opportunities, "id", "state", "estimated_value", "actual_value", "exchange_rate"
    )
    won, lost, open_ = Opportunity.State.WON, Opportunity.State.LOST, Opportunity.State.OPEN
    # An opportunity with one source lead (n = 1) is on one row of a group: count rows. Only
    # those fed by several leads need COUNT(DISTINCT), which sorts (rare in real data).
    distinct = (
        "COUNT(*) FILTER (WHERE x.n = 1{and_}) + COUNT(DISTINCT o.id) FILTER (WHERE x.n > 1{and_})"
    )
    # amount / rate = base currency (Currency.exchange_rate: units per one base unit); "* 1.0"
    # keeps SQLite from dividing integers.
    share = "(o.{field} * 1.0) / o.exchange_rate / x.n"
    select = (
        f"{distinct.format(and_='')} AS opportunities,"
        f" {distinct.format(and_=' AND o.state = %s')} AS won,"
        f" {distinct.format(and_=' AND o.state = %s')} AS lost,"
        f" SUM(CASE WHEN o.state = %s THEN {share.format(field='actual_value')} END) AS won_value,"
        f" SUM(CASE WHEN o.state = %s THEN {share.format(field='estimated_value')} END)"
        " AS open_value"
    )
    from_ = (
        f"{leads_sql} l JOIN {links_sql} x ON x.lead_id = l.id"
        f" JOIN {opps_sql} o ON o.id = x.opportunity_id"
    )
    params = [won, won, lost, lost, won, open_, *leads_params, *links_params, *opps_params]
    sql, params = _with_totals(select, from_, criteria.by, params, totals=True)
    return _fetch(sql, params)


def funnel_counts(*, user, criteria):
    """Per group and in total: leads created → contacted → qualified → opportunity → won.
    Each step counts leads that reached at least that step (ever qualified, not only leads
    qualified now), so the steps only narrow."""
    leads_sql, leads_params, narrowing = _scope(user, criteria)
    narrow, narrow_params = _narrowed("q.lead_id", narrowing)
    opps_sql, opps_params = _compiled(visible_opportunities(user).order_by(), "id", "state")
    reached_sql = (
        "(SELECT q.lead_id, MAX(CASE WHEN o.id IS NOT NULL THEN 1 ELSE 0 END) AS opportunity,"
        " MAX(CASE WHEN o.state = %s THEN 1 ELSE 0 END) AS won"
        f" FROM {_table(Qualification)} q LEFT JOIN {opps_sql} o ON o.id = q.opportunity_id"
        f" WHERE q.kind = %s{narrow} GROUP BY q.lead_id)"
    )
    reached_params = [
        Opportunity.State.WON,
        *opps_params,
        Qualification.Kind.QUALIFIED,
        *narrow_params,
    ]
    logged_sql = (
        f"(SELECT DISTINCT s.lead_id FROM {_table(LeadStatusChange)} s WHERE s.to_status = %s)"
    )
    contacted = (
        "(l.first_contact_at IS NOT NULL OR g.lead_id IS NOT NULL OR r.lead_id IS NOT NULL)"
    )
    select = (
        "COUNT(*) AS created,"
        f" SUM(CASE WHEN {contacted} THEN 1 ELSE 0 END) AS contacted,"
        " SUM(CASE WHEN r.lead_id IS NOT NULL THEN 1 ELSE 0 END) AS qualified,"
        " SUM(COALESCE(r.opportunity, 0)) AS opportunity,"
        " SUM(COALESCE(r.won, 0)) AS won"
    )
    from_ = (
        f"{leads_sql} l LEFT JOIN {logged_sql} g ON g.lead_id = l.id"
        f" LEFT JOIN {reached_sql} r ON r.lead_id = l.id"
    )
    params = leads_params + ["contacted"] + reached_params
    sql, params = _with_totals(select, from_, criteria.by, params, totals=True)
    return _fetch(sql, params)


# Statuses in which a lead waits (the stay runs until now); a stay in a closed status only
# counts once the lead was reactivated (otherwise it would grow forever).
WAITING_STATUSES = ("new", "contacted")


def _stays_sql(*, user, criteria, now):
    """Each stay of a lead in a status: (k1, k2, status, seconds) from the status log."""
    leads_sql, leads_params, narrowing = _scope(user, criteria)
    narrow, narrow_params = _narrowed("s.lead_id", narrowing)
    join, k1, k2 = _group_key(criteria.by)
    log = (
        "(SELECT s.lead_id, s.to_status, s.changed_at, LEAD(s.changed_at) OVER"
        " (PARTITION BY s.lead_id ORDER BY s.changed_at, s.id) AS next_at"
        f" FROM {_table(LeadStatusChange)} s WHERE 1 = 1{narrow})"
    )
    seconds = seconds_between("COALESCE(c.next_at, %s)", "c.changed_at")
    sql = (
        f"SELECT {k1} AS k1, {k2} AS k2, c.to_status AS status, {seconds} AS seconds"
        f" FROM {log} c JOIN {leads_sql} l ON l.id = c.lead_id{join}"
        " WHERE c.next_at IS NOT NULL OR c.to_status IN (%s, %s)"
    )
    now = connection.ops.adapt_datetimefield_value(now)
    return sql, [now, *narrow_params, *leads_params, *WAITING_STATUSES]


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
