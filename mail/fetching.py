"""Reading an IMAP mailbox (settings.MAIL_IMAP_*): every message not yet processed is read
(BODY.PEEK, so reading marks nothing), handed to receiving.receive, which commits, and only then
flagged (MAIL_IMAP_PROCESSED_FLAG) or moved (MAIL_IMAP_DONE_FOLDER). Nothing is deleted. A
crash between the commit and the flag leaves the message unflagged; the next run reads it again
and receive finds its Message-ID already stored: no duplicate."""

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from mail.models import IncomingEmail
from mail.receiving import receive

logger = logging.getLogger(__name__)


@dataclass
class Fetched:
    read: int = 0
    repeats: int = 0
    outcomes: dict = field(default_factory=dict)


def _connect() -> imaplib.IMAP4:
    host, port = settings.MAIL_IMAP_HOST, settings.MAIL_IMAP_PORT
    timeout = settings.MAIL_IMAP_TIMEOUT
    if settings.MAIL_IMAP_SECURITY == "ssl":
        connection = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        connection = imaplib.IMAP4(host, port, timeout=timeout)
        if settings.MAIL_IMAP_SECURITY == "starttls":
            connection.starttls(ssl.create_default_context())
    connection.login(settings.MAIL_IMAP_USER, settings.MAIL_IMAP_PASSWORD)
    return connection


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response, what: str):
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


def _unprocessed(connection) -> list[bytes]:
    flag = settings.MAIL_IMAP_PROCESSED_FLAG
    if settings.MAIL_IMAP_DONE_FOLDER:
        criteria = ("ALL",)  # processed ones have left the folder
    elif flag.lower() == "\\seen":
        criteria = ("UNSEEN",)
    elif flag.startswith("\\"):
        criteria = ("UN" + flag[1:].upper(),)  # \Flagged -> UNFLAGGED
    else:
        criteria = ("UNKEYWORD", flag)
    (found,) = _check(connection.uid("SEARCH", None, *criteria), "SEARCH")
    return found.split()


def _read(connection, uid: bytes) -> bytes | None:
    data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None  # gone meanwhile (another reader moved it)


def mark_processed(connection, uid: bytes) -> None:
    done = settings.MAIL_IMAP_DONE_FOLDER
    if not done:
        flag = settings.MAIL_IMAP_PROCESSED_FLAG
        _check(connection.uid("STORE", uid, "+FLAGS", f"({flag})"), "STORE")
        return
    if "MOVE" in connection.capabilities:
        _check(connection.uid("MOVE", uid, _quoted(done)), "MOVE")
        return
    # No MOVE: copy, then mark the original deleted (the copy is safe in the other folder).
    _check(connection.uid("COPY", uid, _quoted(done)), "COPY")
    _check(connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "STORE")
    connection.expunge()


def fetch_mail(*, limit: int = 200) -> Fetched:
    """Read up to `limit` new messages from the mailbox; what became of them."""
    if not settings.MAIL_IMAP_HOST:
        raise ImproperlyConfigured("Set MAIL_IMAP_HOST (and its user and password) first.")
    fetched = Fetched()
    connection = _connect()
    try:
        _check(connection.select(_quoted(settings.MAIL_IMAP_FOLDER)), "SELECT")
        for uid in _unprocessed(connection)[:limit]:
            raw = _read(connection, uid)
            if raw is None:
                continue
            received = receive(raw, via=IncomingEmail.Via.IMAP)
            fetched.read += 1
            if not received.created:
                fetched.repeats += 1
            outcome = received.email.outcome
            fetched.outcomes[outcome] = fetched.outcomes.get(outcome, 0) + 1
            # Committed: only now is it marked, so a crash before this line costs nothing.
            mark_processed(connection, uid)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            connection.logout()
    return fetched
