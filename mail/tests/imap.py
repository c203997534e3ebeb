"""A real IMAP server (Debian's Dovecot) on a free loopback port for the tests: its own config,
sockets, state, log and maildirs in a temporary directory, so the system's Dovecot, if any, is
never touched. Plain IMAP with LOGIN, as on loopback.

Dovecot starts in some 30 ms but its master sleeps a second while shutting down, so one server
runs per pytest process (each xdist worker has its own) and each test gets a new user, whose
INBOX is empty."""

import functools
import imaplib
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from mail.tests.conftest import _free_port

DOVECOT = Path("/usr/sbin/dovecot")
MISSING = "needs Debian's Dovecot (apt-get install dovecot-imapd)"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    host = "127.0.0.1"

    def __init__(self):
        # Not pytest's tmp_path: the sockets live under the root, and a socket's path may not be
        # longer than 107 bytes.
        self.root = root = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.port = _free_port()
        self.users = itertools.count(1)
        # Dovecot's auth process runs as the dovecot user and reads the users' passwd files;
        # mail is kept as nobody, since Dovecot's imap processes refuse to run as root.
        root.chmod(0o755)
        nobody = pwd.getpwnam("nobody")
        (root / "mail").mkdir()
        os.chown(root / "mail", nobody.pw_uid, nobody.pw_gid)
        (root / "users").mkdir()
        config = root / "dovecot.conf"
        config.write_text(
            CONFIG.format(root=root, uid=nobody.pw_uid, gid=nobody.pw_gid, port=self.port)
        )
        # -F keeps the master in the foreground: it is our child, and stopping it stops all.
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", config])

    def wait_until_answering(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.root / "dovecot.log").read_text(errors="replace")
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{log}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"dovecot did not answer on port {self.port} in {timeout}s")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.root)

    def new_mailbox(self):
        user = f"crm{next(self.users)}"
        password = f"{user}-password"
        # A passwd file per user: Dovecot looks at a changed file at most once a second, but
        # opens a new one at once.
        (self.root / "users" / user).write_text(f"{user}:{{PLAIN}}{password}\n")
        return Mailbox(self.host, self.port, user, password)


class Mailbox:
    """One user's INBOX on the server, and what a test needs to fill it and look into it."""

    folder = "INBOX"

    def __init__(self, host, port, user, password):
        self.host, self.port, self.user, self.password = host, port, user, password

    def connect(self):
        """A logged-in imaplib client with the folder selected; close it with logout()."""
        client = imaplib.IMAP4(self.host, self.port, timeout=5)
        client.login(self.user, self.password)
        client.select(self.folder)
        return client

    def append(self, raw: bytes) -> None:
        client = self.connect()
        try:
            status, reply = client.append(self.folder, None, None, raw)
        finally:
            client.logout()
        assert status == "OK", reply

    def flags(self) -> dict[int, set[str]]:
        client = self.connect()
        try:
            status, lines = client.uid("FETCH", "1:*", "(FLAGS)")
        finally:
            client.logout()
        assert status == "OK", lines
        found = {}
        for line in lines:
            if line is not None:  # None: an empty folder, where "1:*" names no message
                uid = int(re.search(rb"UID (\d+)", line).group(1))
                found[uid] = {flag.decode() for flag in imaplib.ParseFlags(line)}
        return found

    def count(self) -> int:
        return len(self.flags())


@functools.cache
def _dovecot(config):
    """The server of this pytest process, started at its first test and stopped at its end."""
    server = Dovecot()
    config.add_cleanup(server.stop)
    server.wait_until_answering()
    return server


@pytest.fixture
def imap_server(request):
    if not DOVECOT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    return _dovecot(request.config).new_mailbox()
