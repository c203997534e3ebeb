"""E-mail in the browser: a rep sends an e-mail from a lead's page; a real SMTP server
(aiosmtpd) receives it; the lead shows it sent and on its timeline."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead
from mail.tests.conftest import smtp_server  # noqa: F401 (the fixture)


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
