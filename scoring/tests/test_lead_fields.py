"""The score where a rep meets it: the lead list (sorted and filtered), the board cards, the
API, the CSV export, and a person's data export and erasure."""

import csv
import io

import pytest
from django.urls import reverse

from leads.models import Lead
from leads.tests.factories import make_lead
from privacy.services import erase_person, export_person
from scoring import services
from scoring.models import LeadScore, ScoringRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_leads(alice):
    rule = ScoringRule(name="Danish", field="country", operator="equals", value="Denmark")
    rule.points = 80
    rule.full_clean()
    rule.save()
    rule = ScoringRule(name="Swedish", field="country", operator="equals", value="Sweden")
    rule.points = 40
    rule.full_clean()
    rule.save()
    leads = {
        "dk": make_lead(owner=alice, last_name="Dane", country="Denmark"),
        "se": make_lead(owner=alice, last_name="Swede", country="Sweden"),
        "no": make_lead(owner=alice, last_name="Norwegian", country="Norway"),
    }
    services.score_all()
    for lead in leads.values():
        lead.refresh_from_db()
    return leads


def names_in_order(response):
    text = response.content.decode()
    positions = {name: text.find(f">Anna {name}<") for name in ("Dane", "Swede", "Norwegian")}
    assert -1 not in positions.values()
    return [name for name, _at in sorted(positions.items(), key=lambda item: item[1])]


def test_the_list_sorts_by_score_and_shows_the_grade(as_alice, scored_leads):
    response = as_alice.get(reverse("leads:list"), {"sort": "-score", "view": "mine"})
    assert names_in_order(response) == ["Dane", "Swede", "Norwegian"]
    assert 'class="badge grade-badge grade-a"' in response.content.decode()
    response = as_alice.get(reverse("leads:list"), {"sort": "score", "view": "mine"})
    assert names_in_order(response) == ["Norwegian", "Swede", "Dane"]


def test_the_list_filters_by_grade(as_alice, scored_leads):
    response = as_alice.get(reverse("leads:list"), {"grade": "C", "view": "mine"})
    text = response.content.decode()
    assert ">Anna Swede<" in text and "Anna Dane" not in text and "Anna Norwegian" not in text


def test_board_cards_carry_the_grade(as_alice, scored_leads):
    response = as_alice.get(reverse("leads:board"))
    assert response.content.decode().count('data-testid="card-grade"') == 3


def test_the_api_carries_score_grade_and_prediction_read_only(client, alice, scored_leads):
    client.force_login(alice)
    lead = scored_leads["dk"]
    data = client.get(reverse("api:lead-detail", args=[lead.pk])).json()
    assert (data["score"], data["grade"], data["predicted_qualification"]) == (80, "A", None)
    response = client.patch(
        reverse("api:lead-detail", args=[lead.pk]),
        {"score": 3, "grade": "D"},
        content_type="application/json",
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (80, "A")
    listed = client.get(reverse("api:lead-list"), {"ordering": "-score"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["grade"] for row in rows} == {"A", "C", "D"}


def test_the_csv_export_carries_the_score(as_alice, scored_leads):
    response = as_alice.get(reverse("leads:export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["last_name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert (rows["Dane"]["score"], rows["Dane"]["grade"]) == ("80", "A")
    assert rows["Dane"]["predicted_qualification"] == ""


def test_a_persons_scores_are_exported_and_erased(alice, admin_user, scored_leads):
    lead = scored_leads["dk"]
    Lead.objects.filter(pk=lead.pk).update(email="dane@example.com")
    export = export_person(email="dane@example.com")
    section = next(s for s in export.sections if s.key == "lead_scores")
    assert len(section.items) == 1
    erasure = erase_person(email="dane@example.com", user=admin_user, reason="Asked")
    assert erasure.counts["lead_scores"] == 1
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (0, "")
    assert not LeadScore.objects.filter(lead=lead).exists()
