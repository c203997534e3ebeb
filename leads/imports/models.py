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
from django.utils.translation import ngettext

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
    """One import of one file; its status moves uploaded → queued → running → done or failed.

    The race: two processes may act on the same batch at once (a Resume clicked twice, a
    task delivered twice, a command started again while a worker still runs, a runner that
    was only slow when another took it over). So every move of the status is a guarded
    one-row transition (claim, requeue, reset, fail, finish, and save_progress while
    running): a single conditional UPDATE of this row that matches only what this process
    last read or wrote (its status and runner; for claim, requeue and reset also its last
    progress). Of two processes racing, the database lets exactly one match; each method
    returns whether it won and, if so, sets the new values on this instance. The loser
    changes nothing and learns it from the False (the same on SQLite and PostgreSQL, no row
    lock needed)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    UNFINISHED_OR_FAILED = (Status.UPLOADED, Status.QUEUED, Status.RUNNING, Status.FAILED)

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

    # Guarded transitions (see the class docstring).

    def _transition(self, guard, **changes):
        won = bool(type(self)._default_manager.filter(pk=self.pk, **guard).update(**changes))
        if won:
            for name, value in changes.items():
                setattr(self, name, value)
        return won

    def _progress(self):
        """The counts and options as the running import has them in memory."""
        names = ("created", "updated", "skipped", "rejected", "rows", "last_line", "options")
        return {name: getattr(self, name) for name in names}

    def _as_read(self):
        return {"status": self.status, "runner": self.runner, "progress_at": self.progress_at}

    def claim(self, runner, *, now=None):
        """Queued (or running, as read) → running by `runner`."""
        now = now or timezone.now()
        return self._transition(
            self._as_read(),
            status=self.Status.RUNNING,
            runner=runner,
            progress_at=now,
            started_at=self.started_at or now,
        )

    claim.alters_data = True

    def requeue(self):
        """Failed or stalled (as read) → queued again, to resume after `last_line`; a runner
        that was only slow then cannot commit another chunk (save_progress loses)."""
        return self._transition(
            self._as_read(),
            status=self.Status.QUEUED,
            message="",
            finished_at=None,
            runner="",
            progress_at=timezone.now(),
        )

    requeue.alters_data = True

    def reset(self, *, dry_run):
        """As read → queued from the start, for a (new) dry run or the real import."""
        return self._transition(
            self._as_read(),
            dry_run=dry_run,
            options={
                **{k: v for k, v in self.options.items() if k != "owners"},
                "dry_run": dry_run,
            },
            status=self.Status.QUEUED,
            last_line=0,
            rows=0,
            created=0,
            updated=0,
            skipped=0,
            rejected=0,
            started_at=None,
            finished_at=None,
            message="",
            progress_at=timezone.now(),
            runner="",
        )

    reset.alters_data = True

    def save_progress(self):
        """Running by this process → the counts of a committed chunk (in its transaction)."""
        return self._transition(
            {"status": self.Status.RUNNING, "runner": self.runner},
            **self._progress(),
            progress_at=timezone.now(),
        )

    save_progress.alters_data = True

    def fail(self, message):
        """Not finished, and no other process has taken the batch since it was read →
        failed with `message` (its committed chunks stay; it can be resumed)."""
        return self._transition(
            {"runner": self.runner, "status__in": self.UNFINISHED_OR_FAILED},
            status=self.Status.FAILED,
            message=message,
            finished_at=timezone.now(),
        )

    fail.alters_data = True

    def finish(self):
        """Running by this process → done, with the final counts and error file. Won once:
        a second finish (a resumed or racing run) finds the batch done and loses."""
        return self._transition(
            {"status": self.Status.RUNNING, "runner": self.runner},
            **self._progress(),
            status=self.Status.DONE,
            finished_at=timezone.now(),
            error_file=self.error_file.name or "",
        )

    finish.alters_data = True

    @property
    def change_reason(self):
        """The history entries' change reason, naming the batch."""
        return import_batch_reason(self.pk)

    def summary_text(self):
        """The counts in words for the page ("3 leads created, 1 skipped, 2 rejected"); a dry
        run says what would happen."""
        if self.dry_run:
            parts = [
                ngettext(
                    "%(n)s lead would be created", "%(n)s leads would be created", self.created
                )
                % {"n": self.created},
                ngettext("%(n)s would be updated", "%(n)s would be updated", self.updated)
                % {"n": self.updated},
            ]
        else:
            parts = [
                ngettext("%(n)s lead created", "%(n)s leads created", self.created)
                % {"n": self.created},
                ngettext("%(n)s updated", "%(n)s updated", self.updated) % {"n": self.updated},
            ]
        parts.append(
            ngettext(
                "%(n)s skipped (matched a lead)", "%(n)s skipped (matched a lead)", self.skipped
            )
            % {"n": self.skipped}
        )
        parts.append(
            ngettext("%(n)s rejected", "%(n)s rejected", self.rejected) % {"n": self.rejected}
        )
        return ", ".join(parts) + "."

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


class ImportMatch(models.Model):
    """A row that matched an existing lead (or an earlier row of the file), and what the
    import did with it: the page lists the skipped duplicates with the lead and the key."""

    class Key(models.TextChoices):
        EMAIL = "email", _("e-mail address")
        KEY = "key", _("external id")
        NAME = "name", _("name and company")

    class Action(models.TextChoices):
        SKIPPED = "skipped", _("skipped")
        UPDATED = "updated", _("updated")
        UNCHANGED = "unchanged", _("unchanged (no new values)")
        EARLIER_ROW = "earlier_row", _("skipped: an earlier row of this file")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="matches")
    line = models.PositiveIntegerField(_("line"))
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    key = models.CharField(_("matched on"), max_length=10, choices=Key, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action)

    class Meta:
        verbose_name = _("matched row")
        verbose_name_plural = _("matched rows")
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "line"], name="imports_match_line_idx")]

    def __str__(self):
        return f"{self.line}: {self.get_action_display()}"


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
