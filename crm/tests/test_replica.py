"""A real PostgreSQL streaming replica (issue 26): this test starts a primary cluster of its own
and a replica made from it with pg_basebackup on a second port, and runs the app against the
two (DATABASE_URL, DATABASE_REPLICA_URL) in a separate process: a report's queries go to the
replica, and a lead saved a moment before is shown on its own page, which reads the primary."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from crm.tests.test_task_processes import _wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} is not installed")
    return found[-1]


def _as_postgres(*command, **kwargs):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def _free_port():
    from mail.tests.conftest import _free_port

    return _free_port()


def _answers(port, sql="select 1"):
    try:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "crm",
             "-tAc", sql],
            capture_output=True, text=True, timeout=5,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


@pytest.fixture
def clusters(db):
    """(primary port, replica port): a primary holding this suite's schema (copied from the
    test database with pg_dump) and a streaming replica of it."""
    root = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    shutil.chown(root, "postgres", "postgres")
    primary, replica = root / "primary", root / "replica"
    primary_port, replica_port = _free_port(), _free_port()
    settings = (
        "listen_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{root}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nshared_buffers = 32MB\n"
    )
    started = []
    try:
        _as_postgres(_bin("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(settings + f"port = {primary_port}\n")
        _as_postgres(_bin("pg_ctl"), "-D", str(primary), "-w", "-l", str(root / "p.log"), "start")
        started.append(primary)
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "crm"],
            check=True,
        )
        test_database = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "-h", test_database["HOST"] or "127.0.0.1",
             "-p", str(test_database["PORT"] or 5432), "-U", test_database["USER"],
             "--no-owner", "--no-privileges", test_database["NAME"]],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
             "-d", "crm", "-v", "ON_ERROR_STOP=1"],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        _as_postgres(
            _bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica_port}\n")
        _as_postgres(_bin("pg_ctl"), "-D", str(replica), "-w", "-l", str(root / "r.log"), "start")
        started.append(replica)
        _wait_until(
            lambda: _answers(replica_port, "select pg_is_in_recovery()") == "t",
            seconds=30,
            what="the replica answers, in recovery",
        )
        yield primary_port, replica_port
    finally:
        for cluster in reversed(started):
            subprocess.run(
                ["runuser", "-u", "postgres", "--", _bin("pg_ctl"), "-D", str(cluster),
                 "-m", "immediate", "stop"],
                capture_output=True, timeout=60,
            )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


SCRIPT = """
import json
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from crm.models import User
from leads.services import create_lead

admin = User.objects.create_superuser("boss", "boss@example.com", "pass-word-1")
client = Client()
client.force_login(admin)
replica, primary = connections["replica"], connections["default"]
with replica.cursor() as cursor:
    cursor.execute("select pg_is_in_recovery()")
    in_recovery = cursor.fetchone()[0]
lead = create_lead(data={"last_name": "Winther", "company_name": "Ny Kunde ApS",
                         "topic": "Saved a moment ago"}, created_by=admin)
with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
    detail = client.get(lead.get_absolute_url())
detail_queries = (len(on_replica), len(on_primary))
with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
    report = client.get("/reports/lead-sources/")
print("RESULT " + json.dumps({
    "in_recovery": in_recovery,
    "detail": [detail.status_code, "Saved a moment ago" in detail.text, *detail_queries],
    "report": [report.status_code, len(on_replica), len(on_primary)],
    "report_replica_lead_reads": sum("leads_lead" in q["sql"] for q in on_replica),
    "report_primary_lead_reads": sum("leads_lead" in q["sql"] for q in on_primary),
    "primary_queries": [q["sql"][:300] for q in on_primary],
}))
"""


def test_reports_read_the_replica_and_a_records_page_the_primary(clusters):
    primary_port, replica_port = clusters
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary_port}/crm",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica_port}/crm",
        "CACHE_URL": "locmem://",
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    }
    env.pop("TEST_DATABASE_SUFFIX", None)
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    assert result["in_recovery"] is True  # a real replica, read-only
    status, shown, detail_on_replica, detail_on_primary = result["detail"]
    assert (status, shown, detail_on_replica) == (200, True, 0) and detail_on_primary > 0
    report_status, report_on_replica, _report_on_primary = result["report"]
    assert report_status == 200 and report_on_replica > 0
    assert result["report_replica_lead_reads"] > 0
    assert result["report_primary_lead_reads"] == 0, result["primary_queries"]
    assert time.monotonic() - started < 120
