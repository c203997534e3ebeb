"""Writes behind the Imports page: upload, mapping, dry run and import (the importer runs in
a django.tasks task, enqueued after commit)."""

import hashlib
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.services import enqueue_on_commit
from leads.imports import importers
from leads.imports.models import ImportBatch
from leads.imports.tasks import run_import


@transaction.atomic
def upload_import(*, uploaded_file, user):
    """Store the uploaded CSV as a new batch with its detected encoding, delimiter and
    header; a file that cannot be read as CSV is refused."""
    digest, size = hashlib.sha256(), 0
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    if not size:
        raise DomainError(_("The file is empty."))
    batch = ImportBatch(
        file_name=Path(uploaded_file.name).name[:255],
        checksum=digest.hexdigest(),
        size=size,
        created_by=user,
        status=ImportBatch.Status.UPLOADED,
    )
    batch.file.save(batch.file_name, uploaded_file, save=False)
    try:
        with importers.local_copy(batch) as path:
            info = importers.inspect_file(path)
            with importers.CsvSource(path, encoding=info.encoding) as source:
                options = importers.ImportOptions(
                    encoding=info.encoding, delimiter=source.delimiter
                )
                mapping = importers.match_columns(source.header)
                header = source.header
    except importers.ImportFileError as error:
        batch.file.delete(save=False)
        raise DomainError(str(error)) from None
    options.columns = {h: name for _i, h, name in mapping.matched}
    batch.options = {**options.to_dict(), "header": header, "lines": info.lines}
    batch.save()
    return batch


def _ensure_changeable(batch):
    running = batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    if running and not batch.is_stalled():
        raise DomainError(_("This import is running: wait until it has finished."))
    if batch.status == ImportBatch.Status.DONE and not batch.dry_run:
        raise DomainError(_("This file has been imported; upload it again to re-import it."))


@transaction.atomic
def save_import_options(*, batch, options):
    """Keep the mapping and options chosen on the page (an ImportOptions)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_changeable(batch)
    stored = batch.options
    options.encoding, options.delimiter = stored["encoding"], stored["delimiter"]
    batch.options = {**stored, **options.to_dict()}
    batch.save(update_fields=["options"])
    return batch


@transaction.atomic
def start_import(*, batch, dry_run):
    """Queue a dry run or the real import of an uploaded batch (the worker runs it)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_changeable(batch)
    stopped = batch.status == ImportBatch.Status.FAILED or batch.is_stalled()
    if stopped and not batch.dry_run and not dry_run:
        # An import that stopped halfway (it failed, or its worker died: no progress for
        # a while) resumes after its last committed chunk. Compare-and-set, so that a
        # runner that was only slow cannot commit another chunk (it stops) and two
        # clicks queue it once.
        requeued = ImportBatch.objects.filter(
            pk=batch.pk, status=batch.status, runner=batch.runner, progress_at=batch.progress_at
        ).update(
            status=ImportBatch.Status.QUEUED,
            message="",
            finished_at=None,
            runner="",
            progress_at=timezone.now(),
        )
        if not requeued:
            raise DomainError(_("This import is running: wait until it has finished."))
        batch.refresh_from_db()
    else:
        importers.reset_batch(batch, dry_run=dry_run)
    enqueue_on_commit(run_import, batch_id=batch.pk)
    return batch
