"""E-mail sent from the CRM: each message is a completed e-mail activity on the record's
timeline (activities) with an OutgoingEmail beside it holding what was sent, its Message-ID
and its delivery status. EmailTemplate: subjects and bodies with placeholders."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, Note

# The placeholders a template (or a typed message) may use, filled when it is put in the form.
PLACEHOLDERS = ("first_name", "last_name", "company", "owner_name", "signature")


class EmailTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Placeholders: {first_name}, {last_name}, {company}, {owner_name}, "
            "{signature} (the sender's name and e-mail address)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OutgoingEmail(models.Model):
    """What was sent and whether it went. At most once: the delivery task moves QUEUED to
    SENDING under a row lock and commits before it talks to the SMTP server, so a second run
    finds SENDING and stops; a crash after the server accepted and before SENT was stored
    leaves SENDING, which a later run (or a look after DELIVERY_TIMEOUT) calls UNKNOWN."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown — check before resending")

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="outgoing_email"
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_address = models.CharField(_("from"), max_length=320)
    to_addresses = models.TextField(_("to"))
    cc_addresses = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    attachments = models.ManyToManyField(Note, blank=True, verbose_name=_("attachments"))
    status = models.CharField(_("delivery"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sending_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        ordering = ["-queued_at", "-pk"]

    def __str__(self):
        return self.subject

    @property
    def shown_status(self):
        """SENDING for longer than a worker could take is UNKNOWN to the reader: the worker
        died after the server may have accepted it."""
        if (
            self.status == self.Status.SENDING
            and self.sending_at is not None
            and timezone.now() - self.sending_at > settings.MAIL_DELIVERY_TIMEOUT
        ):
            return self.Status.UNKNOWN
        return self.status

    @property
    def shown_status_label(self):
        return self.Status(self.shown_status).label

    @property
    def may_retry(self):
        return self.shown_status in (self.Status.FAILED, self.Status.UNKNOWN)


def split_addresses(text):
    return [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]


class IncomingEmail(models.Model):
    """One message received (by `receive_email` or `fetch_mail`), whatever became of it: logged
    on a record's timeline, made into a lead, or refused as junk (kept, with the reason and the
    message itself, for an administrator to read and, if it was not junk, make into a lead).
    The unique Message-ID makes a message delivered twice count once."""

    class Outcome(models.TextChoices):
        LOGGED = "logged", _("Logged on a record")
        NEW_LEAD = "new_lead", _("New lead")
        REFUSED = "refused", _("Refused")

    class Reason(models.TextChoices):
        NO_SENDER = "no_sender", _("No sender address")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        BOUNCE = "bounce", _("Delivery failure report (bounce)")
        MAILING_LIST = "mailing_list", _("Mailing list or newsletter")
        OWN_ADDRESS = "own_address", _("From one of our own addresses")
        SPAM = "spam", _("Marked as spam by the mail server")
        BLOCKED = "blocked", _("Sender on the blocklist")
        UNREADABLE = "unreadable", _("Could not be read")

    class Via(models.TextChoices):
        PIPE = "pipe", _("Mail server (receive_email)")
        IMAP = "imap", _("Mailbox (fetch_mail)")
        ADMIN = "admin", _("Made into a lead by hand")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    via = models.CharField(_("received by"), max_length=10, choices=Via)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason, blank=True)
    # What was not kept (a file over the size limit, a program, a body cut short), or why it
    # could not be read.
    problems = models.TextField(_("problems"), blank=True)
    # The record it was logged on (an e-mail activity there), or the lead it made.
    activity = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_email",
        verbose_name=_("activity"),
    )
    lead = models.ForeignKey(
        "leads.Lead",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
    )
    # The message as received, kept for refused ones only (to make a lead from it later).
    raw = models.FileField(_("message"), upload_to="mail/refused/%Y/%m/", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made into a lead by"),
    )

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        ordering = ["-received_at", "-pk"]
        indexes = [
            # The admin's list of refused messages, newest first.
            models.Index(fields=["outcome", "-received_at"], name="mail_incoming_outcome_idx"),
            # Privacy: a person's received mail by their address.
            models.Index(fields=["from_address"], name="mail_incoming_from_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="refused", reason__gt="")
                | (~Q(outcome="refused") & Q(reason="")),
                name="mail_incoming_reason_when_refused",
            ),
        ]

    def __str__(self):
        return self.subject or self.message_id


class BlockedSender(models.Model):
    """An address, or a whole domain ("@example.com"), whose mail never becomes a lead or an
    activity (kept among the refused messages)."""

    pattern = models.CharField(
        _("address or @domain"),
        max_length=320,
        unique=True,
        help_text=_("“someone@example.com” for one sender, “@example.com” for a whole domain."),
    )
    note = models.CharField(_("why"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked sender")
        verbose_name_plural = _("blocked senders")
        ordering = ["pattern"]

    def __str__(self):
        return self.pattern

    def save(self, *args, **kwargs):
        self.pattern = self.pattern.strip().lower()
        super().save(*args, **kwargs)
