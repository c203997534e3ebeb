"""manage.py rebuild_search_index [--batch-size N]: recompute every lead's search text
(leads.search), for rows written outside the app (raw SQL, a restored dump); prints rows/s.
On SQLite it then refills the FTS5 table (and puts back any trigger missing)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext as _

from leads import search
from leads.models import Lead


class Command(BaseCommand):
    help = "Recompute the lead search index (Lead.search_text) of every lead, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            self.stderr.write(_("--batch-size must be at least 1."))
            return
        out = self.stdout.write if options["verbosity"] > 0 else None
        read, written = search.rebuild(Lead, batch_size=batch_size, out=out)
        if connection.vendor == "sqlite":
            started = time.monotonic()
            with connection.cursor() as cursor:
                search.install_sqlite_index(cursor)
            if out:
                out(f"FTS5 table refilled in {time.monotonic() - started:.1f} s")
        self.stdout.write(
            _("Search index rebuilt: %(read)s leads read, %(written)s updated.")
            % {"read": f"{read:,}", "written": f"{written:,}"}
        )
