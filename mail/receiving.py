"""Receiving e-mail: one path for both ways in (`receive_email` on an MTA's pipe, `fetch_mail`
from an IMAP mailbox). `receive` reads the message (mail.parsing), and in one transaction:

1. refuses junk and loops, keeping the message with the reason (auto-replies, bounces,
   mailing lists, our own addresses, spam the server flagged, the blocklist);
2. logs a reply (In-Reply-To / References naming a message we sent or received) on the same
   record's timeline, as a completed incoming e-mail activity with the files as notes;
3. logs a message whose sender is an open lead, a contact or another lead there;
4. otherwise creates a lead through leads.services.create_lead (source "E-mail", routed, with
   the duplicate note a web form's lead gets).

The IncomingEmail row, unique by Message-ID, is written first in the same transaction, so the
same message delivered twice (an MTA's retry, a mailbox read again after a crash between the
commit and the flag) makes one activity or one lead: the second finds the first's row, or
waits for its transaction and then fails the unique constraint. A message that cannot be read
at all is kept as refused ("could not be read"), so one bad message never stops the mailbox."""

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import Contact
from activities import services as activities
from activities.attachments import check_attachment
from activities.models import Activity
from crm.errors import DomainError
from crm.lib.duplicates import normalise_email
from crm.models import OwnedRecord
from leads.duplicates import possible_duplicates
from leads.models import Lead, LeadSource, State
from leads.services import create_lead
from mail.models import BlockedSender, IncomingEmail, OutgoingEmail
from mail.parsing import ParsedMessage, parse

logger = logging.getLogger(__name__)
Reason = IncomingEmail.Reason


@dataclass
class Received:
    email: IncomingEmail
    created: bool  # False: this message had been received before


# Which kind of junk ------------------------------------------------------------------------


def own_addresses() -> set[str]:
    found = {settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL, settings.MAIL_REPLY_TO}
    found.update(settings.MAIL_OWN_ADDRESSES)
    if "@" in settings.MAIL_IMAP_USER:
        found.add(settings.MAIL_IMAP_USER)
    addresses = set()
    for item in found:
        address = (item or "").rpartition("<")[2].rstrip(">").strip().lower()
        if address:
            addresses.add(address)
    return addresses


def _is_own(address: str) -> bool:
    domain = "@" + address.rpartition("@")[2]
    own = own_addresses()
    if address in own or domain in own:
        return True
    return _user_with(address) is not None


def _user_with(address: str):
    return get_user_model().objects.filter(email__iexact=address, is_active=True).first()


def _is_blocked(address: str) -> bool:
    domain = address.rpartition("@")[2]
    return BlockedSender.objects.filter(pattern__in=[address, "@" + domain, domain]).exists()


def junk_reason(parsed: ParsedMessage) -> str:
    """Why this message must not become a lead or an activity ('' when it may)."""
    headers = {name: value.lower() for name, value in parsed.headers.items()}
    if not parsed.from_address:
        return Reason.NO_SENDER
    local = parsed.from_address.partition("@")[0]
    if (
        (parsed.content_type == "multipart/report" and parsed.report_type == "delivery-status")
        or local in ("mailer-daemon", "postmaster")
        or headers["Return-Path"] == "<>"
        or headers["X-Failed-Recipients"]
    ):
        return Reason.BOUNCE
    if (
        headers["Auto-Submitted"] not in ("", "no")
        or headers["X-Autoreply"]
        or headers["X-Autorespond"]
        or headers["Precedence"] in ("bulk", "junk", "auto_reply")
    ):
        return Reason.AUTO_REPLY
    if headers["List-Id"] or headers["List-Unsubscribe"] or headers["Precedence"] == "list":
        return Reason.MAILING_LIST
    if (
        headers["X-Spam-Flag"].startswith("yes")
        or headers["X-Spam-Status"].startswith("yes")
        or headers["X-Spam"].startswith("yes")
    ):
        return Reason.SPAM
    if _is_own(parsed.from_address):
        return Reason.OWN_ADDRESS
    if _is_blocked(parsed.from_address):
        return Reason.BLOCKED
    return ""


# Where it belongs --------------------------------------------------------------------------


def _current(record: OwnedRecord | None) -> OwnedRecord | None:
    """A merged lead or contact's master (what the merged one points to, followed)."""
    seen = 0
    while record is not None and getattr(record, "merged_into_id", None) and seen < 10:
        record = record.merged_into
        seen += 1
    return record


def thread_record(parsed: ParsedMessage) -> OwnedRecord | None:
    """The record of the message this one answers (one we sent, or one we received and
    logged), the latest named first."""
    if not parsed.references:
        return None
    ids = parsed.references
    order = {message_id: index for index, message_id in enumerate(reversed(ids))}
    candidates = []
    # Ours are stored as make_msgid writes them, in angle brackets.
    sent = OutgoingEmail.objects.filter(message_id__in=[f"<{id_}>" for id_ in ids])
    for email in sent.select_related("activity"):
        candidates.append((order[email.message_id.strip("<>")], email.activity.regarding))
    for received in (
        IncomingEmail.objects.filter(message_id__in=ids)
        .exclude(outcome=IncomingEmail.Outcome.REFUSED)
        .select_related("activity", "lead")
    ):
        record = received.activity.regarding if received.activity_id else received.lead
        candidates.append((order[received.message_id], record))
    for _position, record in sorted(candidates, key=lambda item: item[0]):
        record = _current(record)
        if record is not None:
            return record
    return None


def recipient_record(parsed: ParsedMessage) -> OwnedRecord | None:
    """The record of the first To/Cc address that is a customer's (a rep's copy, Bcc'd to the
    CRM, of a mail to them)."""
    own = own_addresses()
    for address in parsed.to_addresses.split(","):
        address = address.strip().lower()
        if address and address not in own and _user_with(address) is None:
            record = sender_record(address)
            if record is not None:
                return record
    return None


def sender_record(address: str) -> OwnedRecord | None:
    """The open lead with this address, else the contact, else another lead (the latest); a
    merged one's master."""
    key = normalise_email(address)
    leads = Lead.objects.filter(email_key=key)
    found = leads.filter(state=State.OPEN, merged_into__isnull=True).order_by("-pk").first()
    if found is None:
        found = Contact.objects.filter(email_key=key).order_by("-is_active", "-pk").first()
    return _current(found or leads.order_by("-pk").first())


# Storing -----------------------------------------------------------------------------------


def mail_user():
    """Whom received mail is stored as: MAIL_LEADS_CREATED_BY, or the first active
    superuser. ImproperlyConfigured when there is none: the message is not taken (an MTA
    retries it, the mailbox keeps it)."""
    users = get_user_model().objects.filter(is_active=True)
    if settings.MAIL_LEADS_CREATED_BY:
        user = users.filter(username=settings.MAIL_LEADS_CREATED_BY).first()
        if user is None:
            raise ImproperlyConfigured(
                f"MAIL_LEADS_CREATED_BY names {settings.MAIL_LEADS_CREATED_BY!r}: "
                "no active user has that username."
            )
        return user
    user = users.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise ImproperlyConfigured(
            "Received mail needs a user to be stored as: create a superuser or set "
            "MAIL_LEADS_CREATED_BY."
        )
    return user


def _acting_user(record: OwnedRecord, fallback):
    """The record's owner when a person owns it (the activity and its notes are theirs), else
    the mail user."""
    owner = record.owner_user
    if owner is not None and owner.is_active and activities.may_add_to(record, owner):
        return owner
    return fallback


def _add_files(parsed: ParsedMessage, record: OwnedRecord, user, problems: list[str]) -> None:
    text = _("Received with the e-mail “%(subject)s”.") % {"subject": parsed.subject[:150]}
    for attachment in parsed.attachments:
        upload = ContentFile(attachment.data, name=attachment.name)
        try:
            content_type = check_attachment(upload)
        except ValidationError as error:
            problems.append(
                _("%(name)s (%(size)s) was not kept: %(reason)s")
                % {
                    "name": attachment.name,
                    "size": filesizeformat(len(attachment.data)),
                    "reason": " ".join(error.messages),
                }
            )
            continue
        activities.add_note(
            regarding=record, user=user, text=text, upload=upload, content_type=content_type
        )


def _description(parsed: ParsedMessage, problems: list[str]) -> str:
    if not problems:
        return parsed.body
    return f"{parsed.body}\n\n— " + "\n— ".join(problems)


def _log_on(
    record: OwnedRecord, parsed: ParsedMessage, user, problems: list[str], *, rep=None
) -> Activity:
    """A completed e-mail on the record: incoming, or outgoing when `rep` (a user) sent it and
    copied the CRM (then the activity is theirs if they may add to the record)."""
    if rep is not None and activities.may_add_to(record, rep):
        acting = rep
    else:
        acting = _acting_user(record, user)
    _add_files(parsed, record, acting, problems)
    if rep is not None:
        direction, other_party = Activity.Direction.OUTGOING, parsed.to_addresses
    else:
        direction = Activity.Direction.INCOMING
        other_party = (
            f"{parsed.from_name} <{parsed.from_address}>"
            if parsed.from_name
            else parsed.from_address
        )
    return activities.log_activity(
        regarding=record,
        user=acting,
        kind=Activity.Kind.EMAIL,
        data={
            "subject": parsed.subject[:200] or _("(no subject)"),
            "description": _description(parsed, problems),
            "direction": direction,
            "other_party": other_party[:200],
        },
        completed=True,
    )


def _names(parsed: ParsedMessage) -> tuple[str, str]:
    """First and last name from the display name ("Jens Hansen", "Hansen, Jens")."""
    name = parsed.from_name.strip().strip('"')
    if "@" in name:
        return "", ""
    if "," in name:
        last, _sep, first = name.partition(",")
        return first.strip()[:50], last.strip()[:50]
    first, _sep, last = name.rpartition(" ")
    return first.strip()[:50], last.strip()[:50]


def email_source() -> LeadSource:
    source = LeadSource.objects.filter(name__iexact=settings.MAIL_LEAD_SOURCE).first()
    return source or LeadSource.objects.create(name=settings.MAIL_LEAD_SOURCE, order=100)


def _new_lead(parsed: ParsedMessage, user, problems: list[str]) -> Lead:
    first, last = _names(parsed)
    data = {
        "first_name": first,
        "last_name": last,
        "email": parsed.from_address[:100],
        "topic": parsed.subject[:300],
        "source": email_source(),
    }
    matches = possible_duplicates(user=user, data=data)
    lead = create_lead(
        data={**data, "description": _description(parsed, problems)}, created_by=user, route=True
    )
    known = len(problems)
    _add_files(parsed, lead, user, problems)
    if len(problems) > known:  # a file not kept: the description says so too
        lead.description = _description(parsed, problems)
        lead.save(update_fields=["description"])
    if matches:
        names = ", ".join(f"{match.record} ({match.score} %)" for match in matches[:5])
        activities.add_note(
            regarding=lead,
            user=user,
            text=_("Possible duplicates of this lead from e-mail: %(names)s") % {"names": names},
        )
    return lead


def _claim(parsed: ParsedMessage, raw: bytes, via: str) -> IncomingEmail | None:
    """Insert this message's row (savepoint); None when its Message-ID is taken already."""
    try:
        with transaction.atomic():
            return IncomingEmail.objects.create(
                message_id=parsed.message_id,
                from_address=parsed.from_address,
                from_name=parsed.from_name,
                to_addresses=parsed.to_addresses,
                subject=parsed.subject,
                body=parsed.body,
                sent_at=parsed.sent_at,
                size=len(raw),
                via=via,
                outcome=IncomingEmail.Outcome.REFUSED,
                reason=Reason.UNREADABLE,
            )
    except IntegrityError:
        return None


def _refuse(incoming: IncomingEmail, reason: str, raw: bytes, problems: list[str]) -> None:
    incoming.outcome = IncomingEmail.Outcome.REFUSED
    incoming.reason = reason
    incoming.problems = "\n".join(problems)
    incoming.raw.save(f"{incoming.pk}.eml", ContentFile(raw), save=False)
    incoming.save()


_QUOTED_ID = re.compile(rb"^message-id:\s*<([^<>\s]+)>", re.IGNORECASE | re.MULTILINE)


def _note_bounce(parsed: ParsedMessage, raw: bytes) -> int:
    """A bounce of an e-mail we sent (named in its References or in the original's headers the
    report quotes) marks that e-mail failed, with the report's words. Returns how many."""
    ids = set(parsed.references)
    ids.update(found.decode("ascii", "replace") for found in _QUOTED_ID.findall(raw))
    ids.discard(parsed.message_id)
    if not ids:
        return 0
    return OutgoingEmail.objects.filter(
        message_id__in=[f"<{id_}>" for id_ in ids], status=OutgoingEmail.Status.SENT
    ).update(
        status=OutgoingEmail.Status.FAILED,
        error=(_("Bounced: %(report)s") % {"report": parsed.body[:1500]})[:2000],
    )


def _file(incoming: IncomingEmail, parsed: ParsedMessage, raw: bytes, user) -> None:
    """Decide and store what becomes of the message (in the caller's transaction)."""
    problems = list(parsed.problems)
    if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES and parsed.attachments:
        problems.append(
            _("The message is %(size)s; its files were not kept (the limit is %(limit)s).")
            % {
                "size": filesizeformat(len(raw)),
                "limit": filesizeformat(settings.MAIL_MAX_MESSAGE_BYTES),
            }
        )
        parsed.attachments = []
    reason = junk_reason(parsed)
    rep = None
    if reason == Reason.OWN_ADDRESS:
        # A rep's copy of their own mail to a customer (Bcc to the CRM, as with Dynamics'
        # tracking): logged as sent on that record. Anything else from us is refused.
        rep = _user_with(parsed.from_address)
        record = rep and (thread_record(parsed) or recipient_record(parsed))
        if record:
            reason = ""
    if reason:
        if reason == Reason.BOUNCE and _note_bounce(parsed, raw):
            problems.append(_("A sent e-mail it reports on is marked failed."))
        _refuse(incoming, reason, raw, problems)
        return
    record = (rep and record) or thread_record(parsed) or sender_record(parsed.from_address)
    if record is not None:
        incoming.activity = _log_on(record, parsed, user, problems, rep=rep)
        incoming.outcome = IncomingEmail.Outcome.LOGGED
        incoming.lead = record if isinstance(record, Lead) else None
    else:
        incoming.lead = _new_lead(parsed, user, problems)
        incoming.outcome = IncomingEmail.Outcome.NEW_LEAD
    incoming.reason = ""
    incoming.problems = "\n".join(problems)
    incoming.save()


def receive(raw: bytes, *, via: str) -> Received:
    """Take one message (RFC 822 bytes). Never raises for bad mail; raises
    ImproperlyConfigured when there is no user to store mail as."""
    user = mail_user()
    try:
        parsed = parse(raw)
    except Exception as error:  # the parser itself failed: keep the bytes
        logger.exception("Unreadable message")
        parsed = parse(b"", with_attachments=False)
        parsed.message_id = f"sha256-{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid"
        parsed.problems = [f"{type(error).__name__}: {error}"[:1000]]
    existing = IncomingEmail.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return Received(existing, created=False)
    try:
        with transaction.atomic():
            incoming = _claim(parsed, raw, via)
            if incoming is None:
                raise _Taken
            _file(incoming, parsed, raw, user)
    except _Taken:
        return Received(IncomingEmail.objects.get(message_id=parsed.message_id), created=False)
    except Exception as error:
        # Something below failed on this message (a value no field takes, a bug): keep it,
        # refused as unreadable, so the mailbox goes on and an administrator sees it.
        logger.exception("Could not store message %s", parsed.message_id)
        with transaction.atomic():
            incoming = _claim(parsed, raw, via)
            if incoming is None:
                return Received(
                    IncomingEmail.objects.get(message_id=parsed.message_id), created=False
                )
            _refuse(
                incoming,
                Reason.UNREADABLE,
                raw,
                [*parsed.problems, f"{type(error).__name__}: {error}"[:1000]],
            )
    return Received(incoming, created=True)


class _Taken(Exception):
    pass


@transaction.atomic
def make_lead(*, incoming: IncomingEmail, user) -> Lead:
    """An administrator's "not junk": the refused message becomes a lead (its files too)."""
    locked = IncomingEmail.objects.select_for_update().get(pk=incoming.pk)
    if locked.outcome != IncomingEmail.Outcome.REFUSED:
        raise DomainError(_("Only a refused message can be made into a lead."))
    if not locked.raw:
        raise DomainError(_("The message itself is no longer kept."))
    with locked.raw.open("rb") as stored:
        raw = stored.read()
    parsed = parse(raw)
    if not parsed.from_address:
        raise DomainError(_("The message has no sender address to make a lead of."))
    problems = list(parsed.problems)
    locked.lead = _new_lead(parsed, user, problems)
    locked.outcome = IncomingEmail.Outcome.NEW_LEAD
    locked.reason = ""
    locked.problems = "\n".join(problems)
    locked.handled_by = user
    locked.raw.delete(save=False)
    locked.raw = ""
    locked.save()
    return locked.lead
