from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from activities.services import log_activity
from crm.tests.factories import UserFactory
from leads.models import Lead, State, Status
from leads.tests.factories import make_lead
from scoring import engine, services
from scoring.models import Engagement, LeadScore, ScoringRule, ScoringSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


def field_rule(name, field, operator, value, points):
    rule = ScoringRule(name=name, field=field, operator=operator, value=value, points=points)
    rule.full_clean()
    rule.save()
    return rule


def activity_rule(name, engagement, points, *, within_days=30, minimum=1):
    rule = ScoringRule(
        name=name,
        kind=ScoringRule.Kind.ACTIVITY,
        engagement=engagement,
        points=points,
        within_days=within_days,
        minimum=minimum,
    )
    rule.full_clean()
    rule.save()
    return rule


def scored(lead):
    services.score_leads([lead.pk])
    lead.refresh_from_db()
    return lead


def test_field_rules_add_and_take_away_points_capped_to_0_100(rep):
    field_rule("Danish", "country", "equals", "denmark", 30)
    field_rule("Big company", "number_of_employees", "gte", "500", 80)
    field_rule("Competitor domain", "email_domain", "equals", "rival.example", -50)
    lead = scored(make_lead(owner=rep, country="Denmark", number_of_employees=900))
    assert (lead.score, lead.grade, lead.predicted_qualification) == (100, "A", None)
    detail = LeadScore.objects.get(lead=lead)
    assert detail.points == 110  # the sum; the score is capped
    assert {f["label"]: f["points"] for f in detail.factors} == {"Danish": 30, "Big company": 80}
    other = scored(make_lead(owner=rep, country="Sweden", email="x@rival.example"))
    assert (other.score, other.grade) == (0, "D")
    assert LeadScore.objects.get(lead=other).points == -50


def test_engagement_points_halve_every_half_life(rep):
    ScoringSettings.objects.update_or_create(pk=1, defaults={"half_life_days": 10})
    activity_rule("Called lately", Engagement.PHONE_CALL, 40, within_days=60)
    lead = make_lead(owner=rep)
    activity = log_activity(
        regarding=lead,
        user=rep,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": "Call", "direction": "outgoing"},
    )
    assert scored(lead).score == 40
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(days=10))
    assert scored(lead).score == 20
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(days=20))
    assert scored(lead).score == 10
    # Out of the rule's window: nothing.
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(days=61))
    assert scored(lead).score == 0


def test_an_activity_rule_counts_at_least_its_minimum(rep):
    activity_rule("Two e-mails", Engagement.EMAIL, 30, minimum=2)
    lead = make_lead(owner=rep)
    log_activity(
        regarding=lead,
        user=rep,
        kind=Activity.Kind.EMAIL,
        data={"subject": "One", "direction": "outgoing"},
    )
    assert scored(lead).score == 0
    log_activity(
        regarding=lead,
        user=rep,
        kind=Activity.Kind.EMAIL,
        data={"subject": "Two", "direction": "outgoing"},
    )
    assert scored(lead).score == 30


def test_logging_an_activity_rescores_the_lead_after_the_commit(
    rep, django_capture_on_commit_callbacks
):
    activity_rule("Called", Engagement.PHONE_CALL, 25)
    with django_capture_on_commit_callbacks(execute=True):
        lead = make_lead(owner=rep)
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (0, "D")
    with django_capture_on_commit_callbacks(execute=True):
        log_activity(
            regarding=lead,
            user=rep,
            kind=Activity.Kind.PHONE_CALL,
            data={"subject": "Hello", "direction": "outgoing"},
        )
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (25, "C")
    assert LeadScore.objects.get(lead=lead).factors == [
        {"label": "Called", "points": 25, "part": "rule"}
    ]


def test_a_rule_change_rescores_every_open_lead_in_the_background(
    rep, django_capture_on_commit_callbacks
):
    lead = make_lead(owner=rep, country="Denmark")
    with django_capture_on_commit_callbacks(execute=True):
        field_rule("Danish", "country", "equals", "Denmark", 60)
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (60, "B")


def test_grade_boundaries_are_the_organisations(rep):
    ScoringSettings.objects.update_or_create(
        pk=1, defaults={"grade_a": 90, "grade_b": 60, "grade_c": 20}
    )
    field_rule("Danish", "country", "equals", "Denmark", 80)
    assert scored(make_lead(owner=rep, country="Denmark")).grade == "B"


def test_closed_leads_keep_the_score_they_closed_with(rep):
    lead = make_lead(owner=rep, country="Denmark")
    field_rule("Danish", "country", "equals", "Denmark", 60)
    Lead.objects.filter(pk=lead.pk).update(state=State.DISQUALIFIED, status=Status.LOST)
    assert services.score_leads([lead.pk]) == 0
    lead.refresh_from_db()
    assert lead.score == 0


def test_too_few_closed_leads_say_why_there_is_no_prediction(rep):
    make_lead(owner=rep)
    model, reason = services.train()
    assert model is None
    assert "needs at least 50" in reason and "There are 0 qualified and 0 disqualified" in reason


def test_scoring_runs_in_batch_with_a_fixed_number_of_queries_per_chunk(rep):
    activity_rule("Called", Engagement.PHONE_CALL, 10)
    activity_rule("Asked", Engagement.INQUIRY, 10)
    activity_rule("Web form", Engagement.WEB_SUBMISSION, 10)
    field_rule("Danish", "country", "equals", "Denmark", 20)
    template = make_lead(owner=rep)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Lead._meta.concrete_fields
        if not f.primary_key
    }

    def queries_for(count):
        Lead.objects.exclude(pk=template.pk).delete()
        Lead.objects.bulk_create(
            [Lead(**{**fields, "country": "Denmark" if i % 2 else "Norway"}) for i in range(count)]
        )
        context = services.Context()
        with CaptureQueriesContext(connection) as queries:
            scored = services.score_all(context=context, chunk=100)
        return scored, len(queries)

    small, small_queries = queries_for(199)  # two chunks with the template lead
    large, large_queries = queries_for(599)  # six chunks
    assert (small, large) == (200, 600)
    per_chunk = (large_queries - small_queries) / 4
    assert per_chunk == int(per_chunk) and per_chunk <= 8
    assert small_queries == 2 * per_chunk + 1  # and the last, empty read
    assert Lead.objects.filter(country="Denmark", score=20).count() == 300


def test_the_score_combines_the_prediction_and_at_most_20_points():
    assert engine.combine(35, 0.5) == 70
    assert engine.combine(-35, 0.5) == 30
    assert engine.combine(35, None) == 35
    assert engine.combine(130, None) == 100
    assert engine.combine(10, 0.97) == 100


def test_auc_counts_ties_half():
    assert engine.auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert engine.auc([0.5, 0.5], [False, True]) == 0.5
    assert engine.auc([0.5], [True]) is None


@pytest.mark.slow
def test_scoring_100000_leads_reads_and_writes_them_in_chunks(rep):
    field_rule("Danish", "country", "equals", "Denmark", 20)
    activity_rule("Called", Engagement.PHONE_CALL, 10)
    template = make_lead(owner=rep)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Lead._meta.concrete_fields
        if not f.primary_key
    }
    Lead.objects.bulk_create(
        [Lead(**{**fields, "country": "Denmark" if i % 4 else "Norway"}) for i in range(99_999)],
        batch_size=5000,
    )
    context = services.Context()
    with CaptureQueriesContext(connection) as queries:
        assert services.score_all(context=context) == 100_000
    chunks = 100_000 // services.CHUNK
    # Per chunk: the leads, their phone calls, and the writes (a transaction's savepoint,
    # the changed leads, the reasons); the last read finds nothing.
    assert len(queries) <= chunks * 6 + 1
    assert len(queries) % chunks in (0, 1)
    assert Lead.objects.filter(score=20).count() == 75_000
    assert LeadScore.objects.count() == 100_000


def test_a_learned_model_scores_open_leads_with_reasons_in_the_readers_language(rep, client):
    from django.utils import translation

    from scoring.panels import score_panel
    from scoring.tests.generated_leads import generate_leads

    generate_leads(owner=rep, closed=600, open_=2)
    model, reason = services.train()
    assert model is not None and reason == ""
    assert services.score_all() == 2
    partner = Lead.objects.filter(state=State.OPEN, source__name="Partner referral").first()
    other = Lead.objects.filter(state=State.OPEN, source__name="Bought list").first()
    for lead in (partner, other):
        if lead is None:
            continue
        lead.refresh_from_db()
        assert lead.predicted_qualification is not None
        assert lead.score == engine.combine(0, lead.predicted_qualification)
    lead = partner or other
    detail = LeadScore.objects.get(lead=lead)
    stored = {f["feature"]: f for f in detail.factors if f["part"] == "model"}
    assert stored["source"]["value"] == lead.source.name  # the name, not the id
    expected_sign = 1 if lead.source.name == "Partner referral" else -1
    assert stored["source"]["points"] * expected_sign > 0
    panel = score_panel({}, lead)
    labels = [f["label"] for f in panel["raised"] + panel["lowered"]]
    assert f"Source: {lead.source.name}" in labels
    with translation.override("da"):
        panel = score_panel({}, lead)
    labels = [f["label"] for f in panel["raised"] + panel["lowered"]]
    assert f"Kilde: {lead.source.name}" in labels
