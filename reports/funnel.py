"""The funnel: leads created → contacted → qualified → opportunity → won, per source or team.

A lead counts in every step it reached: contacted (a completed call or e-mail, the Contacted
status, or qualified), qualified (ever, even if reactivated since), opportunity (a
qualification fed one) and won (one of those was won). Each step after the first also shows
its conversion: the share of the previous step's leads that reached it.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.exports import csv_number, neutralise
from reports import queries
from reports.lead_sources import NONE_LABEL, labels_for

STEPS = [
    ("created", gettext_lazy("Created")),
    ("contacted", gettext_lazy("Contacted")),
    ("qualified", gettext_lazy("Qualified")),
    ("opportunity", gettext_lazy("Opportunity")),
    ("won", gettext_lazy("Won")),
]
PERCENT = Decimal("0.1")


@dataclass
class FunnelRow:
    label: str
    key: tuple = (None, None)
    counts: dict = field(default_factory=dict)

    @property
    def steps(self):
        """[(step, label, count, % of the previous step's count)]; the % is None for the
        first step and after an empty step (the template tells them apart by position)."""
        result, previous = [], None
        for name, label in STEPS:
            count = self.counts.get(name, 0)
            result.append((name, label, count, conversion(previous, count)))
            previous = count
        return result


def conversion(previous, count):
    """The percentage of the previous step's leads that reached this one (one decimal);
    None for the first step (`previous` None) and after an empty step."""
    if not previous:
        return None
    reached = Decimal(count) * 100 / Decimal(previous)
    return reached.quantize(PERCENT, rounding=ROUND_HALF_UP)


def build_funnel(rows, labels):
    """Pure: query rows → (sorted FunnelRows, totals FunnelRow)."""
    result, totals = [], FunnelRow(label=_("Total"))
    for data in rows:
        counts = {name: int(data[name] or 0) for name, _label in STEPS}
        if data["is_total"]:
            totals.counts = counts
            continue
        key = (data["k1"], data["k2"])
        result.append(FunnelRow(label=labels.get(key, str(NONE_LABEL)), key=key, counts=counts))
    result.sort(key=lambda r: (r.key == (None, None), r.label.lower()))
    return result, totals


def funnel_report(*, user, criteria):
    with queries.aggregate_settings():
        rows = queries.funnel_counts(user=user, criteria=criteria)
    keys = [(r["k1"], r["k2"]) for r in rows if not r["is_total"]]
    return build_funnel(rows, labels_for(criteria.by, keys))


def csv_header(by):
    """The group, each step's count, then each later step's count as a percentage of the
    previous step's (empty after an empty step)."""
    steps = [name for name, _label in STEPS]
    previous = steps[:-1]
    return [
        by,
        *steps,
        *(f"{name}_percent_of_{before}" for name, before in zip(steps[1:], previous, strict=True)),
    ]


def csv_rows(by, rows):
    """Header and one row per group (no totals row), as in the download."""
    yield csv_header(by)
    for row in rows:
        steps = row.steps
        counts = [str(count) for _name, _label, count, _rate in steps]
        rates = [csv_number(rate) for _n, _l, _c, rate in steps[1:]]
        yield [neutralise(row.label), *counts, *rates]


def chart_data(totals):
    return {
        "labels": [str(label) for _name, label in STEPS],
        "datasets": [
            {"label": _("Leads"), "data": [totals.counts.get(name, 0) for name, _l in STEPS]}
        ],
    }
