"""E-mail sent from the CRM: each message is a completed e-mail activity on the record's
timeline (activities) with an OutgoingEmail beside it holding what was sent, its Message-ID
and its delivery status. EmailTemplate: subjects and bodies with placeholders."""

from django.conf import settings
from django.db import models
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
