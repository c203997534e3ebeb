"""Receiving e-mail (mail.receiving): replies land on the record they answer, a known sender's
mail on their record, a new sender's mail becomes a routed lead; junk and loops are refused and
kept; the same message twice counts once; bad mail gets a clear outcome, never a crash."""

import io
import sys
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from accounts.tests.factories import ContactFactory
from activities.models import Activity, Note
from leads.models import Lead
from leads.routing.tests.factories import make_rule
from leads.tests.factories import make_lead
from mail import receiving, services
from mail.models import BlockedSender, IncomingEmail
from mail.tests import messages

pytestmark = pytest.mark.django_db

Outcome, Reason = IncomingEmail.Outcome, IncomingEmail.Reason


@pytest.fixture
def mail_user(settings, admin_user):
    settings.MAIL_LEADS_CREATED_BY = admin_user.username
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    return admin_user


def receive(raw):
    return receiving.receive(raw, via=IncomingEmail.Via.PIPE)


def notes_on(record):
    return Note.objects.regarding(record)


def emails_on(record):
    return Activity.objects.regarding(record).filter(kind=Activity.Kind.EMAIL)


class TestNewSender:
    def test_becomes_a_routed_lead_with_source_topic_text_and_files(self, mail_user, bob):
        make_rule("Everyone to Bob", bob)
        pdf = b"%PDF-1.4\n" + b"0" * 2000
        received = receive(messages.message(files=[("drawing.pdf", "application/pdf", pdf)]))

        assert received.created and received.email.outcome == Outcome.NEW_LEAD
        lead = received.email.lead
        assert (lead.first_name, lead.last_name, lead.email) == ("Jens", "Hansen", "jens@kunde.dk")
        assert lead.topic == "Do you deliver to Aarhus?"
        assert "40 chairs by March" in lead.description
        assert lead.source.name == "E-mail"
        assert lead.owner == bob  # routed by the rules table
        (note,) = notes_on(lead)
        assert note.attachment_name == "drawing.pdf" and note.attachment_size == len(pdf)
        assert note.attachment.read() == pdf

    def test_a_possible_duplicate_is_named_on_the_new_lead(self, mail_user, alice):
        from accounts.tests.factories import AccountFactory

        AccountFactory(owner=alice, name="Kunde A/S", website="https://www.kunde.dk")
        lead = receive(messages.message()).email.lead
        # No record has the address: a new lead, with a note naming the company's account.
        assert lead.email == "jens@kunde.dk"
        assert "Kunde A/S" in notes_on(lead).get().text

    def test_comma_names_and_bare_addresses(self, mail_user):
        lead = receive(messages.message(sender='"Hansen, Jens" <j@kunde.dk>')).email.lead
        assert (lead.first_name, lead.last_name) == ("Jens", "Hansen")
        bare = receive(messages.message(sender="info@firma.dk")).email.lead
        assert (bare.first_name, bare.last_name, bare.email) == ("", "", "info@firma.dk")


class TestReplies:
    def test_a_reply_to_a_sent_email_lands_on_that_records_timeline(
        self, mail_user, alice, smtp_server, django_capture_on_commit_callbacks
    ):
        lead = make_lead(owner=alice, email="anna@firma.dk")
        with django_capture_on_commit_callbacks(execute=True):
            sent = services.send_email(
                regarding=lead, user=alice, to=lead.email, subject="Our offer", body="Here."
            )
        # The answer comes from another address (a colleague of Anna's): the thread decides.
        received = receive(
            messages.reply_to(sent.message_id, sender="Bo <bo@firma.dk>", body="Yes please.")
        )

        assert received.email.outcome == Outcome.LOGGED
        activity = received.email.activity
        assert activity.regarding == lead and received.email.lead == lead
        assert (activity.kind, activity.state, activity.direction) == (
            "email",
            "completed",
            "incoming",
        )
        assert activity.subject == "Re: Our offer" and "Yes please." in activity.description
        assert activity.other_party == "Bo <bo@firma.dk>"
        assert activity.owner == alice
        assert Lead.objects.count() == 1

    def test_a_reply_to_a_received_message_goes_where_that_one_went(self, mail_user):
        first = receive(messages.message(message_id="<q1@kunde.dk>")).email
        answer = receive(
            messages.reply_to("q1@kunde.dk", sender="Someone Else <else@kunde.dk>")
        ).email
        assert answer.outcome == Outcome.LOGGED and answer.activity.regarding == first.lead

    def test_a_reply_on_an_opportunity_stays_there(
        self, mail_user, alice, smtp_server, django_capture_on_commit_callbacks
    ):
        from opportunities.tests.factories import OpportunityFactory

        contact = ContactFactory(owner=alice, email="eva@firma.dk")
        opportunity = OpportunityFactory(owner=alice, contact=contact)
        with django_capture_on_commit_callbacks(execute=True):
            sent = services.send_email(
                regarding=opportunity, user=alice, to=contact.email, subject="Quote", body="."
            )
        activity = receive(messages.reply_to(sent.message_id, sender="eva@firma.dk")).email
        assert activity.activity.regarding == opportunity


class TestKnownSender:
    def test_an_open_lead_with_the_address_gets_the_message(self, mail_user, alice):
        lead = make_lead(owner=alice, email="Jens@Kunde.dk")
        received = receive(messages.message())
        assert received.email.outcome == Outcome.LOGGED
        assert received.email.activity.regarding == lead
        assert Lead.objects.count() == 1

    def test_a_contact_with_the_address_gets_it_when_no_open_lead_has_it(self, mail_user, alice):
        contact = ContactFactory(owner=alice, email="jens@kunde.dk")
        received = receive(messages.message())
        assert received.email.activity.regarding == contact
        assert emails_on(contact).count() == 1

    def test_a_merged_lead_sends_its_mail_to_the_master(self, mail_user, merged):
        master, merged_lead, _merge = merged
        Lead.objects.filter(pk=merged_lead.pk).update(
            email="old@kunde.dk", email_key="old@kunde.dk"
        )
        received = receive(messages.message(sender="old@kunde.dk"))
        assert received.email.activity.regarding == master


class TestJunk:
    @pytest.mark.parametrize(
        ("headers", "reason"),
        [
            ({"Auto-Submitted": "auto-replied"}, Reason.AUTO_REPLY),
            ({"X-Autoreply": "yes"}, Reason.AUTO_REPLY),
            ({"Precedence": "bulk"}, Reason.AUTO_REPLY),
            ({"Precedence": "junk"}, Reason.AUTO_REPLY),
            ({"List-Id": "<news.shop.dk>"}, Reason.MAILING_LIST),
            ({"Precedence": "list"}, Reason.MAILING_LIST),
            ({"X-Spam-Flag": "YES"}, Reason.SPAM),
            ({"X-Spam-Status": "Yes, score=9.1"}, Reason.SPAM),
            ({"Return-Path": "<>"}, Reason.BOUNCE),
        ],
    )
    def test_each_kind_is_refused_kept_and_makes_no_lead(self, mail_user, headers, reason):
        received = receive(messages.message(headers=headers))
        email = received.email
        assert (email.outcome, email.reason) == (Outcome.REFUSED, reason)
        assert email.raw and email.subject == "Do you deliver to Aarhus?"
        assert not Lead.objects.exists() and not Activity.objects.exists()

    def test_an_out_of_office_reply_to_our_mail_is_not_logged(self, mail_user, alice):
        lead = make_lead(owner=alice, email="jens@kunde.dk")
        received = receive(messages.message(headers={"Auto-Submitted": "auto-replied"}))
        assert received.email.reason == Reason.AUTO_REPLY and not emails_on(lead).exists()

    def test_a_delivery_status_notification_is_a_bounce(self, mail_user):
        assert receive(messages.bounce()).email.reason == Reason.BOUNCE

    def test_our_own_addresses_and_users_never_become_leads(self, mail_user, alice, settings):
        settings.MAIL_OWN_ADDRESSES = ["@ourcompany.dk"]
        for sender in ("crm@example.com", "sales@ourcompany.dk", alice.email):
            email = receive(messages.message(sender=sender)).email
            assert email.reason == Reason.OWN_ADDRESS, sender
        assert not Lead.objects.exists()

    def test_the_blocklist_by_address_and_by_domain(self, mail_user):
        BlockedSender.objects.create(pattern="Spammer@Example.org")
        BlockedSender.objects.create(pattern="@bulkmail.dk")
        assert receive(messages.message(sender="spammer@example.org")).email.reason == (
            Reason.BLOCKED
        )
        assert receive(messages.message(sender="x@bulkmail.dk")).email.reason == Reason.BLOCKED
        assert receive(messages.message(sender="ok@example.org")).email.outcome == (
            Outcome.NEW_LEAD
        )

    def test_an_administrator_makes_a_refused_message_into_a_lead(self, mail_user, admin_user):
        refused = receive(
            messages.message(
                headers={"Precedence": "bulk"},
                files=[("list.pdf", "application/pdf", b"%PDF-1.4 prices")],
            )
        ).email
        lead = receiving.make_lead(incoming=refused, user=admin_user)
        refused.refresh_from_db()
        assert (refused.outcome, refused.reason, refused.lead) == (Outcome.NEW_LEAD, "", lead)
        assert refused.handled_by == admin_user and not refused.raw
        assert lead.email == "jens@kunde.dk" and notes_on(lead).get().attachment_name == (
            "list.pdf"
        )


class TestOnce:
    def test_the_same_message_twice_makes_one_lead(self, mail_user):
        raw = messages.message(message_id="<once@kunde.dk>")
        first, second = receive(raw), receive(raw)
        assert first.created and not second.created
        assert first.email.pk == second.email.pk
        assert Lead.objects.count() == 1 and IncomingEmail.objects.count() == 1

    def test_a_message_without_message_id_is_known_by_its_bytes(self, mail_user):
        raw = messages.no_sender().replace(b"Message-ID: <nosender-1@kunde.dk>\r\n", b"")
        raw = b"From: a@kunde.dk\r\n" + raw
        assert receive(raw).created and not receive(raw).created
        assert Lead.objects.count() == 1

    def test_the_same_reply_twice_makes_one_activity(self, mail_user, alice):
        lead = make_lead(owner=alice, email="jens@kunde.dk")
        raw = messages.message()
        receive(raw)
        receive(raw)
        assert emails_on(lead).count() == 1


class TestBadMail:
    def test_malformed_mime_is_kept_with_what_could_be_read(self, mail_user):
        email = receive(messages.malformed_mime()).email
        assert email.outcome == Outcome.NEW_LEAD
        assert email.from_address == "broken@kunde.dk"
        assert "malformed" in email.problems and "Defect" not in email.lead.description
        assert "The text is still here." in email.lead.description

    def test_an_unknown_charset_is_read_as_utf8(self, mail_user):
        email = receive(messages.unknown_charset()).email
        assert email.outcome == Outcome.NEW_LEAD
        assert "tilbud på 40 stole" in email.lead.description
        assert (email.lead.first_name, email.lead.last_name) == ("Søren", "Ærø")

    def test_an_html_only_body_is_kept_as_text_without_markup_or_scripts(self, mail_user):
        lead = receive(messages.html_only()).email.lead
        assert "Please send prices for 40 chairs & tables." in lead.description
        assert "Mette" in lead.description
        for markup in ("<", "alert", "color:red", "onerror"):
            assert markup not in lead.description

    def test_no_sender_is_refused_and_kept(self, mail_user):
        email = receive(messages.no_sender()).email
        assert (email.outcome, email.reason) == (Outcome.REFUSED, Reason.NO_SENDER)

    def test_a_file_over_the_limit_is_refused_and_said_so_the_message_kept(
        self, mail_user, settings
    ):
        settings.ATTACHMENT_MAX_BYTES = 1000
        raw = messages.message(
            files=[
                ("big.pdf", "application/pdf", b"%PDF-1.4" + b"x" * 5000),
                ("small.pdf", "application/pdf", b"%PDF-1.4 small"),
            ]
        )
        email = receive(raw).email
        lead = email.lead
        assert [note.attachment_name for note in notes_on(lead)] == ["small.pdf"]
        assert "big.pdf" in email.problems and "not kept" in email.problems
        assert "big.pdf" in lead.description  # said on the lead too

    def test_a_program_is_not_kept(self, mail_user):
        exe = b"MZ\x90\x00" + b"\x00" * 500
        email = receive(
            messages.message(files=[("setup.exe", "application/octet-stream", exe)])
        ).email
        assert not notes_on(email.lead).exists() and "setup.exe" in email.problems

    def test_a_25_mb_message(self, mail_user):
        # 25 MB of attachment: over the 10 MB file limit, so the file is refused and said so;
        # the message and its text are kept.
        big = b"%PDF-1.4\n" + bytes(range(256)) * (25 * 1024 * 4)
        raw = messages.message(files=[("scan.pdf", "application/pdf", big)])
        assert len(raw) > 25 * 1024 * 1024
        started = time.monotonic()
        email = receive(raw).email
        elapsed = time.monotonic() - started
        assert email.outcome == Outcome.NEW_LEAD and email.size == len(raw)
        assert "scan.pdf" in email.problems and not notes_on(email.lead).exists()
        assert elapsed < 30

    def test_a_failure_while_storing_keeps_the_message_refused(self, mail_user, monkeypatch):
        def broken(*args, **kwargs):
            raise ValueError("a value no field takes")

        monkeypatch.setattr(receiving, "_new_lead", broken)
        email = receive(messages.message()).email
        assert (email.outcome, email.reason) == (Outcome.REFUSED, Reason.UNREADABLE)
        assert "a value no field takes" in email.problems and email.raw
        assert not Lead.objects.exists()


class TestQAFindings:
    @pytest.mark.parametrize("date", ["Mon, 07 Dec 2026 15:00:30 -0000", "Mon, 07 Dec 2026 15:00"])
    def test_a_date_without_a_zone_is_read_as_utc(self, mail_user, date):
        raw = messages.message().replace(b"Date: ", b"X-Old-Date: ", 1)
        raw = f"Date: {date}\r\n".encode() + raw
        email = receive(raw).email
        assert email.outcome == Outcome.NEW_LEAD and email.sent_at.hour == 15

    def test_undeclared_8_bit_windows_1252_keeps_the_danish_letters(self, mail_user):
        raw = (
            b"From: J\xf8rgen \xc6rl\xf8 <jorgen@kunde.dk>\r\nTo: crm@example.com\r\n"
            b"Subject: K\xf8b af m\xf8bler\r\nMessage-ID: <cp1252@kunde.dk>\r\n"
            b"Content-Type: text/plain; charset=x-unknown\r\n\r\n"
            b"Vi vil k\xf8be 40 st\xf8le.\r\n"
        )
        lead = receive(raw).email.lead
        assert (lead.first_name, lead.last_name) == ("Jørgen", "Ærlø")
        assert lead.topic == "Køb af møbler" and "Vi vil købe 40 støle." in lead.description

    def test_mail_from_the_lead_leaves_it_new(self, mail_user, alice):
        from leads.models import Status

        lead = make_lead(owner=alice, email="jens@kunde.dk")
        receive(messages.message())
        lead.refresh_from_db()
        assert lead.status == Status.NEW

    def test_a_reps_bcc_copy_is_logged_as_sent_on_the_customers_record(self, mail_user, alice):
        lead = make_lead(owner=alice, email="jens@kunde.dk")
        raw = messages.message(
            sender=f"Alice Adams <{alice.email}>", to="Jens <jens@kunde.dk>", subject="Offer"
        )
        email = receive(raw).email
        assert email.outcome == Outcome.LOGGED
        activity = email.activity
        assert (activity.regarding, activity.direction, activity.owner) == (
            lead,
            "outgoing",
            alice,
        )
        assert activity.other_party == "jens@kunde.dk"

    def test_a_bounce_of_a_sent_email_marks_it_failed(
        self, mail_user, alice, smtp_server, django_capture_on_commit_callbacks
    ):
        from mail.models import OutgoingEmail

        lead = make_lead(owner=alice, email="gone@kunde.dk")
        with django_capture_on_commit_callbacks(execute=True):
            sent = services.send_email(
                regarding=lead, user=alice, to=lead.email, subject="Offer", body="."
            )
        report = messages.bounce().replace(
            b"--B--",
            b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: "
            + sent.message_id.encode()
            + b"\r\nSubject: Offer\r\n--B--",
        )
        assert receive(report).email.reason == Reason.BOUNCE
        sent.refresh_from_db()
        assert sent.status == OutgoingEmail.Status.FAILED and sent.may_retry
        assert sent.error.startswith("Bounced: The mail could not be delivered.")


class TestReceiveEmailCommand:
    def _run(self, monkeypatch, raw):
        stdin = io.TextIOWrapper(io.BytesIO(raw))
        monkeypatch.setattr(sys, "stdin", stdin)
        out = io.StringIO()
        call_command("receive_email", stdout=out)
        return out.getvalue()

    def test_a_piped_message_becomes_a_lead(self, mail_user, monkeypatch):
        said = self._run(monkeypatch, messages.message(message_id="<pipe@kunde.dk>"))
        lead = Lead.objects.get()
        assert said.strip() == f"pipe@kunde.dk: New lead: lead {lead.pk} “{lead}”"
        assert Lead.objects.get().email == "jens@kunde.dk"
        again = self._run(monkeypatch, messages.message(message_id="<pipe@kunde.dk>"))
        assert "already received" in again and Lead.objects.count() == 1

    def test_with_the_database_down_the_mta_is_told_to_try_later(self, tmp_path):
        import os
        import subprocess
        from pathlib import Path

        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3",
        }
        env.pop("TEST_DATABASE_SUFFIX", None)
        run = subprocess.run(
            [sys.executable, "manage.py", "receive_email"],
            input=messages.message(), cwd=Path(__file__).resolve().parents[2], env=env,
            capture_output=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 75, run.stderr[-2000:]
        assert b"try again later" in run.stderr
        empty = subprocess.run(
            [sys.executable, "manage.py", "receive_email"],
            input=b"", cwd=Path(__file__).resolve().parents[2], env=env,
            capture_output=True, timeout=60,
        )  # fmt: skip
        assert empty.returncode == 65

    def test_without_a_user_to_store_it_as_the_mta_is_told_to_try_later(
        self, monkeypatch, settings, db
    ):
        settings.MAIL_LEADS_CREATED_BY = ""
        with pytest.raises(SystemExit) as stopped:
            self._run(monkeypatch, messages.message())
        assert stopped.value.code == 75
        assert not IncomingEmail.objects.exists()


def test_received_mail_is_in_a_persons_export_and_erased_with_them(mail_user, alice):
    from privacy.services import erase_person, export_person

    make_lead(owner=alice, first_name="Jens", last_name="Hansen", email="jens@kunde.dk")
    logged = receive(
        messages.message(files=[("cv.pdf", "application/pdf", b"%PDF-1.4 about Jens")])
    ).email
    refused = receive(messages.message(headers={"Precedence": "bulk"})).email
    exported = export_person(email="jens@kunde.dk")
    found = {
        item.pk
        for section in exported.sections
        for item in section.items
        if item.kind == "received e-mail"
    }
    assert found == {logged.pk, refused.pk}

    erasure = erase_person(email="jens@kunde.dk", user=mail_user, reason="Asked to be forgotten")
    assert erasure.counts["received_emails"] == 2
    for email in (logged, refused):
        email.refresh_from_db()
        assert email.from_address == "[erased]" and email.from_name == ""
        assert "40 chairs" not in email.body and not email.raw
    kind = ContentType.objects.get_for_model(Lead)
    assert not Note.objects.filter(content_type=kind, attachment_name="cv.pdf").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_message_delivered_at_once_by_two_processes_makes_one_lead(admin_user, settings):
    """An MTA's retry racing an IMAP fetch: eight deliveries of one message at the same moment
    (each in its own connection) make one lead; the others find it."""
    import threading

    from django.db import connection

    settings.MAIL_LEADS_CREATED_BY = admin_user.username
    raw = messages.message(message_id="<race@kunde.dk>")
    barrier = threading.Barrier(8)
    created, errors = [], []

    def deliver():
        barrier.wait()
        try:
            created.append(receive(raw).created)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == [False] * 7 + [True]
    assert Lead.objects.count() == 1 and IncomingEmail.objects.count() == 1


class TestAdmin:
    def test_the_refused_list_makes_a_lead_and_blocks_a_sender(self, mail_user, as_admin):
        refused = receive(messages.message(headers={"Precedence": "bulk"})).email
        logged = receive(messages.message(sender="Ny <ny@kunde.dk>")).email
        url = "/admin/mail/incomingemail/"
        page = as_admin.get(url + "?outcome__exact=refused")
        assert page.status_code == 200 and "Do you deliver to Aarhus?" in page.text
        assert "ny@kunde.dk" not in page.text

        answer = as_admin.post(
            url,
            {"action": "make_leads", "_selected_action": [refused.pk, logged.pk]},
            follow=True,
        )
        assert "1 lead made. 1 message was not refused and stays as it is." in answer.text
        refused.refresh_from_db()
        assert refused.outcome == Outcome.NEW_LEAD and refused.lead.email == "jens@kunde.dk"

        as_admin.post(url, {"action": "block_senders", "_selected_action": [logged.pk]})
        assert BlockedSender.objects.filter(pattern="ny@kunde.dk").exists()
        again = receive(messages.message(sender="ny@kunde.dk", subject="Once more")).email
        assert again.reason == Reason.BLOCKED

    def test_a_message_shows_as_text_never_as_html(self, mail_user, as_admin):
        email = receive(messages.html_only()).email
        page = as_admin.get(f"/admin/mail/incomingemail/{email.pk}/change/")
        assert page.status_code == 200
        assert "Please send prices" in page.text and "<script>alert" not in page.text


def test_the_received_list_reads_a_fixed_number_of_queries(
    mail_user, alice, as_admin, django_assert_max_num_queries
):
    for number in range(3):
        make_lead(owner=alice, email=f"k{number}@kunde.dk")
        receive(messages.message(sender=f"k{number}@kunde.dk"))
        receive(messages.message(sender=f"ny{number}@kunde.dk"))
    with django_assert_max_num_queries(16) as captured:
        as_admin.get("/admin/mail/incomingemail/")
    many = len(captured)
    for number in range(3, 9):
        receive(messages.message(sender=f"ny{number}@kunde.dk"))
    with django_assert_max_num_queries(many):
        as_admin.get("/admin/mail/incomingemail/")
