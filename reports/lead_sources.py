"""Lead source effectiveness: the aggregate rows of reports.queries turned into report rows.

Everything after the queries is pure: rates, averages, rounding, totals, labels, CSV cells.
Definitions (over leads created in the range, grouped by source, campaign, owner or team):
- open / qualified / disqualified: the lead's state now; disqualified also by reason.
- qualification rate: qualified / (qualified + disqualified); qualified share: qualified / all.
- opportunities: distinct opportunities a qualification of these leads fed; won / lost: of
  those, closed as won / lost. An opportunity fed by leads from several sources counts once
  in each of their rows and once in the totals.
- won value (actual revenue) and open value (estimated revenue of open opportunities), in the
  base currency, each source lead getting an equal share of its opportunity's value.
- days to qualification: creation to the last qualification, over leads qualified now.
- hours to first contact: creation to the first completed phone call or e-mail.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import Team, User
from leads.exports import csv_number, neutralise
from leads.models import STATUSES_BY_STATE, Campaign, LeadSource, State, Status
from reports import queries

REASONS = [str(status) for status in STATUSES_BY_STATE[State.DISQUALIFIED]]
# The group of leads without one; str() where used, so it is in the request's language.
NONE_LABEL = gettext_lazy("(none)")
CENT = Decimal("0.01")
RATE = Decimal("0.0001")

LEAD_COUNTS = ("leads", "open", "qualified", "disqualified")
OPPORTUNITY_COUNTS = ("opportunities", "won", "lost")
CSV_COLUMNS = (
    "leads",
    "open",
    "qualified",
    "disqualified",
    "qualification_rate",
    "opportunities",
    "won",
    "won_value",
    "lost",
    "open_value",
    "qualified_share",
    "avg_days_to_qualification",
    "avg_hours_to_first_contact",
    *(f"disqualified_{reason}" for reason in REASONS),
)


@dataclass
class Row:
    label: str
    key: tuple = (None, None)
    leads: int = 0
    open: int = 0
    qualified: int = 0
    disqualified: int = 0
    reasons: dict = field(default_factory=dict)
    opportunities: int = 0
    won: int = 0
    lost: int = 0
    won_value: Decimal = Decimal("0.00")
    open_value: Decimal = Decimal("0.00")
    qualify_seconds: float = 0.0
    qualify_count: int = 0
    contact_seconds: float = 0.0
    contact_count: int = 0
    links: dict = field(default_factory=dict)  # count column -> lead list URL (reports.links)

    @property
    def qualification_rate(self):
        return ratio(self.qualified, self.qualified + self.disqualified)

    @property
    def qualified_share(self):
        return ratio(self.qualified, self.leads)

    @property
    def avg_days_to_qualification(self):
        return average(self.qualify_seconds, self.qualify_count, per=86400)

    @property
    def avg_hours_to_first_contact(self):
        return average(self.contact_seconds, self.contact_count, per=3600)

    @property
    def reason_counts(self):
        return [self.reasons.get(reason, 0) for reason in REASONS]

    def cell(self, column):
        if column.startswith("disqualified_"):
            return self.reasons.get(column.removeprefix("disqualified_"), 0)
        return getattr(self, column)


@dataclass
class Report:
    by: str
    rows: list
    totals: Row


def ratio(part, whole):
    """A fraction 0–1 with 4 decimals; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


def average(total_seconds, count, *, per):
    if not count:
        return None
    value = Decimal(repr(float(total_seconds))) / count / per
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value):
    if value is None:
        return Decimal("0.00")
    # SQLite returns floats: go through their shortest repr, not their binary expansion.
    value = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _apply_lead_counts(row, data):
    row.leads, row.open = int(data["leads"] or 0), int(data["open_leads"] or 0)
    row.qualified, row.disqualified = int(data["qualified"] or 0), int(data["disqualified"] or 0)
    row.reasons = {reason: int(data[f"reason_{i}"] or 0) for i, reason in enumerate(REASONS)}
    row.qualify_seconds = float(data["qualify_seconds"] or 0)
    row.qualify_count = int(data["qualify_count"] or 0)
    row.contact_seconds = float(data["contact_seconds"] or 0)
    row.contact_count = int(data["contact_count"] or 0)


def _apply_opportunity_counts(row, data):
    for name in OPPORTUNITY_COUNTS:
        setattr(row, name, int(data[name] or 0))
    row.won_value = money(data["won_value"])
    row.open_value = money(data["open_value"])


def _sum_rows(rows):
    """Totals of the lead counts when every lead is in exactly one row."""
    totals = Row(label=_("Total"))
    for row in rows:
        for name in (*LEAD_COUNTS, "qualify_seconds", "qualify_count"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
        totals.contact_seconds += row.contact_seconds
        totals.contact_count += row.contact_count
        for reason in REASONS:
            totals.reasons[reason] = totals.reasons.get(reason, 0) + row.reasons.get(reason, 0)
    return totals


def build_report(*, by, lead_rows, opportunity_rows, labels):
    """Pure: combine the query rows into report rows sorted by label ("(none)" last)."""
    rows, totals = {}, None
    for data in lead_rows:
        if data["is_total"]:
            totals = Row(label=_("Total"))
            _apply_lead_counts(totals, data)
            continue
        key = (data["k1"], data["k2"])
        rows[key] = Row(label=labels.get(key, str(NONE_LABEL)), key=key)
        _apply_lead_counts(rows[key], data)
    if totals is None:
        totals = _sum_rows(rows.values())
    for data in opportunity_rows:
        if data["is_total"]:
            _apply_opportunity_counts(totals, data)
        elif (data["k1"], data["k2"]) in rows:
            _apply_opportunity_counts(rows[(data["k1"], data["k2"])], data)
    ordered = sorted(rows.values(), key=lambda r: (r.key == (None, None), r.label.lower()))
    return Report(by=by, rows=ordered, totals=totals)


def labels_for(by, keys):
    """{(k1, k2): label} for the groups present (one query; two for owners)."""
    ids = {k1 for k1, _k2 in keys if k1 is not None}
    if by == "source":
        return {(s.pk, None): str(s) for s in LeadSource.objects.filter(pk__in=ids)}
    if by == "campaign":
        return {(c.pk, None): str(c) for c in Campaign.objects.filter(pk__in=ids)}
    if by == "team":
        return {(t.pk, None): t.name for t in Team.objects.filter(pk__in=ids)}
    team_ids = {k2 for _k1, k2 in keys if k2 is not None}
    labels = {(u.pk, None): str(u) for u in User.objects.filter(pk__in=ids)} if ids else {}
    if team_ids:
        labels |= {(None, t.pk): t.name for t in Team.objects.filter(pk__in=team_ids)}
    return labels


def lead_source_report(*, user, criteria):
    """The report for `user` (None: everything) — two aggregate queries and the labels."""
    with queries.aggregate_settings():
        lead_rows = queries.lead_counts(user=user, criteria=criteria, reasons=REASONS)
        opportunity_rows = queries.opportunity_counts(user=user, criteria=criteria)
    keys = [(r["k1"], r["k2"]) for r in lead_rows if not r["is_total"]]
    return build_report(
        by=criteria.by,
        lead_rows=lead_rows,
        opportunity_rows=opportunity_rows,
        labels=labels_for(criteria.by, keys),
    )


def csv_header(by):
    return [by, *CSV_COLUMNS]


def csv_cell(value):
    return csv_number(value)


def csv_rows(report):
    """Header and one row per group (no totals row), as in the download."""
    yield csv_header(report.by)
    for row in report.rows:
        yield [neutralise(row.label), *(csv_cell(row.cell(column)) for column in CSV_COLUMNS)]


def chart_data(report):
    """What the chart draws (passed to the page through json_script)."""
    return {
        "labels": [row.label for row in report.rows],
        "datasets": [
            {"label": _("Leads"), "data": [row.leads for row in report.rows]},
            {"label": _("Qualified"), "data": [row.qualified for row in report.rows]},
            {"label": _("Won"), "data": [row.won for row in report.rows]},
        ],
    }


DISQUALIFICATION_COLUMNS = ("disqualified", *(f"disqualified_{reason}" for reason in REASONS))


def disqualification_csv_rows(report):
    """The disqualification-reasons download: per group, disqualified and each reason."""
    yield [report.by, *DISQUALIFICATION_COLUMNS]
    for row in report.rows:
        yield [neutralise(row.label), *(csv_cell(row.cell(c)) for c in DISQUALIFICATION_COLUMNS)]


def disqualification_chart_data(report):
    """One bar per reason: how many of the report's leads were disqualified for it."""
    totals = report.totals
    return {
        "labels": [str(Status(reason).label) for reason in REASONS],
        "datasets": [
            {
                "label": str(_("Disqualified leads")),
                "data": [totals.reasons.get(reason, 0) for reason in REASONS],
            }
        ],
    }
