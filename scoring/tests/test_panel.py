"""The lead page's Score panel: the score and grade, its two parts, and the reasons that raised
and lowered it, in words; a lead not scored yet or without a prediction says so."""

import pytest
from django.utils import timezone

from leads.tests.factories import make_lead
from scoring.models import LeadScore
from scoring.panels import score_panel

pytestmark = pytest.mark.django_db


def score(lead, *, points, predicted, score, grade, factors=()):
    return LeadScore.objects.create(
        lead=lead,
        points=points,
        predicted=predicted,
        score=score,
        grade=grade,
        factors=list(factors),
        computed_at=timezone.now(),
    )


def factor(label, points, part="model"):
    return {"label": label, "points": points, "part": part}


@pytest.fixture
def lead(alice):
    return make_lead(owner=alice, last_name="Larsen")


def panel_of(client, lead):
    response = client.get(lead.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    start = text.index('data-testid="score-panel"')
    return text[start : text.index("</section>", start)]


def test_the_panel_shows_the_score_its_parts_and_the_reasons_both_ways(as_alice, lead):
    factors = [
        factor("Source: Reference", 31),
        factor("Danish leads", 15, "rule"),
        factor("No phone number", -6),
        factor("Industry: Retail", -2),
    ]
    score(lead, points=15, predicted=0.62, score=77, grade="A", factors=factors)
    panel = panel_of(as_alice, lead)
    assert "77 · grade A" in panel
    assert "Predicted qualification 62%" in panel
    assert "Points +15" in panel
    raised = panel[panel.index("score-raised") : panel.index("score-lowered")]
    lowered = panel[panel.index("score-lowered") :]
    assert "Source: Reference" in raised and "+31" in raised and "Danish leads" in raised
    assert "No phone number" in lowered and "\N{MINUS SIGN}6" in lowered
    assert "No phone number" not in raised


def test_at_most_four_reasons_each_way_the_largest_first(as_alice, lead):
    # As stored: sorted by size, whichever way (scoring/services.py).
    factors = sorted(
        [factor(f"Up {n}", n) for n in range(10, 16)]
        + [factor(f"Down {n}", -n) for n in range(1, 7)],
        key=lambda f: -abs(f["points"]),
    )
    score(lead, points=0, predicted=0.5, score=50, grade="B", factors=factors)
    panel = panel_of(as_alice, lead)
    shown_up = [f"Up {n}" for n in (15, 14, 13, 12)]
    assert all(label in panel for label in shown_up)
    assert "Up 11" not in panel and "Up 10" not in panel
    assert all(f"Down {n}" in panel for n in (6, 5, 4, 3))
    assert "Down 2" not in panel and "Down 1" not in panel
    assert panel.index("Up 15") < panel.index("Up 12")


def test_without_a_prediction_the_panel_says_why_and_links_the_report(as_alice, lead):
    score(lead, points=-5, predicted=None, score=0, grade="D", factors=[factor("Gmail", -5)])
    panel = panel_of(as_alice, lead)
    assert "No prediction yet: the model needs more closed leads." in panel
    assert 'href="/reports/lead-scoring/"' in panel
    assert "Points \N{MINUS SIGN}5" in panel
    assert "Predicted qualification" not in panel


def test_a_lead_not_scored_yet_says_so(as_alice, lead):
    assert "Not scored yet." in panel_of(as_alice, lead)


@pytest.mark.parametrize("predicted", [0.4, None])
def test_the_panel_costs_one_query(lead, predicted, django_assert_num_queries):
    score(lead, points=3, predicted=predicted, score=43, grade="C", factors=[factor("x", 3)])
    # The lead's LeadScore; nothing else (not readiness(): its reason is said without it).
    with django_assert_num_queries(1):
        panel = score_panel({}, lead)
    assert panel["lead_score"].score == 43
    assert [f["label"] for f in panel["raised"]] == ["x"]


def test_a_lead_not_scored_costs_one_query_too(lead, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert score_panel({}, lead)["lead_score"] is None
