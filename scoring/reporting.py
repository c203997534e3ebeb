"""The lead scoring report: how good the current model is on the leads it was not trained on,
which fields matter most, and how the open leads fall into grades. One dict, the same for the
page and the `lead_scoring_report` command (its JSON is this dict)."""

from django.db.models import Count
from django.utils.translation import gettext

from leads.models import Grade, Lead, State
from scoring import engine, services

TOP_FEATURES = 5


def _rate(qualified, leads):
    return round(qualified / leads, 4) if leads else None


def _label(key):
    # A model trained before a feature was dropped from the engine still names it.
    feature = engine.FEATURES_BY_KEY.get(key)
    return str(feature.label) if feature else key


def open_leads_by_grade(user=None):
    """[{"grade", "leads"}] for A-D (zero included), then the open leads not scored yet
    (grade None) if any: one GROUP BY query over the leads `user` may see (every lead
    without a user: the command)."""
    leads = Lead.objects.all() if user is None else Lead.objects.visible_to(user)
    counts = dict(
        leads.filter(state=State.OPEN, merged_into__isnull=True)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    rows = [{"grade": grade, "leads": counts.get(grade, 0)} for grade in Grade.values]
    if counts.get(""):
        rows.append({"grade": None, "leads": counts[""]})
    return rows


def scoring_report(user=None):
    """The current model's measures (or, without one, why there is none) and the open leads
    by grade: two queries with a model, four without (readiness reads the settings and
    counts the closed leads)."""
    model = services.current_model()
    if model is None:
        ready, reason = services.readiness()
        if ready:
            reason = gettext(
                "No prediction yet: there are enough closed leads, but the model has not been "
                "learned yet. It is learned every night, or now with the train_lead_score "
                "command."
            )
        return {
            "auc": None,
            "trained_on": None,
            "held_out": None,
            "qualified": None,
            "trained_at": None,
            "by_grade": [],
            "top_features": [],
            "open_leads_by_grade": open_leads_by_grade(user),
            "reason": reason,
        }
    return {
        "auc": None if model.auc is None else round(model.auc, 4),
        "trained_on": model.trained_on,
        "held_out": model.held_out,
        "qualified": model.qualified,
        "trained_at": model.trained_at.isoformat(),
        "by_grade": [
            {
                "grade": row["grade"],
                "leads": row["leads"],
                "qualified": row["qualified"],
                "rate": _rate(row["qualified"], row["leads"]),
            }
            for row in model.by_grade
        ],
        "top_features": [
            {
                "feature": item["feature"],
                "label": _label(item["feature"]),
                "importance": item["importance"],
            }
            for item in model.importance[:TOP_FEATURES]
        ],
        "open_leads_by_grade": open_leads_by_grade(user),
        "reason": None,
    }
