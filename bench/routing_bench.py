"""Routing throughput with 100 rules over 10 teams: leads/second in batch and one by one.

    .venv/bin/python bench/routing_bench.py                                     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_routingbench \\
        .venv/bin/python bench/routing_bench.py                                 # PostgreSQL

Runs in a throw-away test database (created and destroyed by Django's test machinery).
Measured, each through the real services with routing on and history, status log and
explanations written:
- batch: `create_leads(route=True)` in batches of 500 (an import's path);
- one by one: `create_lead(route=True)`, one transaction per lead (the form's path);
- routing only: the matcher and member choice for a batch, no insert (`Router(dry_run=True)`).
It also checks that the batch path's query count does not grow with the batch (no query per
rule per lead). Results go to bench/results/routing.json; a README table row is printed.
"""

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "routing.json"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

COUNTRIES = ["Denmark", "Sweden", "Germany", "France", "Norway", "Spain", "Italy", "Poland"]
CITIES = ["Copenhagen", "Aarhus", "Malmö", "Berlin", "Paris", "Oslo", "Madrid", "Rome"]
DISTRIBUTIONS = ["round_robin", "load_balanced", "team"]


def build_organisation(rng):
    from crm.models import Membership, Team, User
    from leads.routing.models import AssignmentCondition, AssignmentRule

    teams = [Team.objects.create(name=f"Bench team {t}") for t in range(10)]
    for t, team in enumerate(teams):
        for m in range(5):
            user = User.objects.create(username=f"bench{t}-{m}", email=f"b{t}{m}@example.com")
            Membership.objects.create(team=team, user=user)
    creator = User.objects.create(username="bench-creator", email="creator@example.com")
    conditions = []
    for r in range(100):
        team = teams[r % 10]
        rule = AssignmentRule.objects.create(
            name=f"Rule {r}",
            priority=r,
            target_team=team,
            distribution=DISTRIBUTIONS[r % 3],
            capacity=None if r % 4 else 10_000,
        )
        # Most rules need two conditions; a few match broadly so every lead finds one.
        conditions.append(
            AssignmentCondition(
                rule=rule, field="country", operator="equals", value=rng.choice(COUNTRIES)
            )
        )
        if r < 90:
            conditions.append(
                AssignmentCondition(
                    rule=rule,
                    field="number_of_employees",
                    operator="gte",
                    value=str(rng.randrange(10, 5000)),
                )
            )
            conditions.append(
                AssignmentCondition(
                    rule=rule, field="city", operator="in", value=", ".join(rng.sample(CITIES, 3))
                )
            )
    AssignmentCondition.objects.bulk_create(conditions)
    return creator


def new_leads(rng, n, start):
    from leads.models import Lead

    return [
        Lead(
            last_name=f"Person {start + i}",
            company_name=f"Company {start + i}",
            email=f"p{start + i}@bench.example",
            country=rng.choice(COUNTRIES),
            city=rng.choice(CITIES),
            number_of_employees=rng.randrange(1, 10_000),
        )
        for i in range(n)
    ]


def batch_queries(creator, rng, size, start):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.services import create_leads

    with CaptureQueriesContext(connection) as captured:
        create_leads(
            leads=new_leads(rng, size, start), created_by=creator, route=True, validate=False
        )
    return len(captured)


def run(batch_total, single_total):
    from django.db import connection

    from leads.routing.services import Router
    from leads.services import create_lead, create_leads

    rng = random.Random(11)
    creator = build_organisation(rng)
    counter = 0

    # Warm up (creates the distribution rows), then compare query counts of two sizes.
    batch_queries(creator, rng, 50, counter)
    counter += 50
    small = batch_queries(creator, rng, 10, counter)
    counter += 10
    large = batch_queries(creator, rng, 400, counter)
    counter += 400

    leads = new_leads(rng, batch_total, counter)
    counter += batch_total
    started = time.perf_counter()
    for i in range(0, batch_total, 500):
        create_leads(leads=leads[i : i + 500], created_by=creator, route=True, validate=False)
    batch_rate = batch_total / (time.perf_counter() - started)

    started = time.perf_counter()
    for lead in new_leads(rng, single_total, counter):
        create_lead(lead=lead, created_by=creator, route=True, validate=False)
    single_rate = single_total / (time.perf_counter() - started)
    counter += single_total

    leads = new_leads(rng, batch_total, counter)
    started = time.perf_counter()
    Router(dry_run=True).route(leads, fallbacks=[creator] * len(leads))
    routing_only_rate = batch_total / (time.perf_counter() - started)

    return {
        "database": connection.vendor,
        "rules": 100,
        "teams": 10,
        "members_per_team": 5,
        "batch_leads": batch_total,
        "batch_leads_per_second": round(batch_rate),
        "one_by_one_leads": single_total,
        "one_by_one_leads_per_second": round(single_rate, 1),
        "routing_only_leads_per_second": round(routing_only_rate),
        "queries_batch_of_10": small,
        "queries_batch_of_400": large,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}",
        # Figures from a busy machine are lower; the load says how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=5000, help="leads created in batches")
    parser.add_argument("--single", type=int, default=300, help="leads created one by one")
    args = parser.parse_args()

    import logging

    import django
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        result = run(args.batch, args.single)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    if result["queries_batch_of_10"] != result["queries_batch_of_400"]:
        print("error: the batch path's queries grow with the batch", file=sys.stderr)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    stored[result["database"]] = result
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(
        f"| routing, 100 rules / 10 teams ({result['database']}) | "
        f"batch {result['batch_leads_per_second']:,} leads/s · one by one "
        f"{result['one_by_one_leads_per_second']:,} leads/s · routing alone "
        f"{result['routing_only_leads_per_second']:,} leads/s · "
        f"{result['queries_batch_of_10']} queries per batch (10 or 400 leads) | "
        f"{result['machine']}, load {result['load_average_1m']} |"
    )


if __name__ == "__main__":
    main()
