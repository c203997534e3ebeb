"""The pure part of scoring: a lead's points from the rules, the naive Bayes model learned
from closed leads, the score and grade, and the reasons in words. No database here:
`scoring/services.py` reads leads in chunks (fixed queries per chunk) and calls these.

A lead is a dict of the columns in `LEAD_COLUMNS` (a `.values()` row).

The model: for each feature f and value v, the weight w(f, v) = log P(v | qualified) -
log P(v | disqualified), Laplace-smoothed; a lead's log-odds is the prior plus its weights,
scaled and shifted by a one-variable logistic fit on the training leads (naive Bayes counts
correlated fields more than once; the fit brings its probabilities back to the observed
rates). A weight's effect on the lead's probability, in percentage points, is its reason.
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry
from opportunities.models import BudgetStatus, Need, PurchaseProcess, PurchaseTimeframe, Rating

LEAD_COLUMNS = (
    "id",
    "state",
    "source_id",
    "campaign_id",
    "country",
    "city",
    "industry",
    "job_title",
    "rating",
    "budget_status",
    "need",
    "purchase_timeframe",
    "purchase_process",
    "decision_maker",
    "do_not_email",
    "do_not_phone",
    "email",
    "business_phone",
    "mobile_phone",
    "company_name",
    "annual_revenue",
    "number_of_employees",
    "estimated_value",
    "state_province",
    "topic",
)
MODEL_CAP = 20  # the points move a predicted score by at most this much either way
ALPHA = 1.0  # Laplace smoothing
MIN_OF_EACH = 10  # qualified and disqualified leads a model needs at the least


def _text(value):
    return " ".join(str(value).split()).casefold() if value else ""


def _code(column):
    """A choice's stored code as text (the value learned and stored); shown as its label."""
    return lambda r: "" if r[column] in (None, "") else str(r[column])


def _label_of(choices):
    def show(value, names):
        labels = {str(code): label for code, label in choices.choices}
        return str(labels.get(value, value))

    return show


def _yes_no(value):
    return "yes" if value else "no"


@dataclass(frozen=True)
class Feature:
    key: str
    label: object  # lazy text
    read: object  # row, names -> normalised value ("" for none)
    show: object = None  # value -> words (defaults to the value)
    # For yes/no features: the reason's words for yes and for no.
    yes: object = None
    no: object = None

    def words(self, value, names):
        if self.yes is not None:
            return str(self.yes if value == "yes" else self.no)
        if value == "":
            return gettext("%(field)s: none") % {"field": self.label}
        shown = self.show(value, names) if self.show else value
        return f"{self.label}: {shown}"


def _named(kind):
    return lambda value, names: names.get(kind, {}).get(value, value)


def _title(value, names):
    return value.title() if value.islower() else value


def _flag(key, label, read, yes, no):
    """A yes/no feature, its reason in words either way ("Has a phone number")."""
    return Feature(key, label, lambda row: _yes_no(read(row)), yes=yes, no=no)


FEATURES = (
    Feature("source", _("Source"), lambda r: r["source_id"] or "", _named("source")),
    Feature("campaign", _("Campaign"), lambda r: r["campaign_id"] or "", _named("campaign")),
    Feature("country", _("Country"), lambda r: _text(r["country"]), _title),
    Feature("city", _("City"), lambda r: _text(r["city"]), _title),
    Feature("industry", _("Industry"), _code("industry"), _label_of(Industry)),
    Feature("job_title", _("Job title"), lambda r: _text(r["job_title"]), _title),
    Feature("rating", _("Rating"), _code("rating"), _label_of(Rating)),
    Feature("budget_status", _("Budget"), _code("budget_status"), _label_of(BudgetStatus)),
    Feature("need", _("Need"), _code("need"), _label_of(Need)),
    Feature(
        "purchase_timeframe",
        _("Purchase timeframe"),
        _code("purchase_timeframe"),
        _label_of(PurchaseTimeframe),
    ),
    Feature(
        "purchase_process",
        _("Purchase process"),
        _code("purchase_process"),
        _label_of(PurchaseProcess),
    ),
    _flag(
        "decision_maker",
        _("Decision maker identified"),
        lambda r: r["decision_maker"],
        _("Decision maker identified"),
        _("No decision maker identified"),
    ),
    _flag(
        "do_not_email",
        _("Do not e-mail"),
        lambda r: r["do_not_email"],
        _("Asked not to be e-mailed"),
        _("May be e-mailed"),
    ),
    _flag(
        "do_not_phone",
        _("Do not phone"),
        lambda r: r["do_not_phone"],
        _("Asked not to be phoned"),
        _("May be phoned"),
    ),
    _flag(
        "has_email",
        _("E-mail address"),
        lambda r: r["email"],
        _("Has an e-mail address"),
        _("No e-mail address"),
    ),
    _flag(
        "has_phone",
        _("Phone number"),
        lambda r: r["business_phone"] or r["mobile_phone"],
        _("Has a phone number"),
        _("No phone number"),
    ),
    _flag(
        "has_company",
        _("Company"),
        lambda r: r["company_name"],
        _("Has a company name"),
        _("No company name"),
    ),
)
FEATURES_BY_KEY = {feature.key: feature for feature in FEATURES}


def shown_value(key, value, names):
    """The value a reason shows: a source's or campaign's name for its id, else the value."""
    if key in names and value:
        return str(names[key].get(value, value))
    return value


def factor_words(factor):
    """A stored reason in words, in the active language: a rule's name, or the feature and
    its value ("Source: Partner referral", "No phone number")."""
    if "label" in factor:
        return factor["label"]
    feature = FEATURES_BY_KEY.get(factor.get("feature"))
    if feature is None:
        return str(factor.get("feature", ""))
    return feature.words(factor.get("value", ""), {})


def feature_values(row):
    """{feature key: normalised value} of a lead row (ids as text: JSON keys)."""
    return {feature.key: str(feature.read(row)) for feature in FEATURES}


def _sigmoid(z):
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


class Counts:
    """Feature-value counts of closed leads, filled row by row (a training pass)."""

    def __init__(self):
        self.qualified = 0
        self.disqualified = 0
        self.table = {f.key: {} for f in FEATURES}  # key -> value -> [qualified, disqualified]

    def add(self, values, qualified):
        if qualified:
            self.qualified += 1
        else:
            self.disqualified += 1
        column = 0 if qualified else 1
        for key, value in values.items():
            cell = self.table[key].setdefault(value, [0, 0])
            cell[column] += 1


def weights_of(counts):
    """The naive Bayes parameters from the counts: prior, weights, the unseen value's."""
    nq, nd = counts.qualified, counts.disqualified
    weights, unseen = {}, {}
    for key, values in counts.table.items():
        k = len(values) + 1  # the seen values and one for the unseen
        dq, dd = nq + ALPHA * k, nd + ALPHA * k
        weights[key] = {
            value: math.log((q + ALPHA) / dq) - math.log((d + ALPHA) / dd)
            for value, (q, d) in values.items()
        }
        unseen[key] = math.log(ALPHA / dq) - math.log(ALPHA / dd)
    return {
        "prior": math.log(nq / nd),
        "weights": weights,
        "unseen": unseen,
        "scale": 1.0,
        "shift": 0.0,
    }


def importance_of(counts, parameters):
    """How much each feature moves the predictions: the mean absolute weight over the
    training leads (a value seen often with a strong weight counts most), descending."""
    total = counts.qualified + counts.disqualified
    result = []
    for key, values in counts.table.items():
        weights = parameters["weights"][key]
        mean = sum((q + d) * abs(weights[value]) for value, (q, d) in values.items()) / total
        result.append({"feature": key, "importance": round(mean * parameters["scale"], 4)})
    result.sort(key=lambda item: -item["importance"])
    return result


def raw_logit(parameters, values):
    weights, unseen = parameters["weights"], parameters["unseen"]
    z = parameters["prior"]
    for key, value in values.items():
        table = weights.get(key)
        if table is not None:
            z += table.get(value, unseen[key])
    return z


def calibrate(parameters, logits, outcomes, iterations=25):
    """Fit p = sigmoid(scale × logit + shift) to the training outcomes (Newton's method on
    the log-likelihood of two parameters); stored in `parameters`."""
    a, b = 1.0, 0.0
    for _step in range(iterations):
        ga = gb = haa = hab = hbb = 0.0
        for z, y in zip(logits, outcomes, strict=True):
            p = _sigmoid(a * z + b)
            r = y - p
            w = p * (1 - p)
            ga += r * z
            gb += r
            haa += w * z * z
            hab += w * z
            hbb += w
        haa += 1e-6
        hbb += 1e-6
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a, b = a + da, b + db
        if abs(da) < 1e-6 and abs(db) < 1e-6:
            break
    parameters["scale"], parameters["shift"] = max(a, 0.0), b
    return parameters


def predict(parameters, values):
    """The probability of qualification and each feature's reason: [(key, value, effect in
    percentage points)] of the probability with and without that feature's weight."""
    weights, unseen = parameters["weights"], parameters["unseen"]
    scale, shift = parameters["scale"], parameters["shift"]
    parts = []
    z = parameters["prior"]
    for key, value in values.items():
        table = weights.get(key)
        if table is None:
            continue
        w = table.get(value, unseen[key])
        parts.append((key, value, w))
        z += w
    p = _sigmoid(scale * z + shift)
    effects = [
        (key, value, round((p - _sigmoid(scale * (z - w) + shift)) * 100))
        for key, value, w in parts
    ]
    return p, effects


def auc(scores, outcomes):
    """The area under the ROC curve: the chance a qualified lead outranks a disqualified one
    (ties count half); None without both kinds."""
    pairs = sorted(zip(scores, outcomes, strict=True), key=lambda pair: pair[0])
    positives = sum(1 for _score, y in pairs if y)
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return None
    rank_sum, index = 0.0, 0
    while index < len(pairs):
        end = index
        while end + 1 < len(pairs) and pairs[end + 1][0] == pairs[index][0]:
            end += 1
        mean_rank = (index + end) / 2 + 1
        rank_sum += mean_rank * sum(1 for _score, y in pairs[index : end + 1] if y)
        index = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def decayed(points, age_days, half_life_days):
    """Engagement points after `age_days`: halved every `half_life_days`."""
    return points * 0.5 ** (max(age_days, 0) / half_life_days)


def combine(points, predicted):
    """The score 0-100: the predicted probability × 100 moved by at most ±MODEL_CAP by the
    points when a model exists, else the points, capped to 0-100."""
    if predicted is None:
        return max(0, min(100, round(points)))
    moved = max(-MODEL_CAP, min(MODEL_CAP, points))
    return max(0, min(100, round(predicted * 100 + moved)))
