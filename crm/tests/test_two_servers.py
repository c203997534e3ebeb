"""Two app servers, one database (issue 26): two gunicorn instances on two ports against this
test's PostgreSQL database, each with its own in-process cache, sharing only the database and
MEDIA_ROOT. A session made on one works on the other; round robin across both stays exact; a
qualify race across both makes one set of records; a file uploaded through one is served by
the other."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.db import connection

from accounts.models import Account, Contact
from activities.models import Note
from api import services as api_services
from crm.models import Team
from crm.tests.factories import PASSWORD
from leads.models import Lead
from leads.routing.tests.factories import add_members, make_rule
from leads.tests.factories import make_lead
from opportunities.models import Opportunity

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port():
    from mail.tests.conftest import _free_port

    return _free_port()


@pytest.fixture
def servers(db, tmp_path):
    """The base URLs of two gunicorn instances (two workers each) on this test's database."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}"
            f"{':' + database['PASSWORD'] if database['PASSWORD'] else ''}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CACHE_URL": "locmem://",  # each process its own: only the database is shared
        "MEDIA_ROOT": str(tmp_path / "media"),  # the shared file storage
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    }
    env.pop("TEST_DATABASE_SUFFIX", None)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [
                    gunicorn,
                    "crm.wsgi",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )  # fmt: skip
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, process in zip(bases, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(f"{base}/login/", timeout=5)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.2)
            for _ in range(4):  # each worker imports the app on its first request
                requests.get(f"{base}/login/", timeout=30)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def _log_in(base, username):
    session = requests.Session()
    session.get(f"{base}/login/", timeout=30)
    answer = session.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_session_made_on_one_server_works_on_the_other(servers, alice):
    first, second = servers
    session = _log_in(first, "alice")
    lead = make_lead(owner=alice, topic="Seen from both servers")
    page = session.get(f"{second}{lead.get_absolute_url()}", allow_redirects=False, timeout=30)
    assert page.status_code == 200 and "Seen from both servers" in page.text


def test_round_robin_across_both_servers_stays_exact(servers, alice):
    pool = Team.objects.create(name="Pool")
    members = add_members(pool, "ann", "ben", "cat")
    make_rule("Everyone to the pool", pool)
    token = api_services.create_token(user=alice).key
    headers = {"Authorization": f"Token {token}"}

    def create(index):
        return lambda: (
            requests.post(
                f"{servers[index % 2]}/api/v1/leads/",
                json={"last_name": f"Holm {index}", "company_name": f"Firm {index}"},
                headers=headers,
                timeout=60,
            ).status_code
        )

    statuses = _at_once([create(index) for index in range(30)])
    assert statuses == [201] * 30
    owners = Counter(Lead.objects.values_list("owner_user__username", flat=True))
    assert owners == {member.username: 10 for member in members}


def test_a_qualify_race_across_both_servers_makes_one_set_of_records(servers, alice):
    lead = make_lead(owner=alice, last_name="Winther", company_name="Winther ApS")
    token = api_services.create_token(user=alice).key

    def qualify(base):
        return lambda: (
            requests.post(
                f"{base}/api/v1/leads/{lead.pk}/qualify/",
                json={"create_account": True, "create_contact": True, "create_opportunity": True},
                headers={"Authorization": f"Token {token}"},
                timeout=60,
            ).status_code
        )

    statuses = _at_once([qualify(servers[index % 2]) for index in range(6)])
    assert statuses.count(200) == 1 and all(
        400 <= status < 500 for status in statuses if status != 200
    )
    assert (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count()) == (
        1,
        1,
        1,
    )


def test_a_file_uploaded_through_one_server_is_served_by_the_other(servers, alice):
    first, second = servers
    lead = make_lead(owner=alice)
    session = _log_in(first, "alice")
    url = f"{first}/activities/timeline/leads.lead/{lead.pk}/add/note/"
    session.get(url, timeout=30)
    answer = session.post(
        url,
        data={"text": "The signed offer", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        files={"attachment": ("offer.pdf", b"%PDF-1.4 signed offer", "application/pdf")},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code in (200, 302), answer.text[:500]
    note = Note.objects.get(attachment_name="offer.pdf")
    served = session.get(f"{second}/activities/notes/{note.pk}/attachment/", timeout=30)
    assert served.status_code == 200 and served.content == b"%PDF-1.4 signed offer"
