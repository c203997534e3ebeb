"""`manage.py fetch_mail` killed (SIGKILL) between the database commit and the flag, for real:
the process reads the mailbox (Dovecot) through a loopback proxy that kills it the moment it
sends its first UID STORE, i.e. after receive() committed the message and before the server
marked it. Running it again makes no duplicate, and then every message is flagged."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from leads.models import Lead
from mail.models import IncomingEmail
from mail.tests import messages
from mail.tests.imap import imap_server  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.imap,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


class KillingProxy:
    """Forwards one IMAP client to the server; kills `victim` (a pid) when the client's bytes
    hold a UID STORE, which is then never forwarded."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.victim = None
        self.killed = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()

    def _pump(self, source, target, from_client):
        try:
            while data := source.recv(65536):
                if from_client and b"UID STORE" in data.upper() and not self.killed.is_set():
                    os.kill(self.victim, signal.SIGKILL)
                    self.killed.set()
                    return
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.close()

    def close(self):
        self.listener.close()


def _env(imap_server, port):  # noqa: F811
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": (
            f"postgres://{database['USER']}"
            f"{':' + database['PASSWORD'] if database['PASSWORD'] else ''}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "TASKS_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "MAIL_IMAP_HOST": "127.0.0.1",
        "MAIL_IMAP_PORT": str(port),
        "MAIL_IMAP_SECURITY": "none",
        "MAIL_IMAP_USER": imap_server.user,
        "MAIL_IMAP_PASSWORD": imap_server.password,
    }
    env.pop("TEST_DATABASE_SUFFIX", None)
    return env


def test_killed_between_commit_and_flag_then_run_again_makes_no_duplicate(
    imap_server,  # noqa: F811
    admin_user,
):
    for number in range(3):
        imap_server.append(
            messages.message(
                sender=f"Kunde {number} <kunde{number}@firma.dk>",
                message_id=f"<killed-{number}@firma.dk>",
            )
        )
    proxy = KillingProxy((imap_server.host, imap_server.port))
    try:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "fetch_mail"],
            cwd=ROOT, env=_env(imap_server, proxy.port),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        proxy.victim = process.pid
        _out, err = process.communicate(timeout=120)
    finally:
        proxy.close()

    assert process.returncode == -signal.SIGKILL, err.decode()[-2000:]
    # The first message is committed, and the server never heard it was done.
    assert IncomingEmail.objects.count() == 1 and Lead.objects.count() == 1
    assert all(not flags for flags in imap_server.flags().values())

    again = subprocess.run(
        [sys.executable, "manage.py", "fetch_mail"],
        cwd=ROOT, env=_env(imap_server, imap_server.port), capture_output=True, timeout=120,
    )  # fmt: skip

    assert again.returncode == 0, again.stderr.decode()[-2000:]
    assert b"3 read (1 received before): 3 new_lead" in again.stdout
    assert IncomingEmail.objects.count() == 3 and Lead.objects.count() == 3
    assert all("\\Seen" in flags for flags in imap_server.flags().values())
