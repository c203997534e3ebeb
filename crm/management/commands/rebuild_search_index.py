"""manage.py rebuild_search_index [--model app_label.Model] [--batch-size N]: recompute the
search text of every lead, account, contact and opportunity (crm.search_index, each app's
registered index), for rows written outside the app (raw SQL, a restored dump); prints rows/s.
On SQLite it then refills each FTS5 table (and puts back any trigger missing)."""

import time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from crm.search_index import INDEXES


class Command(BaseCommand):
    help = "Recompute the search index (search_text) of every searchable record, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--model",
            action="append",
            choices=sorted(INDEXES),
            help="Only this model (app_label.Model); repeat for several. Default: all.",
        )

    def handle(self, *args, batch_size, model, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        out = self.stdout.write if options["verbosity"] > 0 else None
        for label in model or INDEXES:
            index = INDEXES[label]
            records = apps.get_model(label)
            noun = str(records._meta.verbose_name_plural)
            read, written = index.rebuild(records, batch_size=batch_size, out=out, noun=noun)
            if connection.vendor == "sqlite":
                started = time.monotonic()
                with connection.cursor() as cursor:
                    index.install_sqlite_index(cursor)
                if out:
                    out(f"FTS5 table refilled in {time.monotonic() - started:.1f} s")
            self.stdout.write(
                _("Search index rebuilt: %(read)s %(records)s read, %(written)s updated.")
                % {"read": f"{read:,}", "records": noun, "written": f"{written:,}"}
            )
