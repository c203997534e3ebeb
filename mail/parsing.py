"""Reading a received message (RFC 822 bytes) into what the CRM keeps, never raising on bad
mail: malformed MIME is read as far as Python's parser gets, an unknown charset is decoded as
UTF-8 with replacements, an HTML-only body becomes plain text (the HTML itself is never kept
or shown), and a header that cannot be parsed reads as its raw text."""

import datetime
import email
import email.header
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

# More than this much text is cut (a description the timeline can still show).
MAX_BODY_CHARS = 100_000
_ID = re.compile(r"<([^<>\s]+)>")


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMessage:
    message_id: str
    from_address: str
    from_name: str
    to_addresses: str
    subject: str
    body: str
    sent_at: object
    references: list[str]
    headers: dict[str, str]
    content_type: str
    report_type: str
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _header(message, name: str) -> str:
    """The header's text, or '' (a header the policy cannot parse reads as its raw value; raw
    8-bit bytes, which mail programs send undeclared, are read as UTF-8 or Windows-1252)."""
    try:
        value = str(message.get(name) or "")
    except Exception:  # a malformed header: the policy's parser gave up
        value = _raw_header(message, name)
    if "\ufffd" in value:
        value = _raw_header(message, name) or value
    return " ".join(value.split())


def _raw_header(message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            data = value.encode("ascii", "surrogateescape")
            text = decode_guessing(data)
            return str(email.header.make_header(email.header.decode_header(text)))
    return ""


def decode_guessing(data: bytes) -> str:
    """Bytes whose charset is unknown: UTF-8 when they are UTF-8, else Windows-1252 (the usual
    undeclared one: it keeps æ, ø and å), never an error."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def message_id_of(message, raw: bytes) -> str:
    """The Message-ID without angle brackets; a message without one (or with one too long to
    store) is known by a digest of its bytes, so its second delivery still matches."""
    found = _ID.search(_header(message, "Message-ID"))
    value = found.group(1) if found else _header(message, "Message-ID").strip("<> ")
    if value and len(value) <= 255:
        return value
    return f"sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid"


class _TextOfHtml(HTMLParser):
    """The words of an HTML body with line breaks where blocks end; scripts, styles and the
    head are dropped."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}
    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    reader = _TextOfHtml()
    try:
        reader.feed(html)
        reader.close()
    except Exception:  # HTMLParser is lenient; keep what it read
        pass
    lines = [" ".join(line.split()) for line in "".join(reader.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_of(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AttributeError, ValueError, KeyError):
        # An unknown or wrong charset: UTF-8 if the bytes are, else Windows-1252.
        return decode_guessing(part.get_payload(decode=True) or b"")


def _body(message, part, problems: list[str]) -> str:
    """The text of `part` (the message's body part, None when it has none)."""
    if part is not None:
        text = _text_of(part)
        if part.get_content_subtype() == "html":
            text = html_to_text(text)
    elif message.get_content_maintype() == "multipart" and not message.is_multipart():
        # A multipart whose boundary never appears: its text is all there is.
        text = decode_guessing(message.get_payload(decode=True) or b"")
    elif not message.is_multipart() and message.get_content_maintype() == "text":
        text = _text_of(message)
    else:
        return ""
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > MAX_BODY_CHARS:
        problems.append(_("The text was cut at %(count)s characters.") % {"count": MAX_BODY_CHARS})
        text = text[:MAX_BODY_CHARS]
    return text


def _attachments(message, body_part) -> list[Attachment]:
    found = []
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        name = part.get_filename()
        if not name and part.get_content_disposition() != "attachment":
            continue
        data = part.get_payload(decode=True)
        if data is None:
            continue
        name = (name or "attachment").replace("/", "_").replace("\\", "_").strip()[:200]
        found.append(Attachment(name or "attachment", part.get_content_type(), data))
    return found


def _sender(message) -> tuple[str, str]:
    name, address = parseaddr(_header(message, "From"))
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return "", ""
    return " ".join(name.split())[:200], address


def _sent_at(message):
    try:
        value = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value is None:
        return None
    # "-0000" and a date without a zone come back naive: UTC is what they mean.
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


def parse(raw: bytes, *, with_attachments: bool = True) -> ParsedMessage:
    message: EmailMessage = email.message_from_bytes(raw, policy=email.policy.default)
    problems = []
    if message.defects:
        problems.append(_("Parts of the message were malformed; what could be read is kept."))
    name, address = _sender(message)
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body_part = None
    try:
        to = ", ".join(
            address
            for _, address in getaddresses([_header(message, "To"), _header(message, "Cc")])
            if address
        )
    except Exception:
        to = _header(message, "To")
    references = _ID.findall(
        _header(message, "In-Reply-To") + " " + _header(message, "References")
    )
    headers = {
        name: _header(message, name)
        for name in (
            "Auto-Submitted",
            "X-Autoreply",
            "X-Autorespond",
            "Precedence",
            "List-Id",
            "List-Unsubscribe",
            "X-Spam-Flag",
            "X-Spam-Status",
            "X-Spam",
            "Return-Path",
            "X-Failed-Recipients",
        )
    }
    return ParsedMessage(
        message_id=message_id_of(message, raw),
        from_address=address,
        from_name=name,
        to_addresses=to,
        subject=_header(message, "Subject")[:300],
        body=_body(message, body_part, problems),
        sent_at=_sent_at(message),
        # Newest last in References; In-Reply-To first: the message answered.
        references=list(dict.fromkeys(references))[:50],
        headers=headers,
        content_type=message.get_content_type(),
        report_type=(message.get_param("report-type", "") or "").lower(),
        attachments=_attachments(message, body_part) if with_attachments else [],
        problems=problems,
    )
