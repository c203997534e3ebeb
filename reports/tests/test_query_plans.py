"""The plans of the pages' list, count, search and report queries at 100,000 generated leads
(bench/generate.py) on PostgreSQL, with the planner's default settings: none may read the
lead table or the status log by a sequential scan, or run a subquery per row. A regression is
caught here without timing anything. Skipped on SQLite.

Each named query is the SQL a page runs, captured through the test client (so the test follows
the views, whatever builds their querysets), then explained with EXPLAIN (ANALYZE, FORMAT
JSON) after the settings the page set for it (reports.queries.aggregate_settings)."""

import datetime
import json
import re
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.postgres

LEADS = 100_000
WATCHED_TABLES = {"leads_lead", "leads_leadstatuschange"}
# A subquery may run once per row shown (a page holds at most 100 rows), never per lead.
MOST_LOOPS_OF_A_SUBPLAN = 100

# name: (persona, URL, which of its queries: "count", "rows" (the others) or "all").
QUERIES = {
    "lead list, page rows, as a rep": ("rep", "/leads/", "rows"),
    # Their own open leads are none (an empty list reads no rows): their team's, everyone's.
    "lead list, page rows, as a manager": ("manager", "/leads/?view=team", "rows"),
    "lead list, page rows, as the admin": ("admin", "/leads/?view=all", "rows"),
    "lead list, count, as the admin": ("admin", "/leads/", "count"),
    "lead list sorted by company, as a manager": (
        "manager",
        "/leads/?view=team&sort=company_name",
        "all",
    ),
    "lead list sorted by company, as the admin": (
        "admin",
        "/leads/?view=all&sort=company_name",
        "all",
    ),
    "lead list sorted by name, as a manager": (
        "manager",
        "/leads/?view=team&sort=last_name",
        "all",
    ),
    "lead list search (q=hansen), as a rep": ("rep", "/leads/?q=hansen", "all"),
    "lead list search (q=hansen), as the admin": ("admin", "/leads/?q=hansen", "all"),
    "lead list search (q=hansen), as a manager": ("manager", "/leads/?q=hansen", "all"),
    "lead list search (q=hansen sorted by company), as the admin": (
        "admin",
        "/leads/?q=hansen&sort=company_name",
        "all",
    ),
    "API lead search (q=hansen), as a rep": ("rep", "/api/v1/leads/?q=hansen", "all"),
    "API lead search (q=hansen), as a manager": ("manager", "/api/v1/leads/?q=hansen", "all"),
    "API lead search (q=hansen), as the admin": ("admin", "/api/v1/leads/?q=hansen", "all"),
    # A less common term (one company word of 30): the trigram index or an index walk.
    "lead list search (q=kobber), as the admin": ("admin", "/leads/?q=kobber", "all"),
    "API lead list, page rows, as a rep": ("rep", "/api/v1/leads/", "rows"),
    "API lead list, page rows, as a manager": ("manager", "/api/v1/leads/", "rows"),
    "API lead list, as the admin": ("admin", "/api/v1/leads/", "all"),
    "funnel, as a rep": ("rep", "/reports/funnel/", "all"),
    "funnel, as a manager": ("manager", "/reports/funnel/", "all"),
    # Every lead: an index-only scan of leads_lead_report_idx (Lead.reached_contacted).
    "funnel, as the admin": ("admin", "/reports/funnel/", "all"),
    "funnel by team, as the admin": ("admin", "/reports/funnel/?by=team", "all"),
    # The home page's month chart: the links of this month's leads, not of every lead.
    "lead sources of this month, as the admin": (
        "admin",
        f"/reports/lead-sources/?created_from={datetime.date.today().replace(day=1)}",
        "all",
    ),
    "home tiles, as a rep": ("rep", "/", "all"),
    "home tiles, as a manager": ("manager", "/", "all"),
    "home tiles, as the admin": ("admin", "/", "all"),
    # Time in status: the stays by the owner each carries, from leads_stays_owner_idx and
    # leads_stays_team_idx alone (no lead is read); a month, by the leads created in it.
    "time in status, as a rep": ("rep", "/reports/time-in-status/", "all"),
    "time in status, as a manager": ("manager", "/reports/time-in-status/", "all"),
    "time in status, as the admin": ("admin", "/reports/time-in-status/", "all"),
    "time in status by team, as the admin": ("admin", "/reports/time-in-status/?by=team", "all"),
    "time in status of this month's leads, as a manager": (
        "manager",
        f"/reports/time-in-status/?created_from={datetime.date.today().replace(day=1)}",
        "all",
    ),
    # The boards (issue 19): each column's cards by the list's index, its capped count.
    "lead board, as a rep": ("rep", "/leads/board/", "all"),
    "lead board, as a manager": ("manager", "/leads/board/?view=team", "all"),
    "lead board, as the admin": ("admin", "/leads/board/?view=all", "all"),
}
# The capped counts (LIMIT 10,001) of a rep's or a manager's leads, a quarter of the table
# here: each branch of the visibility filter counted by its owner index (count_up_to); one
# count of the whole OR was an early-stopping Seq Scan of leads_lead.
QUERIES.update(
    {
        "lead list, count, as a rep": ("rep", "/leads/", "count"),
        "lead list, count, as a manager": ("manager", "/leads/", "count"),
        "API lead list, count, as a rep": ("rep", "/api/v1/leads/", "count"),
    }
)
USERNAMES = {"rep": "bigrep", "manager": "bigmanager", "admin": "benchadmin"}


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """100,000 leads and all that hangs off them, committed once for the module (and ANALYZEd
    by the generator, as autovacuum would have), flushed at the end."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import generate

    with django_db_blocker.unblock():
        generate(LEADS, out=lambda line: None)
        with connection.cursor() as cursor:
            # Statistics from every row (a sample of 300,000 covers these tables), not from
            # the default sample of 30,000: the plans are then the same on every run.
            cursor.execute("SET default_statistics_target = 1000")
            cursor.execute("ANALYZE")
            cursor.execute("RESET default_statistics_target")
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _watched(sql):
    tables = set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))
    return sql.lstrip().upper().startswith(("SELECT", "WITH")) and bool(tables & WATCHED_TABLES)


def _captured(persona, url):
    """The SQL one request of the page ran, in order."""
    from crm.models import User

    client = Client()
    client.force_login(User.objects.get(username=USERNAMES[persona]))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def _problems(plan, loops=1):
    """What the plan does that the test forbids, one line each."""
    found = []
    relation = plan.get("Relation Name")
    if plan["Node Type"] == "Seq Scan" and relation in WATCHED_TABLES:
        found.append(f"Seq Scan on {relation}")
    if plan.get("Parent Relationship") == "SubPlan":
        runs = plan.get("Actual Loops", 0)
        if runs > MOST_LOOPS_OF_A_SUBPLAN:
            found.append(f"{plan.get('Subplan Name', 'SubPlan')} ran {runs:,} times (per row)")
    for child in plan.get("Plans", []):
        found += _problems(child)
    return found


def _explain(statements, index):
    """EXPLAIN ANALYZE of statements[index] after the set_config calls before it (the
    settings the page ran it with), in a transaction rolled back at once."""
    with transaction.atomic(), connection.cursor() as cursor:
        for earlier in statements[:index]:
            if "set_config(" in earlier:
                cursor.execute(earlier)
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statements[index]}")
        (document,) = cursor.fetchone()
        transaction.set_rollback(True)
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def plan_problems(name, spec):
    """(how many queries were explained, [(name, problem, SQL)]) of a named query."""
    persona, url, which = spec
    statements = _captured(persona, url)
    checked, found = 0, []
    for index, sql in enumerate(statements):
        if "set_config(" in sql or not _watched(sql):
            continue
        is_count = "COUNT(" in sql.upper()
        if which == "count" and not is_count or which == "rows" and is_count:
            continue
        checked += 1
        for problem in _problems(_explain(statements, index)):
            found.append((name, problem, sql[:300]))
    return checked, found


@pytest.mark.parametrize("name", QUERIES)
def test_the_plan_reads_indexes_and_runs_no_subquery_per_row(generated, db, name):
    checked, problems = plan_problems(name, QUERIES[name])
    # A spec matching no query (a renamed URL, a count that moved) would pass silently.
    assert checked, f"{name}: the page ran no query of the lead table or the status log"
    assert problems == []


# The global search (issue 18): its type-ahead and results page read each kind's search index
# (the trigram GIN index here), never the whole lead, account, contact or opportunity table.
SEARCH_TABLES = WATCHED_TABLES | {
    "accounts_account",
    "accounts_contact",
    "opportunities_opportunity",
}
SEARCH_QUERIES = {
    f"global search {page} (q={text}), as {persona}": (persona, f"{url}?q={text}", "all")
    for page, url in (("type-ahead", "/search/suggest/"), ("results", "/search/"))
    for text in ("hansen", "nordlys", "kobber", "odegard")
    for persona in ("rep", "manager", "admin")
}
# A typo: nothing matches exactly, so the close-match (word similarity) queries run too.
SEARCH_QUERIES["global search results (q=lindqvust), as the admin"] = (
    "admin",
    "/search/?q=lindqvust",
    "all",
)


# A count capped by LIMIT (1,001) of a term in one lead of twenty ("hansen", as the admin, with
# no owner filter): the planner rightly reads the table until it has the 1,001 rows, about
# 20,000 of 100,000, rather than every match from the index. A scan that stops early, having
# read under a quarter of the table, is allowed; one that reads the table through is not.
EARLY_STOP_SHARE = 0.25


def _whole_table_scans(plan, table_rows):
    found = []
    if plan["Node Type"] == "Seq Scan" and plan.get("Relation Name") in SEARCH_TABLES:
        read = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        if read >= EARLY_STOP_SHARE * table_rows[plan["Relation Name"]]:
            found.append(f"Seq Scan on {plan['Relation Name']} read {read:,} rows")
    elif (
        plan.get("Parent Relationship") == "SubPlan"
        and plan.get("Actual Loops", 0) > MOST_LOOPS_OF_A_SUBPLAN
    ):
        found.append(f"{plan.get('Subplan Name', 'SubPlan')} ran per row")
    for child in plan.get("Plans", []):
        found += _whole_table_scans(child, table_rows)
    return found


@pytest.mark.parametrize("name", SEARCH_QUERIES)
def test_the_global_search_reads_its_indexes(generated, db, name, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "WATCHED_TABLES", SEARCH_TABLES)
    table_rows = {}
    with connection.cursor() as cursor:
        for table in SEARCH_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            table_rows[table] = cursor.fetchone()[0]
    persona, url, _which = SEARCH_QUERIES[name]
    statements = _captured(persona, url)
    checked, problems = 0, []
    for index, sql in enumerate(statements):
        if "set_config(" in sql or not _watched(sql):
            continue
        checked += 1
        problems += [
            (p, sql[:300]) for p in _whole_table_scans(_explain(statements, index), table_rows)
        ]
    assert checked, f"{name}: the page ran no query of a searched table"
    assert problems == []


def test_the_generated_leads_store_the_funnel_facts_their_qualifications_say(generated, db):
    """bench/generate.py writes Lead.reached_opportunity and reached_won in SQL, as
    qualify_lead and the opportunity receivers would: the benchmark's funnel counts them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE l.reached_opportunity <> (x.lead_id IS NOT NULL)"
            " OR l.reached_won <> COALESCE(x.won, FALSE)), COUNT(x.won) FROM leads_lead l"
            " LEFT JOIN (SELECT q.lead_id, bool_or(o.state = 1) AS won"
            " FROM leads_qualification q JOIN opportunities_opportunity o"
            " ON o.id = q.opportunity_id WHERE q.kind = 'qualified' GROUP BY q.lead_id) x"
            " ON x.lead_id = l.id"
        )
        wrong, fed = cursor.fetchone()
    assert (wrong, fed > 0) == (0, True)


def test_the_plans_are_read_with_100000_shares_and_the_rep_has_some(generated, db):
    """Sharing joins the one visibility query (issue 21): the plans above are read with the
    share table full and with records shared with the rep persona, so their lead queries
    carry the shared ids."""
    from crm.models import Share, User, scope_of

    assert Share.objects.active().count() >= 100_000
    rep = User.objects.get(username=USERNAMES["rep"])
    assert sum(len(records) for records in scope_of(rep).shared.values()) >= 40


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_who_a_user_is_and_a_records_shares_read_the_share_indexes(
    generated, db, persona, monkeypatch
):
    """A lead's page asks the share table twice: who the user is (scope_of: their own shares
    and their teams', one UNION ALL) and the lead's shares (its "Shared with" panel and its
    timeline). Each reads crm_share's indexes; ORed or unindexed, each was a scan of the
    100,000 shares (8 ms a query at a million leads)."""
    from leads.models import Lead

    monkeypatch.setattr(sys.modules[__name__], "WATCHED_TABLES", {"crm_share"})
    lead = Lead.objects.filter(owner_user__username=USERNAMES["rep"]).order_by("-pk").first()
    statements = _captured(persona, f"/leads/{lead.pk}/")
    checked, problems = 0, []
    for index, sql in enumerate(statements):
        if '"crm_share"' not in sql or not sql.lstrip("( ").upper().startswith("SELECT"):
            continue
        checked += 1
        problems += [(p, sql[:300]) for p in _problems(_explain(statements, index))]
    assert checked >= 3, "the scope, the Shared with panel and the timeline"
    assert problems == []


# The Possible duplicates pages (issue 22), once the batch finder has stored the generated
# data's pairs: the page reads the pairs' leads by key, never the whole lead table, and runs
# no subquery per pair, as a rep, a manager and the administrator. (The 2,000 pairs here are a
# small table the planner rightly reads whole for the capped count.)
DUPLICATE_TABLES = WATCHED_TABLES
DUPLICATE_QUERIES = {
    f"possible duplicates of leads, as {persona}": (persona, "/leads/duplicates/", "all")
    for persona in ("rep", "manager", "admin")
}


@pytest.fixture(scope="module")
def duplicates_found(generated, django_db_blocker):
    from crm import duplicate_finder

    with django_db_blocker.unblock():
        # The generated people are all different: one open lead in twenty is given the e-mail
        # of the open lead before it (a person entered twice, as an import does).
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH open_leads AS (SELECT id, email, email_key, "
                "lag(email) OVER (ORDER BY id) AS prev_email, "
                "lag(email_key) OVER (ORDER BY id) AS prev_key, "
                "row_number() OVER (ORDER BY id) AS n FROM leads_lead "
                "WHERE state = 'open' AND email_key <> '') "
                "UPDATE leads_lead SET email = o.prev_email, email_key = o.prev_key "
                "FROM open_leads o WHERE leads_lead.id = o.id AND o.n % 20 = 0"
            )
        counts = duplicate_finder.refresh("leads.lead", full=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE crm_possibleduplicate")
    return counts


@pytest.mark.parametrize("name", DUPLICATE_QUERIES)
def test_the_duplicates_page_reads_its_indexes(duplicates_found, db, name, monkeypatch):
    assert duplicates_found["added"] > 1_000
    monkeypatch.setattr(sys.modules[__name__], "WATCHED_TABLES", DUPLICATE_TABLES)
    checked, problems = plan_problems(name, DUPLICATE_QUERIES[name])
    assert checked, f"{name}: the page ran no query of the pairs or the leads"
    assert problems == []
