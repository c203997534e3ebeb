"""The plans of the account, contact and opportunity lists' queries (count, page ids, page
rows), sorted by each offered column, on the data bench/generate.py makes for 100,000 leads
(an account, a contact and an opportunity per qualified lead: 25,000 of each), on
PostgreSQL: none may read a customer table by a sequential scan (issue 14: every offered sort
has an index), or run a subquery per row. Skipped on SQLite.

The queries are captured from the pages through the test client and explained as the lead
list's are (reports/tests/test_query_plans.py, whose data and helpers this module shares)."""

import re

import pytest

from crm.lib.pagination import list_count_cap
from reports.tests.test_query_plans import _captured, _explain, generated  # noqa: F401

pytestmark = pytest.mark.postgres

CUSTOMER_TABLES = {"accounts_account", "accounts_contact", "opportunities_opportunity"}
MOST_LOOPS_OF_A_SUBPLAN = 100

SORTS = {
    "/accounts/": ["", "name", "-name", "city", "-city", "created", "-created"],
    "/accounts/contacts/": ["", "name", "-name", "created", "-created"],
    "/opportunities/": ["", "topic", "-topic", "close", "-close", "value", "-value", "created"],
}
QUERIES = {
    f"{path} ordering={sort or '(default)'}, as {persona}": (persona, f"{path}?ordering={sort}")
    for path, sorts in SORTS.items()
    for sort in sorts
    for persona in ("rep", "manager", "admin")
}
# Deep pages: OFFSET reads index entries only; and the last page reads the order reversed.
QUERIES |= {
    f"/accounts/ page {page}, as admin": ("admin", f"/accounts/?per_page=100&page={page}")
    for page in ("50", "last")
}


def _watched(sql):
    tables = set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))
    return sql.lstrip().upper().startswith(("SELECT", "WITH")) and bool(tables & CUSTOMER_TABLES)


def _problems(plan, *, capped_count=False):
    """What the plan does that the test forbids. In the capped count (LIMIT cap + 1) a Seq
    Scan that stops early is allowed while it reads at most twice the cap's rows: when nearly
    every row matches (the admin's active accounts) it is the cheapest way to count to the
    cap, and its cost does not grow with the table."""
    found = []
    if plan["Node Type"] == "Seq Scan" and plan.get("Relation Name") in CUSTOMER_TABLES:
        read = plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        if not capped_count or read > 2 * (list_count_cap() + 1):
            found.append(f"Seq Scan on {plan['Relation Name']} ({read:,} rows read)")
    if plan.get("Parent Relationship") == "SubPlan":
        runs = plan.get("Actual Loops", 0)
        if runs > MOST_LOOPS_OF_A_SUBPLAN:
            found.append(f"{plan.get('Subplan Name', 'SubPlan')} ran {runs:,} times (per row)")
    for child in plan.get("Plans", []):
        found += _problems(child, capped_count=capped_count)
    return found


@pytest.mark.parametrize("name", QUERIES)
def test_the_customer_list_reads_indexes(generated, db, name):  # noqa: F811
    persona, url = QUERIES[name]
    statements = _captured(persona, url)
    checked, found = 0, []
    for index, sql in enumerate(statements):
        if "set_config(" in sql or not _watched(sql):
            continue
        checked += 1
        capped_count = f"LIMIT {list_count_cap() + 1}" in sql and "COUNT(" in sql.upper()
        plan = _explain(statements, index)
        found += [(problem, sql[:300]) for problem in _problems(plan, capped_count=capped_count)]
    # A page that ran no query of its table (a renamed URL) would pass silently.
    assert checked >= 2, f"{name}: {checked} queries of the customer tables"
    assert found == []
