"""`make run` defaults: e-mail links follow PORT, and each log line is printed once."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = """
import django, logging
django.setup()
from django.conf import settings
print(settings.SITE_URL)
logging.getLogger("django.tasks").info("worker-line-marker")
logging.getLogger("django_tasks_db").info("db-worker-line-marker")
"""


def run_python(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}
    clean.update(env, DJANGO_SETTINGS_MODULE="crm.settings", DEBUG="1")
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_site_url_follows_port():
    assert run_python(PORT="8123").stdout.strip() == "http://127.0.0.1:8123"
    assert run_python().stdout.strip() == "http://127.0.0.1:8000"


def test_explicit_site_url_wins_over_port():
    result = run_python(PORT="8123", SITE_URL="https://crm.example.com/")
    assert result.stdout.strip() == "https://crm.example.com"


def test_worker_log_lines_are_printed_once():
    stderr = run_python().stderr
    assert stderr.count("worker-line-marker") == 2  # one per logger, "db-" included
    assert stderr.count("db-worker-line-marker") == 1
    assert [line for line in stderr.splitlines() if line == "worker-line-marker"] == [
        "worker-line-marker"
    ]


def test_bin_run_exports_the_port_for_the_settings():
    script = (ROOT / "bin" / "run").read_text()
    assert "export PORT=" in script
