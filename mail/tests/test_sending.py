"""Sending e-mail from a record to a real SMTP server: what arrives, once; a refusal shows on
the e-mail and can be sent again; a run that finds the e-mail already claimed sends nothing;
a person who asked not to be e-mailed is not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import ContactFactory
from activities.models import Activity
from crm.errors import DomainError
from leads.tests.factories import make_lead
from mail import services
from mail.models import EmailTemplate, OutgoingEmail

pytestmark = pytest.mark.django_db


def _send(lead, user, **values):
    return services.send_email(
        regarding=lead,
        user=user,
        **{
            "to": lead.email,
            "subject": "Our offer",
            "body": "Dear Anna,\n\nHere it is.",
            **values,
        },
    )


def test_an_email_from_a_lead_arrives_once_and_is_on_the_timeline(
    alice, smtp_server, django_capture_on_commit_callbacks
):
    lead = make_lead(owner=alice, first_name="Anna", last_name="Larsen", email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send(lead, alice, cc="boss@example.com")
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.SENT and sent.attempts == 1
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert sorted(recipients) == ["anna@example.com", "boss@example.com"]
    assert message["Message-ID"] == sent.message_id
    assert message["Subject"] == "Our offer"
    assert "Alice Adams" in message["From"]
    assert "Here it is." in message.get_content()
    activity = sent.activity
    assert (activity.kind, activity.state, activity.direction) == (
        "email",
        "completed",
        "outgoing",
    )
    assert activity.regarding == lead and activity.description.endswith("Here it is.")
    # A second run of the task (a retried task, a duplicate) sends nothing more.
    assert services.deliver(sent.pk) == OutgoingEmail.Status.SENT
    assert len(smtp_server.messages) == 1


def test_a_run_that_finds_the_email_claimed_sends_nothing_and_says_unknown(
    alice, smtp_server, django_capture_on_commit_callbacks
):
    lead = make_lead(owner=alice, email="anna@example.com")
    sent = _send(lead, alice)  # on_commit not run: queued
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.SENDING)
    assert services.deliver(sent.pk) == OutgoingEmail.Status.UNKNOWN
    assert smtp_server.messages == []
    sent.refresh_from_db()
    assert sent.may_retry and "Check with the recipient" in sent.error


def test_a_refused_email_fails_with_the_servers_words_and_is_sent_again(
    alice, smtp_server, django_capture_on_commit_callbacks
):
    lead = make_lead(owner=alice, email="anna@example.com")
    smtp_server.refuse = "554 Transaction failed: spam"
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send(lead, alice)
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.FAILED and "spam" in sent.error
    smtp_server.refuse = None
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(email=sent, user=alice)
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.SENT and sent.attempts == 2
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_fails_the_email(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    lead = make_lead(owner=alice, email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send(lead, alice)
    sent.refresh_from_db()
    assert sent.status == OutgoingEmail.Status.FAILED and sent.error


def test_a_person_who_asked_not_to_be_emailed_is_not(alice, smtp_server):
    lead = make_lead(owner=alice, email="anna@example.com", do_not_email=True)
    with pytest.raises(DomainError, match="asked not to be e-mailed"):
        _send(lead, alice)
    assert not OutgoingEmail.objects.exists()
    assert not Activity.objects.filter(kind="email").exists()


def test_files_of_notes_and_uploads_go_with_it(
    alice, smtp_server, django_capture_on_commit_callbacks
):
    from activities.services import add_note

    lead = make_lead(owner=alice, email="anna@example.com")
    note = add_note(
        regarding=lead,
        user=alice,
        text="Price list",
        upload=SimpleUploadedFile("prices.txt", b"Prices 2027"),
        content_type="text/plain",
    )
    upload = SimpleUploadedFile("offer.txt", b"The offer")
    with django_capture_on_commit_callbacks(execute=True):
        _send(lead, alice, notes=[note], uploads=[(upload, "application/octet-stream")])
    _, message = smtp_server.messages[0]
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == ["offer.txt", "prices.txt"]
    assert {part.get_content_type() for part in message.iter_attachments()} == {"text/plain"}
    # The uploaded file stays on the lead as a note.
    assert lead.pk in {n.object_id for n in type(note).objects.filter(attachment_name="offer.txt")}


def test_a_template_fills_its_placeholders(alice):
    contact = ContactFactory(
        owner_user=alice, first_name="Jens", last_name="Holm", email="j@example.com"
    )
    template = EmailTemplate.objects.create(
        name="Intro",
        subject="Hello {first_name}",
        body="Dear {first_name} {last_name}\n{signature}",
    )
    filled = services.filled_template(template, contact, alice)
    assert filled["subject"] == "Hello Jens"
    assert filled["body"].startswith("Dear Jens Holm\nAlice Adams")


class TestPages:
    def test_a_rep_sends_from_the_lead_page(
        self, as_alice, alice, smtp_server, django_capture_on_commit_callbacks
    ):
        lead = make_lead(owner=alice, first_name="Anna", email="anna@example.com")
        page = as_alice.get(lead.get_absolute_url()).content.decode()
        url = reverse("mail:compose", args=["leads.lead", lead.pk])
        assert url in page
        form = as_alice.get(url)
        assert form.context["form"].initial["to"] == "anna@example.com"
        with django_capture_on_commit_callbacks(execute=True):
            response = as_alice.post(
                url, {"to": "anna@example.com", "subject": "Hi", "body": "Hello"}, follow=True
            )
        assert "E-mail “Hi” is being sent" in response.content.decode()
        assert len(smtp_server.messages) == 1
        page = as_alice.get(lead.get_absolute_url()).content.decode()
        assert 'data-testid="sent-emails"' in page and "Sent" in page

    def test_bad_addresses_are_said_on_the_field(self, as_alice, alice):
        lead = make_lead(owner=alice, email="anna@example.com")
        url = reverse("mail:compose", args=["leads.lead", lead.pk])
        response = as_alice.post(
            url, {"to": "anna@, bob@example.com", "subject": "Hi", "body": "x"}
        )
        assert response.context["form"].errors["to"] == ["“anna@” is not an e-mail address."]
        assert not OutgoingEmail.objects.exists()

    def test_chosen_files_are_asked_for_again_when_the_form_comes_back(self, as_alice, alice):
        lead = make_lead(owner=alice, email="anna@example.com")
        url = reverse("mail:compose", args=["leads.lead", lead.pk])
        upload = SimpleUploadedFile("offer.txt", b"The offer")
        post = {"to": "bad@", "subject": "Hi", "body": "x", "files": upload}
        response = as_alice.post(url, post)
        assert response.context["form"].errors["files"] == [
            "Choose the files again: they are not kept when the form is sent back."
        ]
        assert not OutgoingEmail.objects.exists()

    def test_the_page_says_why_a_do_not_email_person_cannot_be_emailed(self, as_alice, alice):
        lead = make_lead(owner=alice, email="anna@example.com", do_not_email=True)
        url = reverse("mail:compose", args=["leads.lead", lead.pk])
        text = as_alice.get(url).content.decode()
        assert "This person asked not to be e-mailed." in text
        as_alice.post(url, {"to": "anna@example.com", "subject": "Hi", "body": "x"})
        assert not OutgoingEmail.objects.exists()

    def test_another_teams_lead_is_not_found(self, as_alice, carol):
        lead = make_lead(owner=carol, email="c@example.com")
        url = reverse("mail:compose", args=["leads.lead", lead.pk])
        assert as_alice.get(url).status_code == 404

    def test_an_unknown_kind_is_not_found(self, as_alice):
        assert as_alice.get(reverse("mail:compose", args=["crm.user", 1])).status_code == 404


def test_a_persons_sent_emails_are_exported_and_erased(alice, admin_user):
    from privacy.services import erase_person, export_person

    lead = make_lead(owner=alice, first_name="Anna", last_name="Larsen", email="anna@example.com")
    sent = _send(lead, alice, body="Dear Anna Larsen, call me at anna@example.com")
    exported = export_person(email="anna@example.com")
    assert any(
        item.pk == sent.pk
        for section in exported.sections
        for item in section.items
        if item.kind == "sent e-mail"
    )
    erasure = erase_person(
        email="anna@example.com", user=admin_user, reason="Asked to be forgotten"
    )
    sent.refresh_from_db()
    assert sent.to_addresses == "[erased]"
    assert "anna@example.com" not in sent.body and "Larsen" not in sent.body
    assert erasure.counts["sent_emails"] == 1


class TestPanel:
    def test_a_queued_email_polls_its_status_until_it_is_sent(self, alice, as_alice):
        lead = make_lead(owner=alice, email="anna@example.com")
        sent = _send(lead, alice)  # no commit callbacks run: it stays queued
        page = as_alice.get(lead.get_absolute_url())
        status_url = reverse("mail:status", args=[sent.pk])
        assert f'hx-get="{status_url}"' in page.text
        OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.SENT)
        line = as_alice.get(status_url)
        assert line.status_code == 200 and "Sent" in line.text and "hx-get" not in line.text

    def test_another_teams_email_status_is_not_found(self, carol, as_alice):
        lead = make_lead(owner=carol, email="x@example.com")
        sent = _send(lead, carol)
        assert as_alice.get(reverse("mail:status", args=[sent.pk])).status_code == 404

    def test_a_do_not_email_record_shows_why_the_button_is_off(self, alice, as_alice):
        lead = make_lead(owner=alice, email="anna@example.com", do_not_email=True)
        page = as_alice.get(lead.get_absolute_url())
        assert "Do not e-mail is set." in page.text
        assert reverse("mail:compose", args=["leads.lead", lead.pk]) not in page.text


def test_a_failed_email_of_a_do_not_email_record_offers_no_send_again(alice, as_alice):
    lead = make_lead(owner=alice, email="anna@example.com")
    sent = _send(lead, alice)
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.FAILED)
    assert 'data-testid="retry-email"' in as_alice.get(lead.get_absolute_url()).text
    type(lead).objects.filter(pk=lead.pk).update(do_not_email=True)
    page = as_alice.get(lead.get_absolute_url())
    assert 'data-testid="retry-email"' not in page.text and "Do not e-mail is set." in page.text
