"""The message corpus of the receiving tests: well-formed mail built with the standard library,
and broken mail written out byte by byte, as it arrives from the wild."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def message(
    *,
    sender="Jens Hansen <jens@kunde.dk>",
    to="crm@example.com",
    subject="Do you deliver to Aarhus?",
    body="Hello,\n\nWe need 40 chairs by March.\n\nJens",
    message_id=None,
    headers=None,
    files=(),
) -> bytes:
    mail = EmailMessage()
    if sender:
        mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="kunde.dk")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    for name, content_type, data in files:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(mail)


def reply_to(message_id: str, **values) -> bytes:
    """An answer to `message_id` (as a mail program writes one: In-Reply-To and References)."""
    bracketed = message_id if message_id.startswith("<") else f"<{message_id}>"
    headers = {"In-Reply-To": bracketed, "References": bracketed, **values.pop("headers", {})}
    return message(subject="Re: " + values.pop("subject", "Our offer"), headers=headers, **values)


def bounce() -> bytes:
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.kunde.dk>\r\n"
        b"To: crm@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.kunde.dk>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.kunde.dk\r\n\r\nFinal-Recipient: rfc822; x@kunde.dk\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n--B--\r\n"
    )


def malformed_mime() -> bytes:
    """A multipart whose boundary never appears, a part with no end, a broken header line."""
    return (
        b"From: Broken Sender <broken@kunde.dk>\r\nTo: crm@example.com\r\n"
        b"Subject: =?utf-8?q?Half_an_encoded_word\r\nMessage-ID: <broken-1@kunde.dk>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-used"\r\n'
        b"this line is not a header\r\n\r\n"
        b"--wrong-boundary\r\nContent-Type: text/plain\r\n\r\nThe text is still here.\r\n"
    )


def unknown_charset() -> bytes:
    return (
        "From: Søren Ærø <soren@kunde.dk>\r\nTo: crm@example.com\r\n".encode()
        + b"Subject: Tilbud\r\nMessage-ID: <charset-1@kunde.dk>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-made-up-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Vi vil gerne have et tilbud p\xc3\xa5 40 stole.\r\n"
    )


def html_only() -> bytes:
    return (
        b"From: Web Shop <hello@shop.dk>\r\nTo: crm@example.com\r\n"
        b"Subject: Price list\r\nMessage-ID: <html-1@shop.dk>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><title>t</title><style>p{color:red}</style></head><body>"
        b"<p>Please send <b>prices</b> for 40&nbsp;chairs &amp; tables.</p>"
        b"<script>alert('x')</script><img src=x onerror=alert(1)><p>Mette</p></body></html>\r\n"
    )


def no_sender() -> bytes:
    return (
        b"To: crm@example.com\r\nSubject: Who am I\r\nMessage-ID: <nosender-1@kunde.dk>\r\n\r\n"
        b"Nobody sent this.\r\n"
    )
