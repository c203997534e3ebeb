"""Time in status, from the status log: how long leads stay in each status, per owner or team.

A stay runs from one log entry to the next. Stays that are still running count up to now for
the waiting statuses (New, Contacted); a closed status only counts once the lead left it.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from leads.exports import csv_number, neutralise
from leads.models import Status
from reports import queries
from reports.lead_sources import NONE_LABEL, labels_for

DAYS = Decimal("0.01")


@dataclass
class Stay:
    stays: int
    average_days: Decimal
    median_days: Decimal
    average_seconds: float = 0.0


@dataclass
class StatusRow:
    label: str
    key: tuple = (None, None)
    by_status: dict = field(default_factory=dict)
    cells: list = field(default_factory=list)  # one Stay (or None) per status shown


def days(seconds):
    return (Decimal(repr(float(seconds))) / 86400).quantize(DAYS, rounding=ROUND_HALF_UP)


def build_time_in_status(rows, labels):
    """Pure: (rows sorted by label, [(status, label)] that occur, in the status order)."""
    result = {}
    for data in rows:
        key = (data["k1"], data["k2"])
        row = result.setdefault(key, StatusRow(label=labels.get(key, str(NONE_LABEL)), key=key))
        row.by_status[data["status"]] = Stay(
            stays=int(data["stays"]),
            average_days=days(data["average"]),
            median_days=days(data["median"]),
            average_seconds=float(data["average"]),
        )
    present = {status for row in result.values() for status in row.by_status}
    statuses = [(status.value, status.label) for status in Status if status in present]
    for row in result.values():
        row.cells = [row.by_status.get(status) for status, _label in statuses]
    ordered = sorted(result.values(), key=lambda r: (r.key == (None, None), r.label.lower()))
    return ordered, statuses


def time_in_status_report(*, user, criteria, now=None):
    with queries.aggregate_settings():
        rows = queries.time_in_status(user=user, criteria=criteria, now=now)
    return build_time_in_status(rows, labels_for(criteria.by, [(r["k1"], r["k2"]) for r in rows]))


CSV_COLUMNS = ("status", "stays", "average_days", "median_days")


def csv_header(by):
    return [by, *CSV_COLUMNS]


def csv_rows(by, rows, statuses):
    """Header and one row per group and status it has stays in (status order); the status by
    its label in the user's language, as the page shows it."""
    yield csv_header(by)
    for row in rows:
        for (_status, label), stay in zip(statuses, row.cells, strict=True):
            if stay is not None:
                yield [
                    neutralise(row.label),
                    str(label),
                    str(stay.stays),
                    csv_number(stay.average_days),
                    csv_number(stay.median_days),
                ]


def chart_data(rows, statuses):
    """One bar per status: the average days of every stay in the report (each row's average
    weighted by its number of stays, so it is the average over all stays, not of the rows)."""
    averages = []
    for index, _status in enumerate(statuses):
        stays = [row.cells[index] for row in rows if row.cells[index] is not None]
        count = sum(stay.stays for stay in stays)
        total = sum(stay.average_seconds * stay.stays for stay in stays)
        averages.append(float(days(total / count)) if count else 0)
    return {
        "labels": [str(label) for _status, label in statuses],
        "datasets": [{"label": str(_("Average days in the status")), "data": averages}],
    }
