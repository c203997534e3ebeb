"""Keeping scores current, in batch: score leads a chunk at a time with a fixed number of
queries per chunk (the leads, one query per kind of activity the rules count, the writes),
learn the model from closed leads, and gather the leads a transaction changed so one task
re-scores them after the commit."""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from activities.models import Activity, Inquiry
from capture.models import Submission
from crm.models import User
from crm.services import lock_for_update, save_setting
from leads.conditions import Condition, lead_facts
from leads.models import Campaign, Lead, LeadSource, State
from scoring import engine
from scoring.models import Engagement, LeadScore, ScoreModel, ScoringRule, ScoringSettings

CHUNK = 2000
HELD_OUT_EVERY = 5  # one closed lead in five is held out of training, chosen by its id


def is_held_out(pk: int) -> bool:
    """Whether a closed lead is held out to measure the model: a multiplicative hash of its
    id, so the choice is stable between runs yet owes nothing to how ids were handed out
    (every fifth id would line up with anything made in cycles, as generated data is)."""
    return (pk * 2654435761) % 2**32 % HELD_OUT_EVERY == 0


CALIBRATION_SAMPLE = 50_000
MODELS_KEPT = 5
FACTORS_KEPT = 6  # reasons kept each way
ACTIVITY_KINDS = {
    Engagement.PHONE_CALL: Activity.Kind.PHONE_CALL,
    Engagement.EMAIL: Activity.Kind.EMAIL,
    Engagement.APPOINTMENT: Activity.Kind.APPOINTMENT,
    Engagement.TASK: Activity.Kind.TASK,
}
SCORE_COLUMNS = ("score", "grade", "predicted_qualification")


def current_model() -> ScoreModel | None:
    return ScoreModel.objects.order_by("-pk").first()


class Context:
    """What scoring a batch reads once: settings, rules, the model, names of sources and
    campaigns (conditions and reasons read names, not ids)."""

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.settings = ScoringSettings.current()
        self.model = current_model()
        self.parameters = self.model.parameters if self.model else None
        rules = list(ScoringRule.objects.filter(is_active=True).order_by("pk"))
        self.field_rules = [
            (rule, Condition.of(rule.field, rule.operator, rule.items()))
            for rule in rules
            if rule.kind == ScoringRule.Kind.FIELD
        ]
        self.activity_rules = [r for r in rules if r.kind == ScoringRule.Kind.ACTIVITY]
        self.source_names = dict(LeadSource.objects.values_list("pk", "name"))
        self.campaign_names = dict(Campaign.objects.values_list("pk", "name"))
        self.names = {
            "source": {str(k): v for k, v in self.source_names.items()},
            "campaign": {str(k): v for k, v in self.campaign_names.items()},
        }
        self.engagements = {rule.engagement for rule in self.activity_rules}
        self.longest_window = max((r.within_days for r in self.activity_rules), default=0)


def _engagement_dates(ids: list[int], context: Context) -> dict:
    """{lead id: {engagement: [dates, newest first]}} within the rules' longest window: one
    query per kind of thing counted (activities, inquiries, web submissions)."""
    found = {}
    if not context.activity_rules or not ids:
        return found
    since = context.now - timedelta(days=context.longest_window)
    lead_type = ContentType.objects.get_for_model(Lead)
    kinds = {ACTIVITY_KINDS[e]: e for e in context.engagements if e in ACTIVITY_KINDS}
    if kinds:
        rows = Activity.objects.filter(
            content_type=lead_type, object_id__in=ids, kind__in=kinds, created_at__gte=since
        ).values_list("object_id", "kind", "created_at")
        for lead_id, kind, at in rows:
            found.setdefault(lead_id, {}).setdefault(kinds[kind], []).append(at)
    if Engagement.INQUIRY in context.engagements:
        rows = Inquiry.objects.filter(
            content_type=lead_type, object_id__in=ids, created_at__gte=since
        ).values_list("object_id", "created_at")
        for lead_id, at in rows:
            found.setdefault(lead_id, {}).setdefault(Engagement.INQUIRY, []).append(at)
    if Engagement.WEB_SUBMISSION in context.engagements:
        rows = Submission.objects.filter(lead_id__in=ids, submitted_at__gte=since).values_list(
            "lead_id", "submitted_at"
        )
        for lead_id, at in rows:
            found.setdefault(lead_id, {}).setdefault(Engagement.WEB_SUBMISSION, []).append(at)
    for kinds_ in found.values():
        for dates in kinds_.values():
            dates.sort(reverse=True)
    return found


def score_row(row: dict, dates: dict, context: Context) -> tuple:
    """(points, predicted, score, grade, factors) of one lead row."""
    factors = []
    points = 0.0
    if context.field_rules:
        facts = lead_facts(
            SimpleNamespace(**row),
            source_names=context.source_names,
            campaign_names=context.campaign_names,
        )
        for rule, condition in context.field_rules:
            if condition.holds(facts):
                points += rule.points
                factors.append({"label": rule.name, "points": rule.points, "part": "rule"})
    for rule in context.activity_rules:
        since = context.now - timedelta(days=rule.within_days)
        recent = [at for at in dates.get(rule.engagement, ()) if at >= since]
        if len(recent) >= rule.minimum:
            age = (context.now - recent[0]).total_seconds() / 86400
            earned = engine.decayed(rule.points, age, context.settings.half_life_days)
            points += earned
            factors.append({"label": rule.name, "points": round(earned), "part": "rule"})
    predicted = None
    if context.parameters is not None:
        predicted, effects = engine.predict(context.parameters, engine.feature_values(row))
        for key, value, effect in effects:
            if effect:
                # The words are made when shown, in the reader's language; a source's or a
                # campaign's name is kept (data, not a message).
                factors.append(
                    {
                        "feature": key,
                        "value": engine.shown_value(key, value, context.names),
                        "points": effect,
                        "part": "model",
                    }
                )
    points = round(points)
    score = engine.combine(points, predicted)
    factors.sort(key=lambda f: -abs(f["points"]))
    # The strongest reasons each way (the panel shows four): a million leads' reasons are
    # written every night, and the small ones say nothing.
    raised = [f for f in factors if f["points"] > 0][:FACTORS_KEPT]
    lowered = [f for f in factors if f["points"] < 0][:FACTORS_KEPT]
    factors = sorted(raised + lowered, key=lambda f: -abs(f["points"]))
    return points, predicted, score, context.settings.grade_of(score), factors


def _score_rows(rows: list[dict], context: Context) -> int:
    """Score a chunk of lead rows and write what changed: a fixed number of queries."""
    if not rows:
        return 0
    ids = [row["id"] for row in rows]
    dates = _engagement_dates(ids, context)
    changed, details = [], []
    for row in rows:
        lead_dates = dates.get(row["id"], {})
        points, predicted, score, grade, factors = score_row(row, lead_dates, context)
        rounded = None if predicted is None else round(predicted, 4)
        if (row["score"], row["grade"], row["predicted_qualification"]) != (
            score,
            grade,
            rounded,
        ):
            changed.append(row["id"])
        details.append(
            LeadScore(
                lead_id=row["id"],
                points=max(-32768, min(32767, points)),
                predicted=rounded,
                score=score,
                grade=grade,
                factors=factors,
                computed_at=context.now,
            )
        )
    with transaction.atomic():
        LeadScore.objects.bulk_create(
            details,
            update_conflicts=True,
            unique_fields=["lead"],
            update_fields=["points", "predicted", "score", "grade", "factors", "computed_at"],
            batch_size=CHUNK,
        )
        if changed:
            # Copied from the reasons just written, in one statement (bulk_update's CASE per
            # row costs milliseconds a row to build). No save(): neither modified_at nor a
            # history row moves (a score is not an edit).
            mine = LeadScore.objects.filter(lead_id=OuterRef("pk"))
            Lead.objects.filter(pk__in=changed).update(
                score=Subquery(mine.values("score")[:1]),
                grade=Subquery(mine.values("grade")[:1]),
                predicted_qualification=Subquery(mine.values("predicted")[:1]),
            )
    return len(rows)


_READ = (*engine.LEAD_COLUMNS, *SCORE_COLUMNS)


def score_leads(ids: Iterable[int], *, context: Context | None = None) -> int:
    """Re-score the open leads among `ids` (closed leads keep the score they closed with)."""
    context = context or Context()
    ids = sorted(set(ids))
    scored = 0
    for start in range(0, len(ids), CHUNK):
        rows = list(
            Lead.objects.filter(pk__in=ids[start : start + CHUNK], state=State.OPEN).values(*_READ)
        )
        scored += _score_rows(rows, context)
    return scored


def score_all(*, context: Context | None = None, chunk: int = CHUNK) -> int:
    """Re-score every open lead, walking the ids in chunks (keyset, not OFFSET)."""
    context = context or Context()
    last, scored = 0, 0
    while True:
        rows = list(
            Lead.objects.filter(state=State.OPEN, pk__gt=last)
            .order_by("pk")
            .values(*_READ)[:chunk]
        )
        if not rows:
            return scored
        scored += _score_rows(rows, context)
        last = rows[-1]["id"]


# -- learning ---------------------------------------------------------------------------


def closed_leads() -> QuerySet:
    return Lead.objects.filter(
        state__in=[State.QUALIFIED, State.DISQUALIFIED], merged_into__isnull=True
    )


def readiness() -> tuple[bool, str]:
    """(ready, message): whether enough closed leads exist to learn from, and if not why."""
    settings_ = ScoringSettings.current()
    counts = dict(closed_leads().order_by().values_list("state").annotate(n=Count("pk")))
    qualified = counts.get(State.QUALIFIED, 0)
    disqualified = counts.get(State.DISQUALIFIED, 0)
    needed = settings_.min_closed_leads
    if qualified + disqualified >= needed and min(qualified, disqualified) >= engine.MIN_OF_EACH:
        return True, ""
    return False, gettext(
        "No prediction yet: the model learns from closed leads and needs at least "
        "%(needed)d, with at least %(each)d qualified and %(each)d disqualified. There are "
        "%(qualified)d qualified and %(disqualified)d disqualified."
    ) % {
        "needed": needed,
        "each": engine.MIN_OF_EACH,
        "qualified": qualified,
        "disqualified": disqualified,
    }


def train() -> tuple[ScoreModel | None, str]:
    """Learn the model from the closed leads (one in five held out and measured), store it,
    and return it; None (and the reason) when there are too few closed leads."""
    ready, reason = readiness()
    if not ready:
        return None, reason
    counts = engine.Counts()
    held_out = []  # (values, qualified)
    training = []
    rows = closed_leads().order_by().values(*engine.LEAD_COLUMNS).iterator(chunk_size=5000)
    for row in rows:
        values = engine.feature_values(row)
        qualified = row["state"] == State.QUALIFIED
        if is_held_out(row["id"]):
            held_out.append((values, qualified))
        else:
            counts.add(values, qualified)
            training.append((values, qualified))
    if counts.qualified < engine.MIN_OF_EACH or counts.disqualified < engine.MIN_OF_EACH:
        return None, gettext("Too few qualified or disqualified leads outside the held-out set.")
    parameters = engine.weights_of(counts)
    step = max(1, math.ceil(len(training) / CALIBRATION_SAMPLE))
    sample = training[::step]
    engine.calibrate(
        parameters,
        [engine.raw_logit(parameters, values) for values, _ in sample],
        [1 if qualified else 0 for _, qualified in sample],
    )
    settings_ = ScoringSettings.current()
    predictions = [engine.predict(parameters, values)[0] for values, _ in held_out]
    outcomes = [qualified for _, qualified in held_out]
    by_grade = {grade: [0, 0] for grade in "ABCD"}
    for p, qualified in zip(predictions, outcomes, strict=True):
        cell = by_grade[settings_.grade_of(round(p * 100))]
        cell[0] += 1
        cell[1] += int(qualified)
    model = ScoreModel.objects.create(
        trained_on=len(training),
        held_out=len(held_out),
        qualified=counts.qualified,
        auc=engine.auc(predictions, outcomes),
        parameters=parameters,
        importance=engine.importance_of(counts, parameters),
        by_grade=[{"grade": g, "leads": n, "qualified": q} for g, (n, q) in by_grade.items()],
    )
    stale = ScoreModel.objects.order_by("-pk").values_list("pk", flat=True)[MODELS_KEPT:]
    ScoreModel.objects.filter(pk__in=list(stale)).delete()
    return model, ""


# -- the rules and settings (the scoring page) ----------------------------------------


def save_rule(
    *,
    user: User,
    values: dict,
    rule: ScoringRule | None = None,
    expected_version: int | None = None,
) -> ScoringRule:
    """Create a rule, or change one refusing a stale edit (its condition's value is stored
    as the engine reads it, by the rule's clean())."""
    return save_setting(
        ScoringRule, user=user, values=values, record=rule, expected_version=expected_version
    )


@transaction.atomic
def delete_rule(*, user: User, rule: ScoringRule) -> None:
    locked = lock_for_update(rule)
    locked._history_user = user
    locked.delete()


def save_settings(
    *, user: User, values: dict, expected_version: int | None = None
) -> ScoringSettings:
    return save_setting(
        ScoringSettings,
        user=user,
        values=values,
        record=ScoringSettings.current(),
        expected_version=expected_version,
    )


# -- after a commit ---------------------------------------------------------------------


def rescore_on_commit(ids: Iterable[int | None]) -> None:
    """Re-score these leads once the transaction commits: the ids of one transaction wait on
    the connection and one task takes them all (an import's batch, a bulk edit)."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    # A callback per call: the first after the commit takes every id waiting (ids a
    # rolled-back block left there go with the next commit's: re-scoring is harmless).
    connection = transaction.get_connection()
    connection.__dict__.setdefault("_scoring_pending", set()).update(ids)
    transaction.on_commit(partial(_enqueue_pending, connection))


def _enqueue_pending(connection: BaseDatabaseWrapper) -> None:
    from scoring.tasks import rescore_leads

    ids = connection.__dict__.pop("_scoring_pending", set())
    if ids:
        rescore_leads.enqueue(ids=sorted(ids))


def rescore_everything_on_commit() -> None:
    """A rule or a setting changed: every open lead is re-scored in the background."""
    connection = transaction.get_connection()
    connection.__dict__["_scoring_all_pending"] = True
    transaction.on_commit(partial(_enqueue_everything, connection))


def _enqueue_everything(connection: BaseDatabaseWrapper) -> None:
    from scoring.tasks import rescore_all_leads

    if connection.__dict__.pop("_scoring_all_pending", False):
        rescore_all_leads.enqueue()


def erase_scores(lead_ids: Iterable[int]) -> int:
    """Privacy: a person's scores go (their reasons name their values)."""
    LeadScore.objects.filter(lead_id__in=lead_ids).delete()
    return Lead.objects.filter(pk__in=lead_ids).update(
        score=0, grade="", predicted_qualification=None
    )
