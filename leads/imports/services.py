"""Writes behind the Imports page: upload, mapping, dry run and import (the importer runs in
a django.tasks task, enqueued after commit)."""

import hashlib
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.models import User
from crm.services import enqueue_on_commit
from leads.imports.csvfile import CsvSource, ImportFileError, inspect_file
from leads.imports.importers import ImportOptions, local_copy
from leads.imports.mapping import match_columns
from leads.imports.models import ImportBatch
from leads.imports.tasks import run_import

# The mapping page shows one choice per column: more than a person can map is refused at upload
# (a 20,000-column header made a page no browser could load). Dynamics' widest lead export has
# about 200 columns; the import command reads any width.
MAX_UPLOAD_COLUMNS = 300


@transaction.atomic
def upload_import(*, uploaded_file: UploadedFile, user: User) -> ImportBatch:
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
        with local_copy(batch) as path:
            info = inspect_file(path)
            with CsvSource(path, encoding=info.encoding) as source:
                options = ImportOptions(encoding=info.encoding, delimiter=source.delimiter)
                header = source.header
                if len(header) > MAX_UPLOAD_COLUMNS:
                    raise ImportFileError(
                        _(
                            "The file has %(count)s columns; an import maps at most %(max)s."
                            " Remove the columns you do not need and upload it again."
                        )
                        % {"count": f"{len(header):,}", "max": MAX_UPLOAD_COLUMNS}
                    )
                mapping = match_columns(header)
    except ImportFileError as error:
        batch.file.delete(save=False)
        raise DomainError(str(error)) from None
    options.columns = {h: name for _i, h, name in mapping.matched}
    # The worker writes the rows' error messages in the language of the page that uploaded.
    language = translation.get_language()
    batch.options = {
        **options.to_dict(),
        "header": header,
        "lines": info.lines,
        "language": language,
    }
    batch.save()
    return batch


def _reset_batch(batch: ImportBatch, *, dry_run: bool) -> None:
    """Prepare an uploaded batch for a (new) dry run or the real import: the rows and file
    of the last run deleted, the batch queued from the start."""
    batch.row_errors.all().delete()
    batch.matches.all().delete()
    if batch.error_file:
        batch.error_file.delete(save=False)
    if not batch.reset(dry_run=dry_run):
        raise DomainError(_("This import is running: wait until it has finished."))


def _ensure_changeable(batch: ImportBatch) -> None:
    running = batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING)
    if running and not batch.is_stalled():
        raise DomainError(_("This import is running: wait until it has finished."))
    if batch.status == ImportBatch.Status.DONE and not batch.dry_run:
        raise DomainError(_("This file has been imported; upload it again to re-import it."))


@transaction.atomic
def save_import_options(*, batch: ImportBatch, options: ImportOptions) -> ImportBatch:
    """Keep the mapping and options chosen on the page (an ImportOptions)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_changeable(batch)
    stored = batch.options
    options.encoding, options.delimiter = stored["encoding"], stored["delimiter"]
    batch.options = {**stored, **options.to_dict()}
    batch.save(update_fields=["options"])
    return batch


@transaction.atomic
def start_import(*, batch: ImportBatch, dry_run: bool) -> ImportBatch:
    """Queue a dry run or the real import of an uploaded batch (the worker runs it)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_changeable(batch)
    stopped = batch.status == ImportBatch.Status.FAILED or batch.is_stalled()
    if stopped and not batch.dry_run and not dry_run:
        # An import that stopped halfway (it failed, or its worker died: no progress for
        # a while) resumes after its last committed chunk; two clicks queue it once.
        if not batch.requeue():
            raise DomainError(_("This import is running: wait until it has finished."))
        batch.refresh_from_db()
    else:
        _reset_batch(batch, dry_run=dry_run)
    enqueue_on_commit(run_import, batch_id=batch.pk)
    return batch
