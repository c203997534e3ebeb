"""`fetch_mail` against a real IMAP server (Debian's Dovecot, started by the tests): new mail
is read, filed and only then flagged (or moved); a run that dies between the commit and the flag
and is run again makes no duplicate; bad mail in the mailbox never stops it."""

import io

import pytest
from django.core.management import CommandError, call_command

from leads.models import Lead
from leads.routing.tests.factories import make_rule
from leads.tests.factories import make_lead
from mail import fetching
from mail.models import IncomingEmail
from mail.tests import messages
from mail.tests.imap import imap_server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.imap]

Outcome = IncomingEmail.Outcome


@pytest.fixture
def mailbox(imap_server, settings, admin_user):  # noqa: F811
    settings.MAIL_IMAP_HOST = imap_server.host
    settings.MAIL_IMAP_PORT = imap_server.port
    settings.MAIL_IMAP_SECURITY = "none"
    settings.MAIL_IMAP_USER = imap_server.user
    settings.MAIL_IMAP_PASSWORD = imap_server.password
    settings.MAIL_IMAP_FOLDER = imap_server.folder
    settings.MAIL_LEADS_CREATED_BY = admin_user.username
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    return imap_server


def fetch(**options):
    out = io.StringIO()
    call_command("fetch_mail", stdout=out, **options)
    return out.getvalue().strip()


def test_new_mail_is_filed_then_flagged_and_read_once(mailbox, alice, bob):
    make_rule("All to Bob", bob)
    lead = make_lead(owner=alice, email="anna@firma.dk")
    mailbox.append(messages.message(sender="Anna <anna@firma.dk>", subject="Question"))
    mailbox.append(messages.message(sender="Nyt Navn <ny@kunde.dk>", subject="Tilbud?"))
    mailbox.append(messages.message(headers={"Auto-Submitted": "auto-replied"}))

    said = fetch()

    assert said == "3 read (0 received before): 1 logged, 1 new_lead, 1 refused"
    assert Lead.objects.get(email="ny@kunde.dk").owner == bob
    assert IncomingEmail.objects.get(outcome=Outcome.LOGGED).activity.regarding == lead
    assert all("\\Seen" in flags for flags in mailbox.flags().values())
    assert fetch() == "0 read (0 received before)"
    assert Lead.objects.count() == 2


def test_a_run_killed_between_commit_and_flag_makes_no_duplicate(mailbox, monkeypatch):
    mailbox.append(messages.message(message_id="<crash@kunde.dk>"))
    flag = fetching.mark_processed

    def killed(*args):
        raise KeyboardInterrupt  # the process stops here: committed, not flagged

    monkeypatch.setattr(fetching, "mark_processed", killed)
    with pytest.raises(KeyboardInterrupt):
        fetch()
    assert Lead.objects.count() == 1
    assert mailbox.flags() == {1: set()}

    monkeypatch.setattr(fetching, "mark_processed", flag)
    assert fetch() == "1 read (1 received before): 1 new_lead"
    assert Lead.objects.count() == 1 and IncomingEmail.objects.count() == 1
    assert mailbox.flags() == {1: {"\\Seen"}}


def test_a_keyword_instead_of_seen(mailbox, settings):
    settings.MAIL_IMAP_PROCESSED_FLAG = "$CRMDone"
    mailbox.append(messages.message())
    fetch()
    assert mailbox.flags() == {1: {"$CRMDone"}}
    assert fetch() == "0 read (0 received before)"


def test_processed_mail_moved_to_a_folder(mailbox, settings):
    client = mailbox.connect()
    client.create("Done")
    client.logout()
    settings.MAIL_IMAP_DONE_FOLDER = "Done"
    mailbox.append(messages.message())
    fetch()
    assert mailbox.count() == 0
    client = mailbox.connect()
    status, (count,) = client.select("Done")
    client.logout()
    assert status == "OK" and count == b"1"
    assert Lead.objects.count() == 1


def test_bad_mail_in_the_mailbox_never_stops_it(mailbox):
    big = b"%PDF-1.4\n" + bytes(range(256)) * (25 * 1024 * 4)
    corpus = [
        messages.malformed_mime(),
        messages.unknown_charset(),
        messages.html_only(),
        messages.no_sender(),
        messages.bounce(),
        messages.message(files=[("scan.pdf", "application/pdf", big)]),
        messages.message(sender="Last One <last@kunde.dk>"),
    ]
    for raw in corpus:
        mailbox.append(raw)

    said = fetch()

    assert said == "7 read (0 received before): 5 new_lead, 2 refused"
    reasons = set(IncomingEmail.objects.exclude(reason="").values_list("reason", flat=True))
    assert reasons == {"no_sender", "bounce"}
    assert Lead.objects.filter(email="last@kunde.dk").exists()
    assert len(mailbox.flags()) == 7 and all(mailbox.flags().values())


def test_a_wrong_password_is_a_clear_error(mailbox, settings):
    settings.MAIL_IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="The mailbox could not be read"):
        fetch()


def test_without_a_mailbox_it_says_what_to_set(settings, db):
    settings.MAIL_IMAP_HOST = ""
    with pytest.raises(CommandError, match="MAIL_IMAP_HOST"):
        fetch()
