"""Print the lead source effectiveness report (the page's table) as CSV or as a text table."""

import csv
import datetime

from django.core.management.base import BaseCommand, CommandError

from crm.models import User
from reports.forms import time_zone_of
from reports.lead_sources import CSV_COLUMNS, csv_cell, csv_header, csv_rows, lead_source_report
from reports.queries import DIMENSIONS, Criteria


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Lead source effectiveness over leads created in a date range. Everything is counted "
        "unless --as applies that user's visibility (and time zone for the dates)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="created_from", type=_date, help="first day (incl.)")
        parser.add_argument("--to", dest="created_to", type=_date, help="last day (inclusive)")
        parser.add_argument("--by", choices=DIMENSIONS, default="source")
        parser.add_argument("--as", dest="username", help="count only what this user may see")
        parser.add_argument("--format", choices=["csv", "table"], default="csv")

    def handle(self, *args, **options):
        user = None
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user named {options['username']!r}.")
        start, end = options["created_from"], options["created_to"]
        if start and end and start > end:
            raise CommandError("--from is after --to.")
        criteria = Criteria(
            by=options["by"], created_from=start, created_to=end, time_zone=time_zone_of(user)
        )
        report = lead_source_report(user=user, criteria=criteria)
        if options["format"] == "csv":
            csv.writer(self.stdout, lineterminator="\n").writerows(csv_rows(report))
        else:
            self.stdout.write(render_table(report), ending="")


def render_table(report):
    """A plain text table with the totals row, columns aligned."""
    lines = [csv_header(report.by)]
    for row in [*report.rows, report.totals]:
        lines.append([row.label, *(csv_cell(row.cell(c)) or "-" for c in CSV_COLUMNS)])
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    text = []
    for number, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        text.append("  ".join(cells).rstrip())
        if number == 0 or number == len(lines) - 2:
            text.append("-" * len(text[-1]))
    return "\n".join(text) + "\n"
