"""Every lead import is recorded: an ImportBatch (who, what file, which options, how far it got,
the counts) and one ImportRowError per rejected row (Dynamics' ImportLog). The rejected rows
live in the database, written in the same transaction as the leads of their chunk, so an import
killed halfway resumes with a complete error file."""

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import import_batch_reason

# A queued or running import with no progress for this long is taken to have lost its
# process (a worker or a command that died): it may then be resumed.
STALLED_AFTER = timedelta(minutes=10)


def current_runner():
    """Who runs an import: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _runner_is_gone(runner):
    """Whether `runner` was a process of this machine that no longer exists."""
    host, _sep, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: only time tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(_("file name"), max_length=255)
    # The uploaded file (browser imports); command-line imports read the file in place.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Mapping, dedupe mode, defaults, encoding, delimiter: everything needed to run it again.
    options = models.JSONField(_("options"), default=dict, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.UPLOADED)
    # How far it got: the last physical line whose chunk was committed (0 = nothing yet).
    last_line = models.PositiveIntegerField(_("last line committed"), default=0)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    message = models.TextField(_("message"), blank=True)
    error_file = models.FileField(_("error file"), upload_to="imports/errors/", blank=True)
    # When it was queued, started or last committed a chunk, and by whom ("host:pid"): an
    # import whose process died is recognised (see is_stalled) and only one runs a batch.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    runner = models.CharField(_("run by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Import #%(id)s (%(name)s)") % {"id": self.pk, "name": self.file_name}

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def last_progress(self):
        return self.progress_at or self.started_at or self.created_at

    def is_stalled(self, now=None):
        """Queued or running, but nobody is at it: no progress for STALLED_AFTER, or the
        process running it (on this machine) is gone. Such an import may be resumed."""
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        last = self.last_progress
        if last is None or (now or timezone.now()) - last >= STALLED_AFTER:
            return True
        return self.status == self.Status.RUNNING and _runner_is_gone(self.runner)

    @property
    def change_reason(self):
        """The history entries' change reason, naming the batch."""
        return import_batch_reason(self.pk)

    def summary(self):
        return (
            f"created={self.created} updated={self.updated} "
            f"skipped={self.skipped} rejected={self.rejected}"
        )


class ImportRowError(models.Model):
    """A rejected row, kept as it was read (the cells) with its physical line number."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(_("line"))
    cells = models.JSONField(_("cells"), default=list)
    error = models.TextField(_("error"))

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "line"], name="imports_rowerror_line_idx")]

    def __str__(self):
        return f"{self.line}: {self.error}"


class ExternalKey(models.Model):
    """A lead's identifier in the system it was imported from (`--key "CSV header"`), so a
    rerun of the same export matches the lead again even without an e-mail address."""

    name = models.CharField(_("key column"), max_length=100)
    value = models.CharField(_("key"), max_length=200)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("external key")
        verbose_name_plural = _("external keys")
        constraints = [
            models.UniqueConstraint(fields=["name", "value"], name="imports_externalkey_unique")
        ]

    def __str__(self):
        return f"{self.name}={self.value}"
