"""Lead source report at 1,000,000 leads on PostgreSQL: seconds per report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_reportbench \\
        .venv/bin/python bench/report_bench.py [--leads 1000000] [--keep]

Runs in a test database, <name>_bench for DATABASE_URL's <name> (Django's test machinery).
--keep leaves it for EXPLAIN and reuses it on the next run when it holds the data this
generator makes for the same --leads (a fingerprint in a table comment says so); else the
database is dropped and the data generated afresh.
The data is generated in SQL (INSERT ... SELECT generate_series), a few seconds per million
rows: 50 reps in 10 teams; leads over two years, 10 % without a source, 10 % in team queues,
40 % open, 25 % qualified, 35 % disqualified; one qualification per qualified lead, every
fifth opportunity fed by two leads (200,000 opportunities in two currencies, 60 % open,
25 % won, 15 % lost); a completed first call for 60 % of the leads. The leads'
first_contact_at and qualified_at (what the services store) match those rows. Every NOT NULL
column the generator does not set gets an empty value, so the script survives model changes.

Measured through reports.lead_sources.lead_source_report (the page's code): everything
(admin, all time, by source), a manager's view (visibility subqueries), one month, and by
team. The best of --repeat runs counts (a warm cache, as on a server). Results go to
bench/results/reports.json; a README table row is printed.
"""

import argparse
import datetime
import hashlib
import inspect
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "reports.json"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

START = "2025-01-01 00:00:00+00"


def _filled_insert(cursor, model, values):
    """INSERT INTO model's table (...) SELECT ... with `values` ({column: SQL over g}) and an
    empty value for every other NOT NULL column without a default."""
    table = model._meta.db_table
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    empty = {
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "numeric": "0",
        "jsonb": "'{}'::jsonb",
        "timestamp with time zone": f"'{START}'::timestamptz",
        "date": "'2025-01-01'::date",
    }
    columns = dict(values)
    for name, data_type in cursor.fetchall():
        if name not in columns and name != "id":
            columns[name] = empty.get(data_type, "''")
    names = ", ".join(f'"{name}"' for name in columns)
    return f'INSERT INTO "{table}" ({names}) SELECT {", ".join(columns.values())}'


def generate(n_leads):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from accounts.models import Account
    from activities.models import Activity
    from crm.models import Membership, Team, User
    from leads.models import Lead, LeadSource, Qualification
    from opportunities.models import Currency, Opportunity

    teams = [Team.objects.create(name=f"Bench team {t}") for t in range(10)]
    users = []
    for t, team in enumerate(teams):
        for m in range(5):
            user = User.objects.create(username=f"rep{t}-{m}", email=f"rep{t}{m}@example.com")
            Membership.objects.create(team=team, user=user)
            users.append(user)
    manager = User.objects.create(username="manager", email="manager@example.com")
    Membership.objects.create(team=teams[0], user=manager, role=Membership.Role.MANAGER)
    sources = list(LeadSource.objects.values_list("pk", flat=True))
    usd = Currency.objects.create(code="USD", name="US Dollar", symbol="$", exchange_rate="1.25")
    base = Currency.objects.base()
    n_opps = n_leads // 5
    lead_ct = ContentType.objects.get_for_model(Lead).pk
    u0, t0, s = users[0].pk, teams[0].pk, sources
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Leads: g = 1..n; created every ~63 s over two years; state by g % 20.
        cursor.execute(
            _filled_insert(
                cursor,
                Lead,
                {
                    "id": "g",
                    "last_name": "'Lead ' || g",
                    "company_name": "'Company ' || (g % 50000)",
                    "created_at": f"'{START}'::timestamptz + g * interval '63 seconds'",
                    "modified_at": f"'{START}'::timestamptz + g * interval '63 seconds'",
                    "version": "1",
                    "source_id": f"CASE WHEN g % 10 = 0 THEN NULL ELSE {s[0]} + (g * 7) % {len(s)}"
                    " END",
                    "owner_user_id": f"CASE WHEN g % 10 = 3 THEN NULL ELSE {u0} + g % 50 END",
                    "owner_team_id": f"CASE WHEN g % 10 = 3 THEN {t0} + g % 10 END",
                    "state": "CASE WHEN g % 20 < 8 THEN 'open' WHEN g % 20 < 13 THEN 'qualified'"
                    " ELSE 'disqualified' END",
                    "status": "CASE WHEN g % 20 < 4 THEN 'new' WHEN g % 20 < 8 THEN 'contacted'"
                    " WHEN g % 20 < 13 THEN 'qualified' WHEN g % 20 < 16 THEN 'lost'"
                    " WHEN g % 20 < 18 THEN 'cannot_contact' WHEN g % 20 < 19"
                    " THEN 'no_longer_interested' ELSE 'canceled' END",
                    # The facts the services store (same formulas as the rows inserted below).
                    "qualified_at": "CASE WHEN g % 20 >= 8 AND g % 20 < 13 THEN"
                    f" '{START}'::timestamptz + g * interval '63 seconds'"
                    " + (g % 240) * interval '1 hour' END",
                    "first_contact_at": f"CASE WHEN g % 5 < 3 THEN '{START}'::timestamptz"
                    " + g * interval '63 seconds' + (1 + g % 72) * interval '1 hour' END",
                },
            )
            + f" FROM generate_series(1, {int(n_leads)}) g"
        )
        cursor.execute(
            _filled_insert(
                cursor,
                Account,
                {
                    "id": "g",
                    "name": "'Account ' || g",
                    "created_at": f"'{START}'::timestamptz",
                    "modified_at": f"'{START}'::timestamptz",
                    "version": "1",
                    "owner_user_id": f"{u0} + g % 50",
                },
            )  # fmt: skip
            + " FROM generate_series(1, 1000) g"
        )
        cursor.execute(
            _filled_insert(
                cursor,
                Opportunity,
                {
                    "id": "g",
                    "topic": "'Deal ' || g",
                    "account_id": "1 + g % 1000",
                    "currency_id": f"CASE WHEN g % 4 = 0 THEN {usd.pk} ELSE {base.pk} END",
                    "estimated_value": "(1000 + g % 9000)::numeric",
                    "actual_value": "CASE WHEN g % 20 >= 12 AND g % 20 < 17"
                    " THEN (900 + g % 9000)::numeric WHEN g % 20 >= 17 THEN 0 END",
                    "state": "CASE WHEN g % 20 < 12 THEN 0 WHEN g % 20 < 17 THEN 1 ELSE 2 END",
                    "status": "CASE WHEN g % 20 < 12 THEN 1 WHEN g % 20 < 17 THEN 3 ELSE 4 END",
                    "created_at": f"'{START}'::timestamptz",
                    "modified_at": f"'{START}'::timestamptz",
                    "version": "1",
                    "owner_user_id": f"{u0} + g % 50",
                },
            )
            + f" FROM generate_series(1, {int(n_opps)}) g"
        )
        # Qualified leads (the 250k with g % 20 in 8..12), numbered 1..; opportunity k feeds
        # qualified lead k, and every fifth opportunity also the lead numbered n_opps + k / 5.
        cursor.execute(
            _filled_insert(
                cursor,
                Qualification,
                {
                    "lead_id": "q.id",
                    "kind": "'qualified'",
                    "performed_at": "q.created_at + (q.id % 240) * interval '1 hour'",
                    "options": "'{}'::jsonb",
                    "created_opportunity": "true",
                    "opportunity_id": f"CASE WHEN q.k <= {n_opps} THEN q.k"
                    f" ELSE ((q.k - {n_opps}) * 5 - 1) % {n_opps} + 1 END",
                },
            )
            + " FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS k"
            f" FROM \"{Lead._meta.db_table}\" WHERE state = 'qualified') q"
        )
        # First contact: a completed call for 60 % of the leads, 1 to 72 hours after creation.
        cursor.execute(
            _filled_insert(
                cursor,
                Activity,
                {
                    "kind": "'phone_call'",
                    "subject": "'Call'",
                    "state": "'completed'",
                    "direction": "'outgoing'",
                    "priority": "1",
                    "content_type_id": str(lead_ct),
                    "object_id": "l.id",
                    "created_at": "l.created_at + (1 + l.id % 72) * interval '1 hour'",
                    "modified_at": "l.created_at + (1 + l.id % 72) * interval '1 hour'",
                    "closed_at": "l.created_at + (1 + l.id % 72) * interval '1 hour'",
                    "version": "1",
                    "owner_user_id": f"{u0} + l.id % 50",
                },
            )
            + f' FROM "{Lead._meta.db_table}" l WHERE l.id % 5 < 3'
        )
        # As autovacuum would have done on a live table: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")
    return {"manager": manager, "teams": teams, "generate_seconds": time.perf_counter() - started}


def fingerprint(n_leads):
    """What the generated data depends on: the generator's code and the number of leads."""
    code = inspect.getsource(_filled_insert) + inspect.getsource(generate)
    return f"report_bench {n_leads} {hashlib.sha256(code.encode()).hexdigest()[:16]}"


def reusable(n_leads):
    """The data of a kept database when it is what `generate(n_leads)` makes, else None."""
    from django.db import connection

    from crm.models import Team, User

    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('leads_lead'::regclass, 'pg_class')")
        if cursor.fetchone()[0] != fingerprint(n_leads):
            return None
        # New indexes (a migration since the last run) need statistics as a live database has.
        cursor.execute("ANALYZE")
    teams = list(Team.objects.filter(name__startswith="Bench team ").order_by("pk"))
    return {"manager": User.objects.get(username="manager"), "teams": teams,
            "generate_seconds": None}  # fmt: skip


def _has_leads():
    from leads.models import Lead

    return Lead.objects.exists()


def measure(label, function, repeat):
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = function()
        timings.append(time.perf_counter() - started)
    # Other work on the machine skews the figure: the 1-minute load right after measuring.
    load = round(os.getloadavg()[0], 2)
    print(
        f"{label}: best {min(timings):.3f} s, median {statistics.median(timings):.3f} s"
        f" (load {load})"
    )
    return {"best_seconds": round(min(timings), 3), "median_seconds": round(
        statistics.median(timings), 3), "load_average_1m": load, "rows": len(report.rows),
        "leads": report.totals.leads}  # fmt: skip


def run(n_leads, repeat):
    from django.db import connection

    from reports.lead_sources import lead_source_report
    from reports.queries import Criteria

    data = reusable(n_leads)
    if data is None:
        data = generate(n_leads)
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON TABLE leads_lead IS '{fingerprint(n_leads)}'")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM leads_lead")
        assert cursor.fetchone()[0] == n_leads
        cursor.execute("SELECT COUNT(*) FROM leads_qualification")
        qualifications = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM activities_activity")
        activities = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    month = Criteria(
        created_from=datetime.date(2025, 6, 1),
        created_to=datetime.date(2025, 6, 30),
        time_zone=datetime.UTC,
    )
    manager = data["manager"]
    results = {
        "all_time_everything": measure(
            "by source, everything, all time",
            lambda: lead_source_report(user=None, criteria=Criteria()),
            repeat,
        ),
        "all_time_manager": measure(
            "by source, a manager (one team of ten), all time",
            lambda: lead_source_report(user=manager, criteria=Criteria()),
            repeat,
        ),
        "one_month_everything": measure(
            "by source, everything, June 2025",
            lambda: lead_source_report(user=None, criteria=month),
            repeat,
        ),
        "all_time_by_team": measure(
            "by team, everything, all time",
            lambda: lead_source_report(user=None, criteria=Criteria(by="team")),
            repeat,
        ),
    }
    return {
        "database": f"postgresql {server}",
        "leads": n_leads,
        "qualifications": qualifications,
        "opportunities": n_leads // 5,
        "first_contacts": activities,
        # None when a kept database was reused.
        "generate_seconds": data["generate_seconds"] and round(data["generate_seconds"], 1),
        "repeat": repeat,
        "reports": results,
        "date": datetime.date.today().isoformat(),
        # Other work on the machine skews the figure: the 1-minute load after measuring.
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the test database (and reuse it when it holds the same data)",
    )
    args = parser.parse_args()

    import django
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    django.setup()
    if connection.vendor != "postgresql":
        sys.exit("error: this benchmark needs PostgreSQL (set DATABASE_URL=postgres://...)")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = test.get("NAME") or f"{old_name}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep)
    if args.keep and reusable(args.leads) is None and _has_leads():
        # Kept data from another generator or size: start from an empty database.
        connection.creation.destroy_test_db(old_name, verbosity=0)
        connection.settings_dict["NAME"] = old_name
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        result = run(args.leads, args.repeat)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[f"postgresql-{args.leads}"] = result
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    everything = result["reports"]["all_time_everything"]
    manager = result["reports"]["all_time_manager"]
    print(
        f"| lead source report, {args.leads:,} leads ({result['database']}) | "
        f"{everything['best_seconds']:.2f} s everything · {manager['best_seconds']:.2f} s "
        f"a manager's view · {result['reports']['one_month_everything']['best_seconds']:.2f} s "
        f"one month | {result['machine']} |"
    )


if __name__ == "__main__":
    main()
