"""E-mail in the browser: a rep sends an e-mail from a lead's page; a real SMTP server
(aiosmtpd) receives it; the lead shows it sent and on its timeline. The answer, delivered to a
real IMAP mailbox (Dovecot) and fetched, shows on the lead's timeline; a stranger's mail becomes
a routed lead."""

import io

from django.core.management import call_command
from playwright.sync_api import expect

from leads.models import Lead
from leads.routing.tests.factories import make_rule
from leads.tests.factories import make_lead
from mail.tests import messages
from mail.tests.conftest import smtp_server  # noqa: F401 (the fixture)
from mail.tests.imap import imap_server  # noqa: F401 (the fixture)


def test_a_rep_sends_an_email_from_a_lead(page, live_server, login, alice, smtp_server):  # noqa: F811
    lead = make_lead(owner=alice, first_name="Anna", last_name="Larsen", email="anna@example.com")
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    page.get_by_test_id("send-email").click()
    expect(page.get_by_role("heading", name="Send an e-mail")).to_be_visible()
    expect(page.locator("#id_to")).to_have_value("anna@example.com")
    page.get_by_label("Subject").fill("Our offer")
    page.get_by_label("Message").fill("Dear Anna,\n\nThe offer is attached.")
    page.get_by_label("Attach files").set_input_files(
        files=[{"name": "offer.txt", "mimeType": "text/plain", "buffer": b"The offer"}]
    )
    page.get_by_test_id("send").click()

    expect(
        page.get_by_text("E-mail “Our offer” is being sent; it is on the timeline.")
    ).to_be_visible()
    panel = page.get_by_test_id("sent-emails")
    expect(panel.get_by_test_id("sent-email-status")).to_have_text("Sent")
    expect(page.get_by_text("Dear Anna,").first).to_be_visible()
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == ["anna@example.com"] and message["Subject"] == "Our offer"
    assert [part.get_filename() for part in message.iter_attachments()] == ["offer.txt"]


def test_the_reply_lands_on_the_lead_and_a_new_senders_mail_becomes_a_routed_lead(
    page,
    live_server,
    login,
    alice,
    bob,
    admin_user,
    settings,
    smtp_server,  # noqa: F811
    imap_server,  # noqa: F811
):
    settings.MAIL_IMAP_HOST, settings.MAIL_IMAP_PORT = imap_server.host, imap_server.port
    settings.MAIL_IMAP_SECURITY = "none"
    settings.MAIL_IMAP_USER, settings.MAIL_IMAP_PASSWORD = imap_server.user, imap_server.password
    settings.MAIL_LEADS_CREATED_BY = admin_user.username
    make_rule("Everyone to Alice", alice)
    lead = make_lead(owner=alice, first_name="Anna", last_name="Larsen", email="anna@example.com")
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    page.get_by_test_id("send-email").click()
    page.get_by_label("Subject").fill("Chairs for the office")
    page.get_by_label("Message").fill("Dear Anna,\n\nShall we say 40 chairs?")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("sent-email-status")).to_have_text("Sent")

    # Anna answers (from her phone, another address); a stranger writes to the CRM's mailbox.
    ((_recipients, sent),) = smtp_server.messages
    imap_server.append(
        messages.reply_to(
            sent["Message-ID"],
            sender="Anna Larsen <anna.mobile@example.net>",
            subject="Chairs for the office",
            body="Yes, 40 chairs, delivered in March.",
        )
    )
    imap_server.append(
        messages.message(
            sender="Mikkel Holm <mikkel@holm.dk>",
            subject="Standing desks for 12 people",
            body="Can you send a price for 12 standing desks?",
        )
    )
    call_command("fetch_mail", stdout=io.StringIO())

    page.reload()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text("Re: Chairs for the office")).to_be_visible()
    expect(timeline.get_by_text("Yes, 40 chairs, delivered in March.")).to_be_visible()

    page.goto(f"{live_server.url}/leads/?q=mikkel")
    page.get_by_role("link", name="Standing desks for 12 people").click()
    expect(page.get_by_text("Mikkel Holm").first).to_be_visible()
    expect(page.get_by_text("Can you send a price for 12 standing desks?")).to_be_visible()
    expect(page.get_by_text("E-mail", exact=True).first).to_be_visible()
    new_lead = Lead.objects.get(email="mikkel@holm.dk")
    assert new_lead.owner == alice and new_lead.source.name == "E-mail"


def test_an_administrator_makes_a_refused_message_into_a_lead(
    page, live_server, login, admin_user, settings
):
    from mail.receiving import receive

    settings.MAIL_LEADS_CREATED_BY = admin_user.username
    receive(
        messages.message(
            sender="Karen Dahl <karen@dahl.dk>",
            subject="Price list for 2027",
            headers={"Precedence": "bulk"},
        ),
        via="pipe",
    )
    login(admin_user)
    page.goto(f"{live_server.url}/admin/mail/incomingemail/")
    page.get_by_role("link", name="Refused", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Price list for 2027")
    expect(row.get_by_text("Automatic reply")).to_be_visible()
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("make_leads")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 lead made.")).to_be_visible()
    page.goto(f"{live_server.url}/admin/mail/incomingemail/")
    page.get_by_role("row").filter(has_text="Price list for 2027").get_by_role(
        "link", name="Price list for 2027"
    ).last.click()
    expect(page.get_by_role("heading", name="Price list for 2027").first).to_be_visible()
    assert Lead.objects.get(email="karen@dahl.dk").source.name == "E-mail"
