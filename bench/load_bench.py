"""A load test (issue 26): locust, headless on loopback, 50 simulated reps mixing the lead list,
filters, search, lead pages, and through the API creating a lead, logging a call on it and
qualifying it (bench/locustfile.py), against two gunicorn servers (2 workers each) sharing one
database, for two minutes.

    .venv/bin/pip install -r bench/requirements-load.txt
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_load \\
        .venv/bin/python bench/load_bench.py [--leads 1000000] [--users 50] [--seconds 120]

The database is prepared as bench/pages_bench.py does (migrated, generated once for --leads).
Results: bench/results/load.json (requests/s, median and 95th percentile per request kind,
failures) and a markdown table."""

import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages_bench import ENVIRONMENT, database_url, ensure_postgres_database, prepare  # noqa: E402


def _start_servers(url, count=2):
    env = {**os.environ, "DATABASE_URL": url, "CACHE_URL": "locmem://"}
    servers = []
    for index in range(count):
        port = 8771 + index
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "crm.wsgi", "-w", "2", "-b",
             f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        servers.append((f"http://127.0.0.1:{port}", process))
    for base, _process in servers:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=5).read()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.3)
        for _ in range(4):
            urllib.request.urlopen(f"{base}/login/", timeout=30).read()
    return servers


def _tokens(count):
    from api.services import create_token
    from crm.models import User

    reps = list(
        User.objects.filter(username__startswith="rep", is_active=True).order_by("pk")[:count]
    )
    return ",".join(f"{rep.username}:{rep.pk}:{create_token(user=rep).key}" for rep in reps)


def _read_stats(path):
    rows = {}
    with open(path, newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_second": round(float(row["Requests/s"]), 1),
                "median_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
            }
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    url = database_url()
    os.environ["DATABASE_URL"] = url
    if url.startswith("postgres"):
        ensure_postgres_database(url)

    import django

    django.setup()
    from django.db import connection

    prepare(args.leads, regenerate=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM leads_lead")
        leads = cursor.fetchone()[0]
    tokens = _tokens(args.users)
    connection.close()
    servers = _start_servers(url)
    prefix = Path(tempfile.mkdtemp()) / "load"
    try:
        env = {
            **os.environ,
            "LOAD_SERVERS": ",".join(base for base, _process in servers),
            "LOAD_TOKENS": tokens,
        }
        started = time.monotonic()
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "-u", str(args.users), "-r", "10", "-t", f"{args.seconds}s",
             "--csv", str(prefix), "--only-summary", "--stop-timeout", "10"],
            cwd=ROOT, env=env, timeout=args.seconds + 120,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        for _base, process in servers:
            process.terminate()
        for _base, process in servers:
            process.wait(timeout=20)
    stats = _read_stats(f"{prefix}_stats.csv")
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "database": connection.vendor,
        "leads": leads,
        "users": args.users,
        "seconds": round(elapsed),
        "servers": "2 gunicorn instances, 2 workers each",
        "stats": stats,
    }
    # The 50 users in load.json; other sizes (to see where saturation starts) beside it.
    name = "load.json" if args.users == 50 else f"load-{args.users}-users.json"
    out = ROOT / "bench" / "results" / name
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| request | requests | failures | requests/s | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for name, row in stats.items():
        print(f"| {name} | {row['requests']} | {row['failures']} | {row['requests_per_second']} |"
              f" {row['median_ms']:.0f} | {row['p95_ms']:.0f} |")  # fmt: skip
    print(f"written to {out}")


if __name__ == "__main__":
    main()
