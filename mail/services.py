"""Sending e-mail from a record: `send_email` stores the message (a completed e-mail activity
on the record's timeline, and its OutgoingEmail) in one transaction and, after the commit,
enqueues `tasks.deliver_email`, which sends it once (`deliver`). `retry` queues a failed or
unknown one again. Who may send: whoever may add an activity to the record; never to a person
who asked not to be e-mailed (their do-not-e-mail flag or a withdrawn consent)."""

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from activities import services as activities
from activities.models import Activity, Note
from activities.opt_outs import opt_out_warnings
from crm.errors import DomainError
from crm.models import OwnedRecord, User
from crm.services import lock_for_update
from leads.models import Lead
from mail.models import EmailTemplate, OutgoingEmail, split_addresses
from opportunities.models import Opportunity

SENDABLE = (Lead, Contact, Account, Opportunity)


@dataclass
class Recipient:
    """Whom a record's e-mail goes to by default, and the values of the placeholders."""

    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    # The people whose do-not-e-mail wishes an e-mail from this record must honour.
    people: tuple = ()


def recipient_of(record: OwnedRecord) -> Recipient:
    if isinstance(record, Lead):
        return Recipient(
            record.email, record.first_name, record.last_name, record.company_name, (record,)
        )
    if isinstance(record, Contact):
        company = record.account.name if record.account_id else ""
        return Recipient(record.email, record.first_name, record.last_name, company, (record,))
    if isinstance(record, Account):
        return Recipient(record.email, company=record.name, people=(record,))
    if isinstance(record, Opportunity):
        person = record.contact or record.parent_contact
        company = record.account.name if record.account_id else ""
        if person is None:
            email = record.account.email if record.account_id else ""
            return Recipient(email, company=company, people=(record.account,))
        return Recipient(person.email, person.first_name, person.last_name, company, (person,))
    raise TypeError(f"no e-mail from a {type(record).__name__}")


def refusals(record: OwnedRecord) -> list[str]:
    """Why nobody may e-mail from this record (empty: they may)."""
    found = []
    for person in recipient_of(record).people:
        if person is not None:
            found.extend(opt_out_warnings(person, Activity.Kind.EMAIL))
    return found


def signature_of(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name}\n{user.email}" if user.email else name


def fill(text: str, record: OwnedRecord, user: User) -> str:
    """A template's text with its placeholders filled for `record` sent by `user`; an
    unknown {placeholder} stays as it is."""
    recipient = recipient_of(record)
    owner = getattr(record, "owner_user", None)
    values = {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "company": recipient.company,
        "owner_name": (owner.get_full_name() or owner.username) if owner else "",
        "signature": signature_of(user),
    }
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def filled_template(template: EmailTemplate, record: OwnedRecord, user: User) -> dict:
    return {
        "subject": fill(template.subject, record, user),
        "body": fill(template.body, record, user),
    }


def check_addresses(text: str, *, required: bool) -> list[str]:
    """The comma-separated addresses, each checked (ValidationError naming the bad one)."""
    addresses = split_addresses(text)
    if required and not addresses:
        raise ValidationError(_("Enter at least one e-mail address."))
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("“%(address)s” is not an e-mail address.") % {"address": address}
            ) from None
    return addresses


def sender_address(user: User) -> str:
    """From: the rep's name at the organisation's address (its SMTP server may refuse a
    foreign From); replies go to the rep (and to the CRM's mailbox, MAIL_REPLY_TO)."""
    return formataddr((user.get_full_name() or user.username, settings.DEFAULT_FROM_EMAIL))


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


@transaction.atomic
def send_email(
    *,
    regarding: OwnedRecord,
    user: User,
    to: str,
    cc: str = "",
    subject: str,
    body: str,
    notes: Iterable[Note] = (),
    uploads: Iterable[tuple] = (),
) -> OutgoingEmail:
    """Store the e-mail (a completed e-mail activity and its OutgoingEmail, QUEUED) and send
    it after the commit. `notes`: the record's notes whose files go with it; `uploads`:
    (file, sniffed content type) pairs, kept as notes on the record first."""
    if not isinstance(regarding, SENDABLE):
        raise DomainError(_("E-mail is sent from leads, contacts, accounts and opportunities."))
    refused = refusals(regarding)
    if refused:
        raise DomainError(_("Not sent: %(reasons)s") % {"reasons": " ".join(refused)})
    to_list = check_addresses(to, required=True)
    cc_list = check_addresses(cc, required=False)
    activity = activities.log_activity(
        regarding=regarding,
        user=user,
        kind=Activity.Kind.EMAIL,
        data={
            "subject": subject[:200],
            "description": body,
            "direction": Activity.Direction.OUTGOING,
            "other_party": ", ".join(to_list)[:200],
        },
        completed=True,
    )
    attached = [note for note in notes if note.attachment]
    for upload, content_type in uploads:
        attached.append(
            activities.add_note(
                regarding=regarding,
                user=user,
                text=_("Sent with the e-mail “%(subject)s”.") % {"subject": subject[:150]},
                upload=upload,
                content_type=content_type,
            )
        )
    email = OutgoingEmail.objects.create(
        activity=activity,
        message_id=_message_id(),
        from_address=sender_address(user),
        to_addresses=", ".join(to_list),
        cc_addresses=", ".join(cc_list),
        subject=subject,
        body=body,
        sent_by=user,
    )
    if attached:
        email.attachments.set(attached)
    _deliver_on_commit(email)
    return email


def _deliver_on_commit(email: OutgoingEmail) -> None:
    from mail import tasks

    transaction.on_commit(lambda: tasks.deliver_email.enqueue(email.pk))


def _message(email: OutgoingEmail) -> EmailMessage:
    sender = email.sent_by
    reply_to = [formataddr((sender.get_full_name(), sender.email))] if sender.email else []
    reply_to += [settings.MAIL_REPLY_TO] if settings.MAIL_REPLY_TO else []
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=email.from_address,
        to=split_addresses(email.to_addresses),
        cc=split_addresses(email.cc_addresses),
        reply_to=reply_to,
        headers={"Message-ID": email.message_id},
    )
    for note in email.attachments.all():
        with note.attachment.open("rb") as stored:
            # A generic sniffed type says nothing: Django then guesses from the file name.
            content_type = note.attachment_content_type
            if content_type in ("", "application/octet-stream"):
                content_type = None
            message.attach(note.attachment_name, stored.read(), content_type)
    return message


def deliver(email_id: int) -> str:
    """Send the e-mail once; the status it ends in. QUEUED becomes SENDING (committed) before
    the SMTP call; a run that finds SENDING stops, calling it UNKNOWN: an earlier run died
    after claiming it and may have sent it."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return "missing"
        if email.status == OutgoingEmail.Status.SENDING:
            email.status = OutgoingEmail.Status.UNKNOWN
            email.error = _(
                "The delivery stopped after it started: the server may have accepted it. "
                "Check with the recipient before sending again."
            )
            email.save(update_fields=["status", "error"])
            return email.status
        if email.status != OutgoingEmail.Status.QUEUED:
            return email.status
        email.status = OutgoingEmail.Status.SENDING
        email.sending_at = timezone.now()
        email.attempts += 1
        email.save(update_fields=["status", "sending_at", "attempts"])
    try:
        _message(email).send(using="default")
    except (smtplib.SMTPException, OSError, ValueError) as error:
        # Refused before the server accepted it (or it could not be reached): not sent.
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=OutgoingEmail.Status.FAILED, error=str(error)[:2000] or type(error).__name__
        )
        return OutgoingEmail.Status.FAILED
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), error=""
    )
    return OutgoingEmail.Status.SENT


@transaction.atomic
def retry(*, email: OutgoingEmail, user: User) -> OutgoingEmail:
    """Queue a failed (or unknown: the user checked it did not arrive) e-mail again."""
    locked = lock_for_update(email)
    activities.check_may_add_to(locked.activity.regarding, user)
    if not locked.may_retry:
        raise DomainError(
            _("Only an e-mail that failed, or whose delivery is unknown, is sent again.")
        )
    refused = refusals(locked.activity.regarding)
    if refused:
        raise DomainError(_("Not sent: %(reasons)s") % {"reasons": " ".join(refused)})
    locked.status = OutgoingEmail.Status.QUEUED
    locked.error = ""
    locked.queued_at = timezone.now()
    locked.save(update_fields=["status", "error", "queued_at"])
    _deliver_on_commit(locked)
    return locked
