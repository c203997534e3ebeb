import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def email_digest(salt, email):
    return hashlib.sha256(f"{salt}:{email.strip().lower()}".encode()).hexdigest()


class Erasure(models.Model):
    """The tombstone of an erased person: when, by whom, why, and how many things were
    erased; never the e-mail address itself, only a salted hash that recognises it again."""

    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.TextField(_("why"))
    salt = models.CharField(max_length=32, editable=False)
    email_hash = models.CharField(max_length=64, editable=False)
    counts = models.JSONField(_("erased"), default=dict)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["-erased_at", "-pk"]

    def __str__(self):
        return f"#{self.pk} {self.erased_at:%Y-%m-%d}"

    def set_email(self, email):
        self.salt = secrets.token_hex(16)
        self.email_hash = email_digest(self.salt, email)

    def matches(self, email):
        return secrets.compare_digest(self.email_hash, email_digest(self.salt, email))
