"""The IMAP server the mail tests start (Dovecot): messages appended to it are there, and
flags set by a client, custom keywords included, are read back."""

import imaplib

import pytest

from mail.tests.imap import imap_server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.imap


def message(subject):
    return f"From: anna@example.com\r\nSubject: {subject}\r\n\r\nHello\r\n".encode()


def test_appended_messages_are_in_the_folder_and_flags_set_on_them_are_kept(imap_server):  # noqa: F811
    imap_server.append(message("First"))
    imap_server.append(message("Second"))

    client = imaplib.IMAP4(imap_server.host, imap_server.port, timeout=5)
    client.login(imap_server.user, imap_server.password)
    status, count = client.select(imap_server.folder)
    assert status == "OK" and count == [b"2"]
    assert rb"\*" in client.response("PERMANENTFLAGS")[1][0]  # custom keywords may be stored
    status, uids = client.uid("SEARCH", "SUBJECT", "Second")
    (second,) = uids[0].split()
    status, _ = client.uid("STORE", second, "+FLAGS", r"(\Seen $CRMDone)")
    assert status == "OK"
    client.logout()

    flags = imap_server.flags()
    assert imap_server.count() == 2 and flags.pop(int(second)) == {r"\Seen", "$CRMDone"}
    assert list(flags.values()) == [set()]


def test_each_test_gets_an_empty_folder(imap_server):  # noqa: F811
    assert imap_server.count() == 0 and imap_server.flags() == {}
