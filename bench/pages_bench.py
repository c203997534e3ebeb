"""The pages of issue 14's table, timed through Django's test client at a generated size.

    .venv/bin/python bench/pages_bench.py [--leads 200000] [--runs 10] [--gunicorn]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_pages \\
        .venv/bin/python bench/pages_bench.py --leads 1000000

The database: BENCH_DATABASE_URL, else DATABASE_URL, else bench/results/tmp/pages.sqlite3 (never
the project's db.sqlite3); a PostgreSQL database is created when missing. It is migrated, and
filled by bench/generate.py unless it already holds what the generator makes for --leads (a
fingerprint in the table bench_meta); other data is flushed first.

Each page is requested as a rep (bigrep, 100,000 open leads at 1M), a manager (bigmanager,
that rep's team) and an administrator, --runs times, each run right after a request of a light
page (the API's lead sources), so the ratio to it survives a loaded machine. Median and 95th
percentile in ms, the ratio, the query count of one more request. Also the query counts of the
list and the API list at 1 row and at 50 rows (they should be equal). --gunicorn: requests/s of
the list and a lead's page through gunicorn (2 workers, loopback), 4 client threads, 20 s each.
--plans NAME (PostgreSQL): EXPLAIN (ANALYZE, BUFFERS) of the pages' lead and status-log queries
in bench/results/plans/NAME/.
Results: bench/results/pages.json (keyed by database and size); a markdown table is printed.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "pages.json"
LIGHT = "/api/v1/lead-sources/"

ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "crm.settings",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "0",
    "STATIC_MANIFEST": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    "LOG_LEVEL": "WARNING",
}


def database_url():
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    path = ROOT / "bench" / "results" / "tmp" / "pages.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def ensure_postgres_database(url):
    """CREATE DATABASE when the URL's database does not exist yet."""
    import dj_database_url
    import psycopg

    settings = dj_database_url.parse(url)
    admin = psycopg.connect(
        dbname="postgres", user=settings["USER"], host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip
    with admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if found.fetchone() is None:
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def fingerprint(n_leads):
    code = (ROOT / "bench" / "generate.py").read_bytes()
    return f"{n_leads} {hashlib.sha256(code).hexdigest()[:16]}"


def prepare(n_leads, *, regenerate):
    """Migrate, and generate unless the database holds this generator's data for n_leads."""
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (name varchar(50), value text)")
        cursor.execute("SELECT value FROM bench_meta WHERE name = 'fingerprint'")
        row = cursor.fetchone()
    if row and row[0] == fingerprint(n_leads) and not regenerate:
        print(f"reusing the generated data ({row[0]})")
        find_duplicates()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # a migration since may have added indexes
        return None
    print("flushing the database, then generating")
    call_command("flush", interactive=False, verbosity=0)
    generated = generate(n_leads)
    find_duplicates()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_meta")
        cursor.execute("INSERT INTO bench_meta VALUES ('fingerprint', %s)", [fingerprint(n_leads)])
    return generated


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(client, method, url, data=None):
    started = time.perf_counter()
    response = getattr(client, method)(url, data or {})
    elapsed = (time.perf_counter() - started) * 1000
    # A GET shows its page; the qualify POST redirects to the qualified lead.
    if response.status_code != {"get": 200, "post": 302}[method]:
        raise RuntimeError(f"{method.upper()} {url}: {response.status_code}")
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return elapsed


def count_queries(client, method, url, data=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        getattr(client, method)(url, data or {})
    return len(captured.captured_queries)


class Personas:
    def __init__(self):
        from django.test import Client

        from crm.models import User

        self.users = {
            "rep": User.objects.get(username="bigrep"),
            "manager": User.objects.get(username="bigmanager"),
            "admin": User.objects.get(username="benchadmin"),
        }
        self.clients = {}
        for name, user in self.users.items():
            self.clients[name] = Client()
            self.clients[name].force_login(user)


def find_duplicates():
    """The batch duplicate finder over the leads (issue 22), as its periodic task runs it: a
    full scan the first time, then the leads changed since. Its time is printed."""
    from crm import duplicate_finder

    started = time.perf_counter()
    counts = duplicate_finder.refresh("leads.lead")
    print(
        f"possible duplicates of leads: {counts['scanned']:,} scanned, {counts['added']:,} "
        f"pairs added in {time.perf_counter() - started:.1f} s"
    )


def _pages(personas):
    """(row of the table, persona, method, url or a callable giving (url, data) per run)."""
    from leads.models import Lead

    pages = []
    for name, user in personas.users.items():
        visible = Lead.objects.visible_to(user)
        newest = visible.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
        deepest = max(1, visible.count() // 25)
        deep = {"rep": 2_000, "manager": 2_000, "admin": 40_000}[name]
        pages += [
            ("lead list", name, "get", "/leads/"),
            ("list sorted by company", name, "get", "/leads/?sort=company_name"),
            ("list sorted by name", name, "get", "/leads/?sort=last_name"),
            ("list, a deep page", name, "get", f"/leads/?page={min(deep, deepest)}"),
            ("list with no rows", name, "get", f"/leads/?owner=user:{personas.users['admin'].pk}"),
            ("lead detail", name, "get", f"/leads/{newest}/"),
            ("search in the list (q=hansen)", name, "get", "/leads/?q=hansen"),
            ("search in the API (q=hansen)", name, "get", "/api/v1/leads/?q=hansen"),
            ("qualify (account + contact + opportunity)", name, "post", _qualify(user)),
            ("funnel", name, "get", "/reports/funnel/"),
            ("time in status", name, "get", "/reports/time-in-status/"),
            ("home dashboard", name, "get", "/"),
            ("API lead list", name, "get", "/api/v1/leads/"),
            (
                "lead board",
                name,
                "get",
                "/leads/board/?view=team" if name != "rep" else "/leads/board/",
            ),
            ("opportunity board", name, "get", "/opportunities/board/"),
            ("possible duplicates of leads", name, "get", "/leads/duplicates/"),
        ]
    return pages


def _qualify(user):
    """Each call: the qualify POST of another open lead the user may edit (the personas'
    leads overlap: one qualified by an earlier persona is skipped). `.verify()` checks that
    the last one was qualified (a refused POST redirects too)."""
    from leads import qualification
    from leads.models import Lead

    pool = list(
        Lead.objects.editable_by(user)
        .filter(state="open", owner_user__isnull=False)
        .exclude(company_name="")
        .order_by("-pk")
        .values_list("pk", flat=True)[:300]
    )
    last = []

    def next_post():
        lead = Lead.objects.get(pk=pool.pop(0))
        while lead.state != "open":
            lead = Lead.objects.get(pk=pool.pop(0))
        last[:] = [lead.pk]
        data = {
            **qualification.defaults_for(lead),
            "create_account": "on", "create_contact": "on", "create_opportunity": "on",
            "source_campaign": lead.campaign_id or "", "expected_version": lead.version,
            "confirm": "1",
        }  # fmt: skip
        data = {k: v for k, v in data.items() if v not in (False, None)}
        return f"/leads/{lead.pk}/qualify/", data

    def verify():
        if not Lead.objects.filter(pk__in=last, state="qualified").exists():
            raise RuntimeError(f"the qualify POST of lead {last} did not qualify it")

    next_post.verify = verify
    return next_post


def measure(personas, runs):
    results = []
    for row, persona, method, target in _pages(personas):
        client = personas.clients[persona]
        light, times = [], []
        for _ in range(runs + 1):  # the first run warms caches; not counted
            url, data = target() if callable(target) else (target, None)
            light.append(timed(client, "get", LIGHT))
            times.append(timed(client, method, url, data))
            if callable(target):
                target.verify()
        url, data = target() if callable(target) else (target, None)
        queries = count_queries(client, method, url, data)
        if callable(target):
            target.verify()
        light, times = light[1:], times[1:]
        entry = {
            "page": row, "persona": persona, "url": url,
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "light_median_ms": round(statistics.median(light), 1),
            "ratio": round(statistics.median(times) / statistics.median(light), 1),
            "queries": queries,
        }  # fmt: skip
        print(f"  {row} as {persona}: {entry['median_ms']} ms (p95 {entry['p95_ms']}),"
              f" light {entry['light_median_ms']} ms, {queries} queries")  # fmt: skip
        results.append(entry)
    return results


def query_counts_by_rows(personas):
    """Queries of the list and the API list at 1 row and at 50 rows, as the rep: the list
    filtered to a teammate's leads of the day they created fewest (one, as a rule), and to all
    of that teammate's leads, 50 a page."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from leads.models import Lead

    client = personas.clients["rep"]
    rep = personas.users["rep"]
    teammates = rep.memberships.get().team.memberships.exclude(user=rep).values("user")
    owners = Lead.objects.filter(owner_user__in=teammates).values_list("owner_user", flat=True)
    teammate = owners.order_by("owner_user").first()
    fewest = (
        Lead.objects.filter(owner_user=teammate)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("n", "day")
        .first()
    )
    day, owner = fewest["day"].isoformat(), f"owner=user:{teammate}"
    return {
        "list_1_row": count_queries(
            client, "get", f"/leads/?{owner}&created_after={day}&created_before={day}"
        ),
        "list_1_row_rows": fewest["n"],
        "list_50_rows": count_queries(client, "get", f"/leads/?{owner}&per_page=50"),
        "api_1_row": count_queries(client, "get", "/api/v1/leads/?page_size=1"),
        "api_50_rows": count_queries(client, "get", "/api/v1/leads/?page_size=50"),
    }


def gunicorn_rates(personas, url, seconds=20, threads=4):
    """Requests/s of the list and the rep's newest lead through gunicorn, 2 workers."""
    from leads.models import Lead

    port = 8765
    env = {**os.environ, "DATABASE_URL": url}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "crm.wsgi", "-w", "2", "-b",
         f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        client = personas.clients["rep"]
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        newest = Lead.objects.visible_to(personas.users["rep"]).order_by("-pk").first().pk
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{LIGHT}", timeout=2)
            except urllib.error.HTTPError:
                break  # it answers (401 without the session cookie)
            except OSError:
                time.sleep(0.2)
            else:
                break
        rates = {}
        for name, path in (("list", "/leads/"), ("detail", f"/leads/{newest}/")):
            done, stop = [], time.monotonic() + seconds

            def work(path=path, done=done, stop=stop):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie}
                )
                while time.monotonic() < stop:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        response.read()
                        done.append(response.status)

            workers = [threading.Thread(target=work) for _ in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            rates[name] = round(len(done) / seconds, 1)
            print(f"  gunicorn {name}: {rates[name]} requests/s")
        return rates
    finally:
        server.terminate()
        server.wait(timeout=30)


def _watched(sql):
    tables = set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql))
    return sql.lstrip().upper().startswith(("SELECT", "WITH")) and bool(
        tables & {"leads_lead", "leads_leadstatuschange"}
    )


def save_plans(personas, directory):
    """EXPLAIN (ANALYZE, BUFFERS) of each query of the lead table or the status log that the
    GET pages run (PostgreSQL), after the settings the page set for it: one file per page."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    directory.mkdir(parents=True, exist_ok=True)
    for row, persona, method, target in _pages(personas):
        if method != "get":
            continue
        with CaptureQueriesContext(connection) as captured:
            personas.clients[persona].get(target)
        statements = [query["sql"] for query in captured.captured_queries]
        lines = [f"-- {row}, as {persona}: GET {target}", ""]
        for index, sql in enumerate(statements):
            if "set_config(" in sql or not _watched(sql):
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                for earlier in statements[:index]:
                    if "set_config(" in earlier:
                        cursor.execute(earlier)
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines += [sql, *(line for (line,) in cursor.fetchall()), ""]
                transaction.set_rollback(True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{row} {persona}".lower()).strip("-")
        (directory / f"{slug}.txt").write_text("\n".join(lines))
    print(f"  plans written to {directory.relative_to(ROOT)}/")


def table(result):
    lines = ["| page | rep | manager | admin | queries |", "|---|---|---|---|---|"]
    rows = {}
    for entry in result["pages"]:
        rows.setdefault(entry["page"], {})[entry["persona"]] = entry
    for page, personas in rows.items():
        cells = [
            f"{e['median_ms']:,.0f} ms (×{e['ratio']})" if (e := personas.get(p)) else "–"
            for p in ("rep", "manager", "admin")
        ]
        queries = " / ".join(str(e["queries"]) for e in personas.values())
        lines.append(f"| {page} | {' | '.join(cells)} | {queries} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=None,
                        help="default: 1,000,000 on PostgreSQL, 200,000 on SQLite")  # fmt: skip
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--gunicorn", action="store_true")
    parser.add_argument(
        "--plans",
        metavar="NAME",
        help="PostgreSQL: also write the pages' plans to bench/results/plans/NAME/",
    )
    args = parser.parse_args()
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    url = database_url()
    os.environ["DATABASE_URL"] = url
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    n_leads = args.leads or (1_000_000 if url.startswith("postgres") else 200_000)

    import django
    from django.db import connection

    django.setup()
    generated = prepare(n_leads, regenerate=args.regenerate)
    personas = Personas()
    print(f"== pages at {n_leads:,} leads ({connection.vendor}), {args.runs} runs each")
    pages = measure(personas, args.runs)
    counts = query_counts_by_rows(personas)
    if args.plans and connection.vendor == "postgresql":
        save_plans(personas, ROOT / "bench" / "results" / "plans" / args.plans)
    print(f"  query counts at 1 / 50 rows: list {counts['list_1_row']} / {counts['list_50_rows']},"
          f" API {counts['api_1_row']} / {counts['api_50_rows']}")  # fmt: skip
    rows = {}
    with connection.cursor() as cursor:
        for table_name in ("leads_lead", "leads_leadstatuschange", "activities_activity",
                           "accounts_account", "opportunities_opportunity"):  # fmt: skip
            cursor.execute(f"SELECT COUNT(*) FROM {table_name}")
            rows[table_name] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"postgresql {cursor.fetchone()[0]}"
        else:
            database = f"sqlite {connection.Database.sqlite_version}"
    result = {
        "database": database, "rows": rows, "runs": args.runs, "pages": pages,
        "query_counts_by_rows": counts,
        "gunicorn_requests_per_second": gunicorn_rates(personas, url) if args.gunicorn else None,
        "generated": generated,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs,"
                   f" Python {platform.python_version()}",
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[f"{connection.vendor}-{n_leads}"] = result
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
    print(table(result))
    print(
        f"{database}, {rows['leads_lead']:,} leads,"
        f" load {result['load_average']}, {result['date']}"
    )


if __name__ == "__main__":
    main()
