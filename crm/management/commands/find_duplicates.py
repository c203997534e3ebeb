"""Find possible duplicates in batch (crm/duplicate_finder.py): the records changed since
the last run, or every record with --full."""

import time

from django.core.management.base import BaseCommand

from crm import duplicate_finder

KINDS = {"lead": "leads.lead", "contact": "accounts.contact", "account": "accounts.account"}


class Command(BaseCommand):
    help = "Bring the stored possible duplicates up to date."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=sorted(KINDS), help="only this kind")
        parser.add_argument("--full", action="store_true", help="scan every record")

    def handle(self, *args, kind=None, full=False, **options):
        labels = [KINDS[kind]] if kind else list(duplicate_finder.finders())
        for label in labels:
            started = time.monotonic()
            counts = duplicate_finder.refresh(label, full=full)
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{label}: {counts['scanned']} scanned, {counts['added']} added, "
                f"{counts['removed']} removed in {seconds:.1f} s"
            )
