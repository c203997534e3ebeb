"""The funnel: leads created → contacted → qualified → opportunity → won, per source or team.

A lead counts in every step it reached: contacted (a completed call or e-mail, the Contacted
status, or qualified), qualified (ever, even if reactivated since), opportunity (a
qualification fed one) and won (one of those was won). Drop-off is the share of the previous
step's leads that did not reach the next one.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.exports import neutralise
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
        """[(step, label, count, drop-off % from the previous step or None)]."""
        result, previous = [], None
        for name, label in STEPS:
            count = self.counts.get(name, 0)
            result.append((name, label, count, drop_off(previous, count)))
            previous = count
        return result


def drop_off(previous, count):
    if previous is None or not previous:
        return None
    lost = Decimal(previous - count) * 100 / Decimal(previous)
    return lost.quantize(PERCENT, rounding=ROUND_HALF_UP)


def build_funnel(rows, labels):
    """Pure: query rows → (sorted FunnelRows, totals FunnelRow)."""
    result, totals = [], FunnelRow(label=_("Total"))
    for data in rows:
        counts = {name: int(data[name] or 0) for name, _label in STEPS}
        if data["is_total"]:
            totals.counts = counts
            continue
        key = (data["k1"], data["k2"])
        result.append(FunnelRow(label=labels.get(key, NONE_LABEL), key=key, counts=counts))
    result.sort(key=lambda r: (r.key == (None, None), r.label.lower()))
    return result, totals


def funnel_report(*, user, criteria):
    rows = queries.funnel_counts(user=user, criteria=criteria)
    keys = [(r["k1"], r["k2"]) for r in rows if not r["is_total"]]
    return build_funnel(rows, labels_for(criteria.by, keys))


def csv_header(by):
    """The group, each step's count, then each step's drop-off from the previous one (%)."""
    steps = [name for name, _label in STEPS]
    return [by, *steps, *(f"{name}_drop_off_percent" for name in steps[1:])]


def csv_rows(by, rows):
    """Header and one row per group (no totals row), as in the download."""
    yield csv_header(by)
    for row in rows:
        steps = row.steps
        counts = [str(count) for _name, _label, count, _drop in steps]
        drops = ["" if drop is None else str(drop) for _n, _l, _c, drop in steps[1:]]
        yield [neutralise(row.label), *counts, *drops]


def chart_data(totals):
    return {
        "labels": [str(label) for _name, label in STEPS],
        "datasets": [
            {"label": _("Leads"), "data": [totals.counts.get(name, 0) for name, _l in STEPS]}
        ],
    }
