"""Lead scoring at a generated size: learning the model and re-scoring every open lead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_scoring \\
        .venv/bin/python bench/scoring_bench.py [--leads 1000000] [--warm] [--profile]

The database (PostgreSQL only; created when missing) is migrated and filled as
bench/pages_bench.py does (`pages_bench.prepare`: bench/generate.py, reused when it already
holds that generator's data for --leads, so the pages bench can share it). Then:
- three scoring rules are stored with `bulk_create` (no post_save, so no re-score task per
  rule): two field rules (country equals Denmark, at least 250 employees) and an activity
  rule (at least one phone call in the last 30 days); the tasks backend is Django's dummy
  one, so a task enqueued during setup is recorded, never run;
- earlier scores are cleared (every open lead unscored, no LeadScore rows), so each run
  writes every open lead's score as the first run after a rule change does;
- timed: `scoring.services.train()` (closed leads learned from, held out, AUC) and
  `scoring.services.score_all()` (open leads, seconds, leads/second), each with its SQL
  statements counted (a counting execute wrapper, not the SQL text), per chunk for
  score_all; the statements of one `_score_rows` chunk are listed
  (CaptureQueriesContext); peak memory: the process's ru_maxrss and the peak resident size
  of each step (VmHWM, reset before it, so the generator's peak does not hide it);
- --warm: score_all once more with nothing changed (the nightly re-score's usual case);
- --profile: train() and score_all() (scores cleared again) under cProfile, the top
  functions printed.
Results: bench/results/scoring.json (keyed by database and size); markdown rows printed.
"""

import argparse
import cProfile
import datetime
import gc
import io
import json
import math
import os
import platform
import pstats
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import pages_bench  # noqa: E402 (the path above first)

RESULTS = ROOT / "bench" / "results" / "scoring.json"
# Enqueued tasks are kept, never run: no re-score fires during setup.
TASKS_BACKEND = "django.tasks.backends.dummy.DummyBackend"


def _status_kb(name):
    found = re.search(rf"^{name}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(found.group(1)) if found else None


def _reset_peak():
    """Start a new peak resident size (VmHWM) from the current size (Linux 4.0+)."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Statements:
    """Counts the SQL statements run on the connection, by their first word."""

    def __init__(self):
        self.by_kind = {}

    def __call__(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
        return execute(sql, params, many, context)

    @property
    def total(self):
        return sum(self.by_kind.values())


def measured(function):
    """(result, seconds, statements, peak MB) of function() on the default connection."""
    from django.db import connection

    counter = Statements()
    reset = _reset_peak()
    rss_before = _status_kb("VmRSS")
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = function()
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM") if reset else None
    return (
        result,
        seconds,
        counter,
        {
            "rss_before_mb": round(rss_before / 1024) if rss_before else None,
            "peak_mb": round(peak / 1024) if peak else None,
        },
    )


def store_rules():
    """The bench's rules, replacing any: bulk_create, so no receiver re-scores per rule."""
    from scoring.models import Engagement, ScoreModel, ScoringRule, ScoringSettings

    ScoringSettings.current()
    ScoringRule.objects.all().delete()
    ScoreModel.objects.all().delete()
    rules = [
        ScoringRule(
            name="Danish", kind=ScoringRule.Kind.FIELD, field="country", operator="equals",
            value="Denmark", points=10,
        ),
        ScoringRule(
            name="250+ employees", kind=ScoringRule.Kind.FIELD, field="number_of_employees",
            operator="gte", value="250", points=15,
        ),
        ScoringRule(
            name="Called lately", kind=ScoringRule.Kind.ACTIVITY,
            engagement=Engagement.PHONE_CALL, minimum=1, within_days=30, points=20,
        ),
    ]  # fmt: skip
    for rule in rules:
        rule.full_clean()
    ScoringRule.objects.bulk_create(rules)
    return [rule.describe() for rule in rules]


def clear_scores():
    """Every open lead unscored and no LeadScore rows: a run writes every score."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET score = 0, grade = '', predicted_qualification = NULL"
            " WHERE state = 'open' AND (score <> 0 OR grade <> ''"
            " OR predicted_qualification IS NOT NULL)"
        )
        cleared = cursor.rowcount
        cursor.execute("TRUNCATE scoring_leadscore")
    if cleared:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE leads_lead")
    return cleared


def one_chunk_statements(context):
    """The statements of one `_score_rows` call on the first chunk of open leads, as a
    first run makes them (their stored scores read as unset, so every score is written)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.models import Lead, State
    from scoring import services

    rows = list(
        Lead.objects.filter(state=State.OPEN)
        .order_by("pk")
        .values(*services._READ)[: services.CHUNK]
    )
    for row in rows:
        row.update(score=None, grade=None, predicted_qualification=None)
    with CaptureQueriesContext(connection) as captured:
        services._score_rows(rows, context)
    return len(rows), [query["sql"][:110] for query in captured.captured_queries]


def profiled(function, top=25):
    profile = cProfile.Profile()
    profile.enable()
    function()
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def run(args):
    from django.db import connection
    from django.tasks import default_task_backend

    from leads.models import Lead, State
    from scoring import services

    rules = store_rules()
    cleared = clear_scores()
    open_leads = Lead.objects.filter(state=State.OPEN).count()
    closed = services.closed_leads().count()
    print(f"== scoring at {args.leads:,} leads: {open_leads:,} open, {closed:,} closed;"
          f" {cleared:,} earlier scores cleared; rules: {'; '.join(rules)}")  # fmt: skip

    (model, reason), train_seconds, train_sql, train_memory = measured(services.train)
    if model is None:
        raise RuntimeError(f"train() learned nothing: {reason}")
    print(f"  train: {model.trained_on:,} learned from, {model.held_out:,} held out,"
          f" AUC {model.auc:.3f}, {train_seconds:.1f} s, {train_sql.total} statements,"
          f" peak {train_memory['peak_mb']} MB")  # fmt: skip

    context = services.Context()
    scored, score_seconds, score_sql, score_memory = measured(
        lambda: services.score_all(context=context)
    )
    chunks = math.ceil(scored / services.CHUNK)
    # score_all reads once more to find the end (one SELECT beyond the chunks).
    per_chunk = (score_sql.total - 1) / max(chunks, 1)
    print(f"  score_all: {scored:,} open leads in {score_seconds:.1f} s"
          f" ({scored / score_seconds:,.0f} leads/s), {chunks} chunks of {services.CHUNK},"
          f" {score_sql.total} statements ({per_chunk:.2f} a chunk: {score_sql.by_kind}),"
          f" peak {score_memory['peak_mb']} MB")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT grade, COUNT(*) FROM leads_lead WHERE state = 'open' GROUP BY grade"
            " ORDER BY grade"
        )
        grades = dict(cursor.fetchall())
        cursor.execute(
            "SELECT COUNT(*) FROM scoring_leadscore s JOIN leads_lead l ON l.id = s.lead_id"
            " WHERE l.state = 'open' AND s.factors::text LIKE %s",
            ['%"Called lately"%'],
        )
        called = cursor.fetchone()[0]
    chunk_rows, chunk_statements = one_chunk_statements(services.Context())

    warm = None
    if args.warm:
        context = services.Context()
        rescored, seconds, statements, memory = measured(
            lambda: services.score_all(context=context)
        )
        warm = {
            "open_leads_scored": rescored,
            "seconds": round(seconds, 1),
            "leads_per_second": round(rescored / seconds),
            "statements": statements.total,
            "statements_by_kind": statements.by_kind,
            **memory,
        }
        print(f"  score_all again (nothing changed): {seconds:.1f} s"
              f" ({rescored / seconds:,.0f} leads/s), {statements.by_kind}")  # fmt: skip

    profiles = None
    if args.profile:
        profiles = {"train": profiled(services.train)}
        clear_scores()  # as the first run after a rule change: every score written
        profiles["score_all"] = profiled(lambda: services.score_all(context=services.Context()))
        for name, text in profiles.items():
            print(f"\n== cProfile of {name}\n{text}")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        database = f"postgresql {cursor.fetchone()[0]}"
    return {
        "database": database,
        "leads": args.leads,
        "open_leads": open_leads,
        "closed_leads": closed,
        "rules": rules,
        "train": {
            "learned_from": model.trained_on,
            "held_out": model.held_out,
            "qualified_learned_from": model.qualified,
            "auc": round(model.auc, 4) if model.auc is not None else None,
            "seconds": round(train_seconds, 1),
            "closed_leads_per_second": round((model.trained_on + model.held_out) / train_seconds),
            "statements": train_sql.total,
            "statements_by_kind": train_sql.by_kind,
            **train_memory,
        },
        "score_all": {
            "open_leads_scored": scored,
            "seconds": round(score_seconds, 1),
            "leads_per_second": round(scored / score_seconds),
            "chunk": services.CHUNK,
            "chunks": chunks,
            "statements": score_sql.total,
            "statements_per_chunk": round(per_chunk, 2),
            "statements_by_kind": score_sql.by_kind,
            "grades_of_open_leads": grades,
            "open_leads_earning_the_activity_rule": called,
            **score_memory,
        },
        "one_chunk": {"rows": chunk_rows, "statements": chunk_statements},
        "score_all_again_nothing_changed": warm,
        "tasks_enqueued_not_run": len(getattr(default_task_backend, "results", ())),
        "max_rss_mb_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}; others' tests running at the same time",
    }, profiles


def table(result):
    train, score = result["train"], result["score_all"]
    rows = [
        "| step | figures | memory |",
        "|---|---|---|",
        f"| train() at {result['leads']:,} leads | {train['learned_from']:,} closed leads"
        f" learned from, {train['held_out']:,} held out, AUC {train['auc']}; {train['seconds']} s"
        f" ({train['closed_leads_per_second']:,} closed leads/s), {train['statements']} statements"
        f" | peak {train['peak_mb']} MB |",
        f"| score_all() | {score['open_leads_scored']:,} open leads in {score['seconds']} s"
        f" ({score['leads_per_second']:,} leads/s); {score['chunks']} chunks of {score['chunk']},"
        f" {score['statements_per_chunk']} statements a chunk | peak {score['peak_mb']} MB |",
    ]
    warm = result["score_all_again_nothing_changed"]
    if warm:
        rows.append(
            f"| score_all(), nothing changed | {warm['seconds']} s"
            f" ({warm['leads_per_second']:,} leads/s) | peak {warm['peak_mb']} MB |"
        )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--warm", action="store_true", help="score_all once more, unchanged")
    parser.add_argument("--profile", action="store_true", help="cProfile train and score_all")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database (postgres://...)")
    for name, value in pages_bench.ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    os.environ["TASKS_BACKEND"] = TASKS_BACKEND
    pages_bench.ensure_postgres_database(url)

    import logging

    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    started = time.perf_counter()
    generated = pages_bench.prepare(args.leads, regenerate=args.regenerate)
    prepared = round(time.perf_counter() - started, 1)
    result, _profiles = run(args)
    result["prepared_seconds"] = prepared
    result["generated"] = generated
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    key = f"postgresql-{args.leads}" + ("-profiled" if args.profile else "")
    stored[key] = result
    RESULTS.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n")
    print(table(result))
    print(f"{result['database']}, load {result['load_average']}, {result['date']}")


if __name__ == "__main__":
    main()
