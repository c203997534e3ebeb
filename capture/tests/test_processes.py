"""The web form under real separate processes: gunicorn with three workers on PostgreSQL, so
nothing a single process keeps in memory can make these pass."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from capture.models import Submission
from capture.tests.factories import WebFormFactory
from leads.models import Lead

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(db):
    """gunicorn, three workers, on this test's (committed) PostgreSQL database."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}"
        f"{':' + database['PASSWORD'] if database['PASSWORD'] else ''}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": url,
        "CACHE_URL": "locmem://",  # per process: the shared store must be the database
        "CAPTURE_RATE_LIMIT_PER_MINUTE": "10",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    env.pop("TEST_DATABASE_SUFFIX", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "crm.wsgi", "-w", "3",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        # Warm every worker (each imports the app on its first request).
        for _ in range(6):
            urllib.request.urlopen(f"{base}/login/", timeout=10).read()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _post(url, body, address_hint=""):
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _at_once(count, call):
    barrier = threading.Barrier(count)
    results = []

    def run(index):
        barrier.wait()
        results.append(call(index))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _not_near_a_minute_boundary():
    """The rate limit counts per calendar minute; start well inside one."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


def test_six_simultaneous_identical_posts_to_three_workers_make_one_lead(server, alice):
    web_form = WebFormFactory(created_by=alice)
    person = {"first_name": "Ida", "last_name": "Holm", "email": "ida@holm.example"}
    _not_near_a_minute_boundary()
    statuses = _at_once(6, lambda _index: _post(f"{server}/capture/{web_form.key}/", person))
    assert sorted(statuses) == [200] * 5 + [201]
    assert Lead.objects.count() == 1
    assert Submission.objects.count() == 1


def test_the_capture_rate_limit_holds_across_three_workers(server, alice):
    web_form = WebFormFactory(created_by=alice)
    _not_near_a_minute_boundary()
    statuses = _at_once(
        30,
        lambda index: _post(
            f"{server}/capture/{web_form.key}/",
            {"last_name": f"Holm {index}", "email": f"p{index}@holm.example"},
        ),
    )
    assert statuses.count(201) == 10
    assert statuses.count(429) == 20
    assert Lead.objects.count() == 10
