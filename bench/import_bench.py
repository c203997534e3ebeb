"""End-to-end benchmark of `manage.py import_leads` on a generated file.

    .venv/bin/python bench/import_bench.py --rows 100000                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_importbench \\
        .venv/bin/python bench/import_bench.py --rows 100000                   # PostgreSQL

Each run starts from an empty database (a fresh SQLite file, or the PostgreSQL database dropped
and created again), migrated, with routing rules, users and teams in place, then imports the
file in a subprocess with routing, dedupe (skip, by e-mail / name + company) and history on.
Reported: rows/s (the command's own summary and wall time), the peak resident memory of
the import process (its `ru_maxrss` from os.wait4), and the time to show the lead list
filtered to the batch's leads (`batch_lead_list_ms`). Results are merged into
bench/results/import.json under "<database>-<rows>".
"""

import argparse
import csv
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results" / "import.json"

HEADER = [
    "First Name",
    "Last Name",
    "Company",
    "E-mail",
    "Phone",
    "Job Title",
    "City",
    "Country",
    "Lead Source",
    "Lead Status",
    "Annual Revenue",
    "Created",
]
FIRST = ["Anna", "Søren", "Émilie", "Jürgen", "Chloé", "Mads", "Zoë", "Björn", "Ana", "Li"]
LAST = ["Hansen", "Müller", "O'Brien", "García", "Nielsen", "Łukasz", "Smith", "Jensen"]
COUNTRIES = ["Denmark", "Sweden", "Germany", "France", "Norway", "Spain"]
SOURCES = ["Web", "Trade Show", "Partner", "Advertisement", "Seminar", "Other"]
STATUSES = ["open:new", "open:contacted", "New", "Contacted", ""]


def generate(path, rows, seed=7):
    """A deterministic file: 90% of rows with an e-mail, the rest matched by name + company."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = f"Company {n // 3} ApS"
            email = f"person{n}@company{n // 3}.example" if n % 10 else ""
            writer.writerow(
                [
                    first,
                    f"{last} {n}",
                    company,
                    email,
                    f"+45 {20000000 + n}",
                    "Buyer, purchasing",
                    "Copenhagen",
                    COUNTRIES[n % len(COUNTRIES)],
                    SOURCES[n % len(SOURCES)],
                    STATUSES[n % len(STATUSES)],
                    str(rng.randint(10, 5000) * 1000),
                    f"2024-{1 + n % 12:02d}-{1 + n % 28:02d} 10:00:00",
                ]
            )


SETUP = """
from crm.models import Membership, Team, User
from leads.routing.models import AssignmentCondition, AssignmentRule
op = User.objects.create_superuser("op", "op@example.com", "x")
north = Team.objects.create(name="North")
south = Team.objects.create(name="South")
for i in range(6):
    user = User.objects.create_user(f"rep{i}", f"rep{i}@example.com", "x")
    Membership.objects.create(user=user, team=north if i < 3 else south)
nordic = AssignmentRule.objects.create(name="Nordics", priority=10, target_team=north)
AssignmentCondition.objects.create(rule=nordic, field="country", operator="in",
                                   value="Denmark,Sweden,Norway")
south_rule = AssignmentRule.objects.create(name="South", priority=20, target_team=south)
AssignmentCondition.objects.create(rule=south_rule, field="country", operator="in",
                                   value="Germany,France,Spain")
"""

# After the import: the lead list filtered to the batch's leads (the import page links there),
# as the operator sees it; the median of five requests after a warm-up one.
LIST_PAGE = """
import statistics, time
from django.test import Client
from crm.models import User
from leads.imports.models import ImportBatch
client = Client(HTTP_HOST="localhost")
client.force_login(User.objects.get(username="op"))
url = f"/leads/?view=any&import={ImportBatch.objects.latest('pk').pk}"
seconds = []
for _ in range(6):
    started = time.perf_counter()
    response = client.get(url)
    seconds.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
print("LIST_MS", round(statistics.median(seconds[1:]) * 1000))
"""


def _run(args, env):
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def fresh_database(env):
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return "postgresql"
    return "sqlite"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary files")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    env = {
        **os.environ,
        # Production-like: DEBUG off (DEBUG keeps every query in memory).
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "localhost",
        "STATIC_MANIFEST": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "MEDIA_ROOT": str(workdir / "media"),
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "EMAIL_BACKEND": "locmem",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    database = fresh_database(env)
    _run([PYTHON, "manage.py", "migrate", "--skip-checks", "-v0"], env)
    _run([PYTHON, "manage.py", "shell", "-c", SETUP], env)

    path = workdir / "leads.csv"
    generate(path, args.rows)
    command = [PYTHON, "manage.py", "import_leads", str(path), "--user", "op", "-v0"]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    summary = re.search(
        r"created=(\d+) updated=(\d+) skipped=(\d+) rejected=(\d+) in ([\d.]+)s \(([\d,]+) rows/s",
        output,
    )
    if os.waitstatus_to_exitcode(status) != 0 or summary is None:
        print(output)
        sys.exit(f"the import failed (status {status})")
    peak_kib = usage.ru_maxrss  # kilobytes on Linux
    load_average = os.getloadavg()[0]  # before the list page's requests below
    listed = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", LIST_PAGE],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = {
        "database": database,
        "rows": args.rows,
        "created": int(summary[1]),
        "skipped": int(summary[3]),
        "rejected": int(summary[4]),
        "import_seconds": float(summary[5]),
        "rows_per_second": int(summary[6].replace(",", "")),
        "wall_seconds_with_startup": round(wall, 1),
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "batch_lead_list_ms": int(re.search(r"LIST_MS (\d+)", listed)[1]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        # The machine is shared: the 1-minute load average at the end of the run.
        "load_average": round(load_average, 1),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{database}-{args.rows}"] = result
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
