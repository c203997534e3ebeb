"""python manage.py import_leads FILE [options]: parses the arguments and prints; the work is
done by the leads.imports package (the same code the Imports page runs).

Exit status: 0 every row imported or deliberately skipped, 1 some rows rejected (the rest
imported), 2 a usage or file error (nothing written)."""

import shutil
import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from leads.imports.cells import DATE_ORDERS
from leads.imports.csvfile import CsvSource, ImportFileError
from leads.imports.importers import (
    CHUNK_SIZE,
    DEDUPE_MODES,
    BatchBusy,
    Importer,
    ImportOptions,
    start_batch,
)
from leads.imports.mapping import match_columns, read_mapping_file
from leads.imports.models import ImportMatch


class Command(BaseCommand):
    help = "Import leads from a CSV file (see the README: mapping, dedupe, error file)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument("--mapping", help='JSON file: {"columns": {...}, "values": {...}}')
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='"CSV header=field"',
            help="map one column to a field (repeatable); then only mapped columns are read",
        )
        parser.add_argument("--source", default="", help="source of rows without one")
        parser.add_argument(
            "--create-sources", action="store_true", help="unknown source names become sources"
        )
        parser.add_argument("--owner", default="", help="owner (username) of rows without one")
        parser.add_argument("--user", default="", help="the importing user (default: --owner)")
        parser.add_argument("--dedupe", choices=DEDUPE_MODES, default="skip")
        parser.add_argument("--key", default="", help="CSV header of an external id column")
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument("--errors", help="write the rejected rows to this CSV file")
        parser.add_argument(
            "--date-format",
            choices=DATE_ORDERS,
            default="auto",
            help="how 04/05/2021 is read: auto (day first; 04/15/2021 month first), dmy, mdy "
            "or ymd; ISO dates and month names always work",
        )
        parser.add_argument("--encoding", default="", help="default: detect")
        parser.add_argument("--delimiter", default="", help="default: sniff , ; or tab")
        parser.add_argument(
            "--batch-size", type=int, default=CHUNK_SIZE, help="rows per transaction"
        )

    def handle(self, *args, **opts):
        try:
            return self._handle(opts)
        except ImportFileError as error:
            raise CommandError(str(error), returncode=2) from None

    def _options(self, opts):
        columns, values = {}, {}
        if opts["mapping"]:
            columns, values = read_mapping_file(opts["mapping"])
        for item in opts["map"]:
            header, sep, name = item.rpartition("=")
            if not sep or not header.strip():
                raise ImportFileError(f'--map takes "CSV header=field", not {item!r}')
            columns[header.strip()] = name.strip()
        delimiter = {"tab": "\t", "\\t": "\t"}.get(opts["delimiter"], opts["delimiter"])
        if len(delimiter) > 1:
            raise ImportFileError("--delimiter takes one character (or 'tab').")
        return ImportOptions(
            columns=columns or None,
            values=values,
            source=opts["source"],
            create_sources=opts["create_sources"],
            owner=opts["owner"],
            dedupe=opts["dedupe"],
            key=opts["key"],
            encoding=opts["encoding"],
            delimiter=delimiter,
            dry_run=opts["dry_run"],
            date_format=opts["date_format"],
        )

    def _user(self, opts):
        users = get_user_model().objects.filter(is_active=True)
        name = opts["user"] or opts["owner"]
        if name:
            user = users.filter(username=name).first()
            if user is None:
                raise ImportFileError(f"Unknown user {name!r}.")
            return user
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise ImportFileError("Give the importing user with --user USERNAME.")
        return user

    def _handle(self, opts):
        path = opts["file"]
        options = self._options(opts)
        user = self._user(opts)
        try:
            open(path, "rb").close()
        except OSError as error:
            raise ImportFileError(f"Cannot open {path}: {error.strerror}") from None
        batch, info, resumed = start_batch(path=path, user=user, options=options)
        with CsvSource(path, encoding=batch.options["encoding"], delimiter=options.delimiter) as s:
            mapping = match_columns(s.header, columns=options.columns, key=options.key)
        self.stdout.write(
            f"Import #{batch.pk}: {path} ({info.encoding}, delimiter {options.delimiter!r})"
        )
        for _index, header, name in mapping.matched:
            self.stdout.write(f"  {header!r} -> {name}")
        for _index, header, why in mapping.ignored:
            self.stdout.write(f"  {header!r} ignored ({why})")
        if resumed:
            self.stdout.write(f"Resuming import #{batch.pk} after line {batch.last_line}.")

        verbosity = opts["verbosity"]
        bar = tqdm(
            total=max(info.lines - 1, 0),
            initial=max(batch.last_line - 1, 0),
            unit="rows",
            file=sys.stderr,
            disable=None if sys.stderr.isatty() else True,  # quiet when not a terminal
            dynamic_ncols=True,
        )
        started = time.monotonic()
        done_before = batch.rows

        def on_progress(batch):
            bar.update(max(batch.last_line - 1, 0) - bar.n)

        def on_match(match):
            if verbosity >= 2 or (verbosity >= 1 and match.lead_id):
                lead = f"lead #{match.lead_id}" if match.lead_id else "an earlier row"
                key = f" on {ImportMatch.Key(match.kind).label}" if match.kind else ""
                action = ImportMatch.Action(match.action).label
                bar.write(f"line {match.line}: matches {lead}{key} ({action})", file=self.stdout)

        try:
            Importer(
                batch,
                path,
                user=user,
                on_progress=on_progress,
                on_match=on_match,
                chunk_size=max(opts["batch_size"], 1),
            ).run()
        except BatchBusy:
            raise  # another process runs this batch: it is not ours to fail
        except ImportFileError as error:
            # The options were checked before the batch was recorded: this is the file
            # changing underneath. Committed chunks stay; the batch says it failed.
            batch.fail(str(error))
            raise ImportFileError(
                f"{error} (import #{batch.pk} marked failed after line {batch.last_line})"
            ) from None
        finally:
            bar.close()
        elapsed = time.monotonic() - started
        rows = batch.rows - done_before
        rate = rows / elapsed if elapsed else 0
        prefix = "dry run: " if options.dry_run else ""
        self.stdout.write(f"{prefix}{batch.summary()} in {elapsed:.1f}s ({rate:,.0f} rows/s)")
        if batch.rejected:
            if opts["errors"]:
                with batch.error_file.open("rb") as source, open(opts["errors"], "wb") as target:
                    shutil.copyfileobj(source, target)
                self.stdout.write(f"Rejected rows written to {opts['errors']}")
            else:
                for error in batch.row_errors.order_by("line")[:20]:
                    self.stdout.write(f"line {error.line}: {error.error}")
            sys.exit(1)
        return None
