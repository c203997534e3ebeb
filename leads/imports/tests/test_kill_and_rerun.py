"""An import killed halfway (SIGKILL: no cleanup at all) and run again finishes the job with
no duplicates and nothing lost. Runs the real command in subprocesses on a SQLite file of
its own, whatever database the suite uses."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leads.imports.tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[3]
# The fewest rows that span several chunks with room to kill the import between them: it is
# killed once two chunks of CHUNK are committed, with many more still to go.
CHUNK = 10
ROWS = 300


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        **kwargs,
    )


def _scalar(database, sql):
    with sqlite3.connect(database, timeout=30) as connection:
        row = connection.execute(sql).fetchone()
    return row[0] if row else None


@pytest.mark.slow
def test_a_killed_import_resumes_with_no_duplicates_and_no_loss(tmp_path):
    database = tmp_path / "kill.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    }
    assert _manage(env, "migrate", "--skip-checks", "-v0").returncode == 0
    setup = 'from crm.models import User; User.objects.create_superuser("op", "op@x.example", "x")'
    assert _manage(env, "shell", "-c", setup).returncode == 0
    rows = [["First Name", "Last Name", "Company", "E-mail"]]
    rows += [["Anna", f"Hansen {n}", f"Firm {n}", f"anna{n}@firm.example"] for n in range(ROWS)]
    path = write_csv(tmp_path / "big.csv", rows)
    command = [sys.executable, "manage.py", "import_leads", str(path), "--user", "op"]

    process = subprocess.Popen(
        [*command, "--batch-size", str(CHUNK), "-v0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    last_line = 0
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            try:
                last_line = _scalar(database, "SELECT last_line FROM imports_importbatch") or 0
            except sqlite3.OperationalError:
                last_line = 0  # the table or the row is not there yet
        if last_line > 2 * CHUNK:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the import finished before it could be killed"

    committed = _scalar(database, "SELECT last_line FROM imports_importbatch")
    stored = _scalar(database, "SELECT COUNT(*) FROM leads_lead")
    assert 0 < stored < ROWS
    assert stored == committed - 1  # one lead per committed line after the header
    assert _scalar(database, "SELECT status FROM imports_importbatch") == "running"

    rerun = _manage(env, "import_leads", str(path), "--user", "op", timeout=600)

    assert rerun.returncode == 0, rerun.stderr
    assert f"Resuming import #1 after line {committed}." in rerun.stdout
    # The batch's counts cover both runs.
    assert f"created={ROWS} updated=0 skipped=0 rejected=0" in rerun.stdout
    assert _scalar(database, "SELECT COUNT(*) FROM leads_lead") == ROWS
    assert _scalar(database, "SELECT COUNT(DISTINCT email_key) FROM leads_lead") == ROWS
    assert _scalar(database, "SELECT COUNT(*) FROM leads_historicallead") == ROWS
    assert _scalar(database, "SELECT COUNT(*) FROM imports_importbatch") == 1
    assert _scalar(database, "SELECT status FROM imports_importbatch") == "done"
