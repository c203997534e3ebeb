"""The lead scoring report: how good the current model is on the leads it was not trained on,
which fields matter most, and how the open leads fall into grades. One dict, the same for the
page and the `lead_scoring_report` command (its JSON is this dict)."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import Activity, Inquiry
from capture.models import Submission
from leads.conditions import Operator, common_values, condition_q
from leads.models import Grade, Lead, State
from scoring import engine, services
from scoring.models import Engagement, ScoringRule

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
        # Three decimals, as shown: rounding to four first would round 0.93749 up to 0.938.
        "auc": None if model.auc is None else round(model.auc, 3),
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


def _engaged_lead_ids(rule):
    """The ids of leads with at least rule.minimum of its engagement in its window, as a
    subquery (one GROUP BY over the things counted)."""
    since = timezone.now() - timedelta(days=rule.within_days)
    if rule.engagement == Engagement.WEB_SUBMISSION:
        rows = Submission.objects.filter(submitted_at__gte=since)
        column = "lead_id"
    else:
        lead_type = ContentType.objects.get_for_model(Lead)
        if rule.engagement == Engagement.INQUIRY:
            rows = Inquiry.objects.filter(content_type=lead_type, created_at__gte=since)
        else:
            rows = Activity.objects.filter(
                content_type=lead_type,
                kind=services.ACTIVITY_KINDS[rule.engagement],
                created_at__gte=since,
            )
        column = "object_id"
    return (
        rows.order_by()
        .values(column)
        .annotate(n=Count("pk"))
        .filter(n__gte=rule.minimum)
        .values(column)
    )


def rule_reach(rule, user):
    """How many of the open leads `user` may see a rule (saved or not) holds for today:
    {"matching", "open", "suggestions"}. A text rule that holds for none lists the field's
    most frequent values among those leads ("Danmark" for a rule on "Denmark"). Two or three
    queries, whatever the number of leads."""
    leads = Lead.objects.visible_to(user).filter(state=State.OPEN, merged_into__isnull=True)
    if rule.kind == ScoringRule.Kind.FIELD:
        matching = leads.filter(condition_q(rule.field, rule.operator, rule.value))
    else:
        matching = leads.filter(pk__in=_engaged_lead_ids(rule))
    reach = {"matching": matching.count(), "open": leads.count(), "suggestions": []}
    text_test = rule.kind == ScoringRule.Kind.FIELD and rule.operator in (
        Operator.EQUALS,
        Operator.IN,
        Operator.STARTS_WITH,
        Operator.CONTAINS,
    )
    if reach["matching"] == 0 and reach["open"] and text_test:
        reach["suggestions"] = common_values(leads, rule.field)
    return reach
