"""The global search (issue 18), and with --boards the boards (issue 19), timed through
Django's test client at a generated size.

    .venv/bin/python bench/search_bench.py [--leads 200000] [--runs 10] [--plans NAME]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_pages \\
        .venv/bin/python bench/search_bench.py --leads 1000000

The same database, generator and personas as bench/pages_bench.py (its docstring says how the
database is chosen and filled; data it generated is reused). Each query is typed into the
type-ahead (`/search/suggest/`) and opened on the results page (`/search/`) as a rep (bigrep),
a manager (bigmanager) and an administrator, --runs times, each run right after a request of
the light page (the API's lead sources), so the ratio to it survives a loaded machine. The
queries: a common surname, a company without its legal suffix, a phone number typed another
way than it is stored, an e-mail domain, two name parts with accents left out, and a typo
(no exact match: on PostgreSQL the close-match queries run too). --plans NAME (PostgreSQL):
EXPLAIN (ANALYZE, BUFFERS) of every query the pages run, in bench/results/plans/NAME/.
Results: bench/results/search.json (keyed by database and size); a markdown table is printed.
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pages_bench  # noqa: E402 (the path above first)

RESULTS = ROOT / "bench" / "results" / "search.json"


def queries(personas):
    """(label, typed text): the ways people remember a record, from the rep's own data."""
    from crm.lib import search
    from leads.models import Lead

    rep = personas.users["rep"]
    lead = (
        Lead.objects.owned_by(rep)
        .exclude(business_phone="")
        .exclude(email="")
        .order_by("-created_at", "-pk")
        .first()
    )
    digits = search.digits(lead.business_phone)[-8:]
    spaced = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return [
        ("a common surname (hansen)", "hansen"),
        ("a company without its suffix (nordlys)", "nordlys"),
        (f"a phone typed another way (0045 {spaced})", f"0045 {spaced}"),
        (f"an e-mail domain ({lead.email.partition('@')[2]})", lead.email.partition("@")[2]),
        ("two name parts without accents (soren odegard)", "soren odegard"),
        ("a typo, no exact match (lindqvust)", "lindqvust"),
    ]


BOARDS = False  # --boards: the boards of issue 19 too


def board_pages(personas):
    """The lead board (the rep's 100,000 open leads: two columns of 50,000; the manager's team;
    every open lead for the admin), the same narrowed to the rep's newest ~10,000 leads (two
    columns of about 5,000, so each column's value is summed), and the opportunity board."""
    from leads.models import Lead

    rep = personas.users["rep"]
    mine = Lead.objects.open().owned_by(rep).order_by("-created_at", "-pk")
    cut = mine.values_list("created_at", flat=True)[10_000 - 1 : 10_000].first()
    since = f"&created_after={cut.date().isoformat()}" if cut else ""
    return [
        ("lead board (rep: 50,000 a column)", "rep", "/leads/board/"),
        ("lead board (manager: the team's)", "manager", "/leads/board/?view=team"),
        ("lead board (admin: every open lead)", "admin", "/leads/board/?view=all"),
        ("lead board, about 5,000 a column (rep)", "rep", f"/leads/board/?view=mine{since}"),
        ("opportunity board (rep)", "rep", "/opportunities/board/"),
        ("opportunity board (admin)", "admin", "/opportunities/board/"),
    ]


def pages(personas):
    rows = []
    for label, text in queries(personas):
        for persona in personas.users:
            rows.append((f"type-ahead: {label}", persona, f"/search/suggest/?q={text}"))
            rows.append((f"results page: {label}", persona, f"/search/?q={text}"))
    return rows + (board_pages(personas) if BOARDS else [])


def measure(personas, runs):
    from urllib.parse import quote, urlsplit

    results = []
    for row, persona, target in pages(personas):
        path, _sep, text = target.partition("?q=")
        url = f"{path}?q={quote(text)}" if _sep else target
        client = personas.clients[persona]
        light, times = [], []
        for _ in range(runs + 1):  # the first run warms caches; not counted
            light.append(pages_bench.timed(client, "get", pages_bench.LIGHT))
            times.append(pages_bench.timed(client, "get", url))
        queries_run = pages_bench.count_queries(client, "get", url)
        light, times = light[1:], times[1:]
        entry = {
            "page": row, "persona": persona, "url": urlsplit(url).geturl(),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(pages_bench.percentile(times, 0.95), 1),
            "light_median_ms": round(statistics.median(light), 1),
            "ratio": round(statistics.median(times) / statistics.median(light), 1),
            "queries": queries_run,
        }  # fmt: skip
        print(f"  {row} as {persona}: {entry['median_ms']} ms (p95 {entry['p95_ms']}),"
              f" light {entry['light_median_ms']} ms, {queries_run} queries")  # fmt: skip
        results.append(entry)
    return results


def save_plans(personas, directory):
    """EXPLAIN (ANALYZE, BUFFERS) of each SELECT the search pages run (PostgreSQL)."""
    from urllib.parse import quote

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    directory.mkdir(parents=True, exist_ok=True)
    for row, persona, target in pages(personas):
        path, _sep, text = target.partition("?q=")
        url = f"{path}?q={quote(text)}" if _sep else target
        with CaptureQueriesContext(connection) as captured:
            personas.clients[persona].get(url)
        statements = [query["sql"] for query in captured.captured_queries]
        lines = [f"-- {row}, as {persona}: GET {url}", ""]
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql:
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines += [sql, *(line for (line,) in cursor.fetchall()), ""]
                transaction.set_rollback(True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{row} {persona}".lower()).strip("-")[:90]
        (directory / f"{slug}.txt").write_text("\n".join(lines))
    print(f"  plans written to {directory.relative_to(ROOT)}/")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=None,
                        help="default: 1,000,000 on PostgreSQL, 200,000 on SQLite")  # fmt: skip
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--plans", metavar="NAME", help="PostgreSQL: write the queries' plans")
    parser.add_argument("--boards", action="store_true", help="time the boards too")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database as it is: no migrate, no fingerprint check, never regenerate",
    )
    args = parser.parse_args()
    global BOARDS
    BOARDS = args.boards
    for name, value in pages_bench.ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    url = pages_bench.database_url()
    os.environ["DATABASE_URL"] = url
    if url.startswith("postgres"):
        pages_bench.ensure_postgres_database(url)
    n_leads = args.leads or (1_000_000 if url.startswith("postgres") else 200_000)

    import django
    from django.db import connection

    django.setup()
    if not args.reuse:
        pages_bench.prepare(n_leads, regenerate=args.regenerate)
        _ensure_indexes()
    personas = pages_bench.Personas()
    print(f"== global search at {n_leads:,} leads ({connection.vendor}), {args.runs} runs each")
    measured = measure(personas, args.runs)
    if args.plans and connection.vendor == "postgresql":
        save_plans(personas, ROOT / "bench" / "results" / "plans" / args.plans)
    rows = {}
    with connection.cursor() as cursor:
        for table_name in ("leads_lead", "accounts_account", "accounts_contact",
                           "opportunities_opportunity"):  # fmt: skip
            cursor.execute(f"SELECT COUNT(*) FROM {table_name}")
            rows[table_name] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"postgresql {cursor.fetchone()[0]}"
        else:
            database = f"sqlite {connection.Database.sqlite_version}"
    result = {
        "database": database, "rows": rows, "runs": args.runs, "pages": measured,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs,"
                   f" Python {platform.python_version()}",
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[f"{connection.vendor}-{n_leads}"] = result
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
    print(pages_bench.table(result).replace("| page |", "| search |", 1))
    print(f"{database}, {rows}, load {result['load_average']}, {result['date']}")


def _ensure_indexes():
    """Data generated before the accounts', contacts' and opportunities' search indexes
    existed gets their search text once (the generator makes it now)."""
    from django.apps import apps

    from crm.search_index import INDEXES

    for label, index in INDEXES.items():
        model = apps.get_model(label)
        if label != "leads.Lead" and model.objects.filter(search_text="").exists():
            print(f"  filling the search index of {label}")
            index.rebuild(model, batch_size=10000)


if __name__ == "__main__":
    main()
