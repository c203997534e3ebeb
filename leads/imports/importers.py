"""Running a lead import: its options, its chunks, the preview and the error file. The command
line and the browser both run this code; the file is read by `csvfile`, its columns matched
by `mapping`, its rows converted by `rows` (cells by `cells`), its leads inserted through
`leads.services.create_leads` and built by `leads.bulk`.

Streaming: the file is read row by row and written in chunks of CHUNK_SIZE rows, each chunk in
one transaction together with the batch's progress (`last_line`) and its rejected rows. An
import killed halfway therefore resumes after the last committed chunk, and dedupe catches
anything else: nothing is lost and nothing is created twice.

Rows are validated with the same rules as the lead form (the model fields' validators, the
choices, the lengths), then stored through `leads.services.create_leads`, so routing, history
and the status log work exactly as for leads typed by hand.
"""

import csv
import io
import re
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.errors import DomainError
from crm.history import change_reason
from crm.models import Team
from crm.signals import consent_given
from leads.actions import preview_owners
from leads.bulk import LeadBuilder, LeadStatistics
from leads.exports import neutralise
from leads.imports.csvfile import CsvSource, ImportFileError, inspect_file
from leads.imports.mapping import (
    CONSENT_FIELDS,
    ERROR_COLUMN_LABELS,
    ColumnMapping,
    error_columns,
    match_columns,
)
from leads.imports.models import (
    STALLED_AFTER,
    ExternalKey,
    ImportBatch,
    ImportMatch,
    ImportRowError,
    current_runner,
)
from leads.imports.rows import RowConverter, dedupe_key, find_existing
from leads.models import Lead
from leads.services import create_leads, update_lead
from leads.signals import leads_imported

CHUNK_SIZE = 2000
DEDUPE_MODES = ("skip", "update", "create")
# Never changed by a dedupe "update": state changes go through their transitions, owners
# through assignment, and the creation date is history.
NOT_UPDATED = {"state", "status", "owner", "created_at"}


class BatchBusy(ImportFileError):
    """Another live process runs this batch (or took it over): this one must not."""

    def __init__(self, batch):
        super().__init__(
            _(
                "Import #%(id)s is being run by another process (%(runner)s, last progress "
                "%(when)s). It can be resumed once it has made no progress for %(minutes)d "
                "minutes."
            )
            % {
                "id": batch.pk,
                "runner": batch.runner or "?",
                "when": batch.last_progress.isoformat(timespec="seconds"),
                "minutes": STALLED_AFTER.total_seconds() // 60,
            }
        )


# Options ------------------------------------------------------------------------------------


@dataclass
class ImportOptions:
    """Everything that shapes an import; stored on the batch as JSON."""

    columns: dict | None = None  # CSV header → field; None: match headers automatically
    values: dict = field(default_factory=dict)  # field → {CSV value: value}
    source: str = ""
    create_sources: bool = False
    owner: str = ""
    dedupe: str = "skip"
    key: str = ""
    encoding: str = ""
    delimiter: str = ""
    dry_run: bool = False
    date_format: str = "auto"  # one of DATE_ORDERS: how 04/05/2021 is read

    def to_dict(self):
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__})


# Running an import --------------------------------------------------------------------


@dataclass
class Match:
    line: int
    lead_id: int | None
    kind: str
    action: str


class Importer:
    """Runs one batch: reads its file, writes its leads, records its progress and errors.

    `on_progress(batch)` is called after every committed chunk, `on_match(Match)` for every row
    that matched an existing lead (the command prints them)."""

    def __init__(
        self, batch, path, *, user, on_progress=None, on_match=None, chunk_size=CHUNK_SIZE
    ):
        self.batch = batch
        self.chunk_size = chunk_size
        self.path = path
        self.user = user
        self.options = ImportOptions.from_dict(batch.options)
        self.on_progress = on_progress or (lambda batch: None)
        self.on_match = on_match or (lambda match: None)
        self.owner_counts = Counter(batch.options.get("owner_counts") or {})
        self.team_counts = Counter(batch.options.get("team_counts") or {})
        self.unrouted = batch.options.get("unrouted_count", 0)
        self.seen = set()  # dry runs only: keys of rows that would have been created
        self.matches = []  # this chunk's ImportMatch rows
        self.builder = LeadBuilder()
        self.statistics = LeadStatistics(created=batch.created)

    def run(self):
        batch, options = self.batch, self.options
        claim_batch(batch)
        started = time.monotonic()
        with CsvSource(
            self.path, encoding=options.encoding, delimiter=options.delimiter
        ) as source:
            mapping = match_columns(source.header, columns=options.columns, key=options.key)
            self.header = source.header
            self.converter = RowConverter(
                mapping, options, user=self.user, delimiter=source.delimiter
            )
            self.width = len(source.header)
            chunk = []
            for line, cells, problem in source.rows():
                if line <= batch.last_line:
                    continue  # committed by an earlier run of this batch
                chunk.append((line, cells, problem))
                if len(chunk) >= self.chunk_size:
                    self._write_chunk(chunk)
                    chunk = []
            if chunk:
                self._write_chunk(chunk)
        self.elapsed = time.monotonic() - started
        self.finish()
        return batch

    def _count_preview_owners(self, leads):
        """A dry run: who the rows would go to (an owner given, else routing's preview)."""
        ownerless = [lead for lead in leads if not lead.has_owner]
        owners = [(lead.owner, True) for lead in leads if lead.has_owner]
        owners += preview_owners(ownerless, created_by=self.user)
        for owner, routed in owners:
            if isinstance(owner, Team):
                self.team_counts[str(owner.pk)] += 1
            else:
                self.owner_counts[str(owner.pk)] += 1
            if not routed:
                self.unrouted += 1

    def _matched(self, match):
        self.matches.append(
            ImportMatch(
                batch=self.batch,
                line=match.line,
                lead_id=match.lead_id,
                key=match.kind,
                action=match.action,
            )
        )
        self.on_match(match)

    def _write_chunk(self, chunk):
        if self.options.dry_run:
            self._process_chunk(chunk)
        else:
            with transaction.atomic():
                self._process_chunk(chunk)
            self.statistics.chunk_written(self.batch.created)
        self.on_progress(self.batch)

    def _process_chunk(self, chunk):
        batch, options = self.batch, self.options
        errors, valid = [], []
        key_index = self.converter.mapping.key_index
        key_cache = {}  # a chunk repeats names and companies
        for line, cells, values, error in self.converter.read(chunk, self.width):
            if values is None:
                errors.append(
                    ImportRowError(batch=batch, line=line, cells=cells or [], error=error)
                )
                continue
            external = cells[key_index].strip() if key_index is not None else ""
            valid.append((line, cells, values, external, dedupe_key(values, external, key_cache)))

        existing = {}
        if options.dedupe != "create":
            existing = find_existing({key for *_rest, key in valid}, options.key)
        pending = {}  # key → Lead created earlier in this chunk
        to_create, to_update, keys_of, consents_of = [], [], [], []
        for line, cells, values, external, key in valid:
            matched = existing.get(key) if options.dedupe != "create" else None
            if options.dedupe != "create" and (key in pending or key in self.seen):
                batch.skipped += 1
                self._matched(Match(line, None, key[0], ImportMatch.Action.EARLIER_ROW))
                continue
            if matched is not None:
                if options.dedupe == "update":
                    to_update.append((line, cells, matched, values, key[0]))
                else:
                    batch.skipped += 1
                    self._matched(Match(line, matched, key[0], ImportMatch.Action.SKIPPED))
                continue
            owner = values.pop("owner", None)
            consents = [name for name in CONSENT_FIELDS if values.pop(name, False)]
            lead = self.builder.build(values)
            if owner is not None:
                lead.owner = owner
            to_create.append(lead)
            consents_of.append(consents)
            keys_of.append(external)
            pending[key] = lead
            if options.dry_run:
                self.seen.add(key)

        if to_create and options.dry_run:
            self._count_preview_owners(to_create)
        if to_update:
            errors.extend(self._update(to_update))
        if to_create and not options.dry_run:
            created = create_leads(
                leads=to_create,
                created_by=self.user,
                route=True,
                validate=False,
                change_reason=batch.change_reason,
            )
            self._record_consents(zip(created, consents_of, strict=True))
            for lead in created:
                if lead.owner_user_id:
                    self.owner_counts[str(lead.owner_user_id)] += 1
                elif lead.owner_team_id:
                    self.team_counts[str(lead.owner_team_id)] += 1
            if options.key:
                ExternalKey.objects.bulk_create(
                    [
                        ExternalKey(name=options.key, value=value[:200], lead=lead, batch=batch)
                        for lead, value in zip(created, keys_of, strict=True)
                        if value
                    ],
                    ignore_conflicts=True,
                )
        batch.created += len(to_create)
        batch.rejected += len(errors)
        batch.rows += len(chunk)
        batch.last_line = chunk[-1][0]
        batch.options["owner_counts"] = dict(self.owner_counts)
        batch.options["team_counts"] = dict(self.team_counts)
        batch.options["unrouted_count"] = self.unrouted
        ImportRowError.objects.bulk_create(errors)
        ImportMatch.objects.bulk_create(self.matches)
        self.matches = []
        # A batch taken over by another process (this one made no progress for
        # STALLED_AFTER) stops here, its chunk rolled back.
        if not batch.save_progress():
            raise BatchBusy(ImportBatch.objects.get(pk=batch.pk))

    def _record_consents(self, leads_and_consents):
        """The consent columns' yes: one consent_given per purpose (privacy records them),
        in the chunk's transaction."""
        by_field = {}
        for lead, names in leads_and_consents:
            for name in names:
                by_field.setdefault(name, []).append(lead)
        for name, leads in by_field.items():
            consent_given.send(
                sender=ImportBatch,
                records=leads,
                purpose=CONSENT_FIELDS[name],
                how="import",
                note=_("Import #%(id)s: %(file)s")
                % {"id": self.batch.pk, "file": self.batch.file_name},
                user=self.user,
            )

    def _update(self, to_update):
        errors = []
        updated = []  # (lead, its consent columns' yes)
        pks = [pk for _l, _c, pk, _v, _k in to_update]
        leads = Lead.objects.in_bulk(pks)
        # The user's edit rights on the chunk's matched leads: one query, not one per row.
        if self.user.is_administrator:
            editable = set(pks)
        else:
            rows = Lead.objects.editable_by(self.user).filter(pk__in=pks)
            editable = set(rows.values_list("pk", flat=True))
        for line, cells, pk, values, kind in to_update:
            lead = leads[pk]
            consents = [name for name in CONSENT_FIELDS if values.pop(name, False)]
            data = {
                name: value
                for name, value in values.items()
                if name not in NOT_UPDATED and getattr(lead, name) != value
            }
            if not data:
                self.batch.skipped += 1
                self._matched(Match(line, pk, kind, ImportMatch.Action.UNCHANGED))
                continue
            if pk not in editable:
                errors.append(
                    ImportRowError(
                        batch=self.batch,
                        line=line,
                        cells=cells,
                        error=_("Matches lead #%(id)s, which you cannot edit.") % {"id": pk},
                    )
                )
                continue
            try:
                if self.options.dry_run:
                    # What update_lead would refuse, without writing: a closed lead, a value
                    # the lead's validation rejects.
                    lead.ensure_editable()
                    for name, value in data.items():
                        setattr(lead, name, value)
                    lead.full_clean()
                else:
                    with change_reason(self.batch.change_reason):
                        update_lead(lead=lead, user=self.user, data=data)
            except (DomainError, ValidationError) as error:
                message = "; ".join(getattr(error, "messages", [str(error)]))
                errors.append(
                    ImportRowError(batch=self.batch, line=line, cells=cells, error=message)
                )
                continue
            self.batch.updated += 1
            updated.append((lead, consents))
            self._matched(Match(line, pk, kind, ImportMatch.Action.UPDATED))
        if not self.options.dry_run:
            self._record_consents(updated)
        return errors

    def finish(self):
        """The batch done, its error file written; a real import's `leads_imported` is sent
        in the same transaction, so only by the run that wins the finish (once)."""
        batch = self.batch
        batch.options.pop("owner_counts", None)
        batch.options.pop("team_counts", None)
        batch.options.pop("unrouted_count", None)
        # Who got the new leads (a dry run: who would), for the page's summary; `unrouted`:
        # a dry run's rows that no rule matches and that go to the importing user.
        batch.options["owners"] = {
            "users": dict(self.owner_counts),
            "teams": dict(self.team_counts),
            "unrouted": self.unrouted,
        }
        write_error_file(batch, self.header)
        with transaction.atomic():
            if not batch.finish():
                raise BatchBusy(ImportBatch.objects.get(pk=batch.pk))
            if not self.options.dry_run:
                leads_imported.send(
                    sender=ImportBatch, batch=batch, owner_counts=dict(self.owner_counts)
                )


def _error_cell(text):
    """As the export does: a spreadsheet must not run a rejected cell ("=HYPERLINK(…)") as a
    formula, so it gets a leading ' (the importer strips it when the file comes back); a
    number as written ("-5") stays as it was."""
    return text if _NUMBER.fullmatch(text) else neutralise(text)


_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*")


def write_error_file(batch, header):
    """The rejected rows as they were, plus `line` and `error`, saved with the batch."""
    if batch.error_file:
        batch.error_file.delete(save=False)
    if not batch.rejected:
        return
    drop = {i for i, name in enumerate(header) if name in error_columns()}
    errors = batch.row_errors.order_by("line")
    # Short rows are padded and long rows get unnamed columns (which a re-import ignores),
    # so `line` and `error` always line up under their headers.
    width = max(len(header), *(len(cells) for cells in errors.values_list("cells", flat=True)))
    columns = [*header, *[""] * (width - len(header))]
    delimiter = batch.options.get("delimiter") or ","
    with tempfile.TemporaryFile("w+b") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=delimiter)
        # `line` and `error` named in the uploader's language (the run's).
        own = [str(label) for label in ERROR_COLUMN_LABELS]
        writer.writerow([h for i, h in enumerate(columns) if i not in drop] + own)
        for error in errors.iterator(chunk_size=2000):
            cells = [*error.cells, *[""] * (width - len(error.cells))]
            cells = [_error_cell(c) for i, c in enumerate(cells) if i not in drop]
            writer.writerow([*cells, error.line, error.error])
        text.flush()
        text.detach()
        raw.seek(0)
        stem = Path(batch.file_name).stem[:80] or "import"
        batch.error_file.save(f"{stem}-errors-{batch.pk}.csv", File(raw), save=False)


def check_options(path, options, *, user):
    """Raise ImportFileError for what makes the whole import impossible (a mapping naming
    an unknown field or a missing column, an unknown key column, default source or owner)
    before a batch is recorded: exit status 2 then means that nothing was written. Fills in
    the sniffed delimiter; returns the column mapping."""
    with CsvSource(path, encoding=options.encoding, delimiter=options.delimiter) as source:
        options.delimiter = source.delimiter
        mapping = match_columns(source.header, columns=options.columns, key=options.key)
    RowConverter(mapping, options, user=user)  # checks the default source and owner
    return mapping


def start_batch(*, path, user, options, file_name=None, resume=True):
    """The batch for importing `path`: an unfinished batch of the same file with the same
    options is resumed (after a kill), otherwise a new one is recorded."""
    info = inspect_file(path, options.encoding)
    options.encoding = info.encoding
    check_options(path, options, user=user)  # before anything is recorded
    stored = options.to_dict()
    if resume and not options.dry_run:
        for batch in ImportBatch.objects.filter(
            checksum=info.checksum,
            dry_run=False,
            status__in=[ImportBatch.Status.RUNNING, ImportBatch.Status.QUEUED],
        ).order_by("-pk"):
            if {k: v for k, v in batch.options.items() if k in stored} == stored:
                return batch, info, True
    batch = ImportBatch.objects.create(
        file_name=file_name or Path(path).name,
        checksum=info.checksum,
        size=info.size,
        created_by=user,
        options={**stored, "lines": info.lines},
        dry_run=options.dry_run,
        status=ImportBatch.Status.QUEUED,
    )
    return batch, info, False


def claim_batch(batch):
    """Mark the batch running in this process (ImportBatch.claim); raise BatchBusy if another
    live process runs it or wins the claim."""
    now, runner = timezone.now(), current_runner()
    current = ImportBatch.objects.get(pk=batch.pk)
    if current.status == ImportBatch.Status.RUNNING and current.runner != runner:
        if not current.is_stalled(now):
            raise BatchBusy(current)
    elif current.status != ImportBatch.Status.QUEUED:
        raise ImportFileError(
            _("Import #%(id)s is %(status)s: start it again from the Imports page.")
            % {"id": batch.pk, "status": current.get_status_display()}
        )
    if not current.claim(runner, now=now):
        raise BatchBusy(ImportBatch.objects.get(pk=batch.pk))
    batch.status, batch.runner = current.status, current.runner
    batch.progress_at, batch.started_at = current.progress_at, current.started_at


@contextmanager
def local_copy(batch):
    """A local path to the batch's uploaded file (Django storage may be remote)."""
    try:
        yield batch.file.path
        return
    except NotImplementedError:
        pass
    with batch.file.open("rb") as stored, tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        while chunk := stored.read(1 << 20):
            copy.write(chunk)
        copy.flush()
        yield copy.name


def run_stored_batch(batch):
    """Run a browser batch (its uploaded file) to the end; resumes after `last_line`.

    Dates without a time zone are read in the importing user's, as the mapping page's
    preview (a request) read them: a worker process has no user and would use the server's."""
    user = batch.created_by
    # Its error messages in the uploader's language (the page's, kept at upload), as the
    # mapping page's preview wrote them.
    language = batch.options.get("language") or (
        user.language_or_default if user else settings.LANGUAGE_CODE
    )
    with (
        local_copy(batch) as path,
        timezone.override(user.zone if user else None),
        translation.override(language),
    ):
        try:
            return Importer(batch, path, user=user).run()
        except BatchBusy:
            raise  # the batch is another process's: leave it alone
        except ImportFileError as error:
            batch.fail(str(error))
            return batch


# Preview (browser) ---------------------------------------------------------------------


@dataclass
class Preview:
    header: list
    mapping: ColumnMapping
    rows: list  # (line, cells, values or None, error)
    delimiter: str
    encoding: str


def preview(path, options, *, user, limit=10):
    """The detected (or given) mapping and the first rows converted, nothing written."""
    info_encoding = options.encoding or inspect_file(path).encoding
    with CsvSource(path, encoding=info_encoding, delimiter=options.delimiter) as source:
        mapping = match_columns(source.header, columns=options.columns, key=options.key)
        converter = RowConverter(
            mapping,
            ImportOptions(**{**options.to_dict(), "dry_run": True}),
            user=user,
            delimiter=source.delimiter,
        )
        rows = []
        for row in converter.read(source.rows(), len(source.header)):
            rows.append(row)
            if len(rows) >= limit:
                break
        return Preview(source.header, mapping, rows, source.delimiter, info_encoding)
