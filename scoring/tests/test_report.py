"""The lead scoring report: trained on a generated history where the source and the country
decide qualification, the model measures well on held-out leads, names those two fields
first and grades A above D; with too few closed leads the page says why."""

import pytest
from django.urls import reverse

from crm.tests.factories import UserFactory
from leads.models import Lead, State
from scoring import services
from scoring.models import ScoringSettings
from scoring.reporting import scoring_report
from scoring.tests.generated_leads import few_closed_leads, generate_leads

pytestmark = pytest.mark.django_db

URL = reverse("scoring_report:report")


@pytest.fixture
def rep():
    return UserFactory()


@pytest.fixture
def trained(rep):
    generate_leads(owner=rep, closed=800, open_=40)
    model, reason = services.train()
    assert model is not None, reason
    services.score_all()
    return model


def test_the_model_finds_the_two_fields_that_decide_and_measures_well(trained):
    report = scoring_report()

    assert report["auc"] > 0.8
    assert report["reason"] is None
    assert report["trained_on"] + report["held_out"] == 800
    closed = services.closed_leads().values_list("pk", flat=True)
    assert report["held_out"] == sum(1 for pk in closed if services.is_held_out(pk))
    top_two = [feature["feature"] for feature in report["top_features"][:2]]
    assert sorted(top_two) == ["country", "source"]
    assert {f["feature"]: f["label"] for f in report["top_features"][:2]} == {
        "source": "Source",
        "country": "Country",
    }
    importances = [feature["importance"] for feature in report["top_features"]]
    assert importances == sorted(importances, reverse=True)


def test_grade_a_qualifies_at_least_as_often_as_grade_d(trained):
    by_grade = {row["grade"]: row for row in scoring_report()["by_grade"]}

    assert list(by_grade) == ["A", "B", "C", "D"]
    assert sum(row["leads"] for row in by_grade.values()) == trained.held_out
    for row in by_grade.values():
        assert row["rate"] == (round(row["qualified"] / row["leads"], 4) if row["leads"] else None)
    assert by_grade["A"]["leads"] and by_grade["D"]["leads"]
    assert by_grade["A"]["rate"] >= by_grade["D"]["rate"]


def test_the_open_leads_are_counted_by_the_grade_they_were_scored(trained):
    rows = scoring_report()["open_leads_by_grade"]

    expected = {
        grade: Lead.objects.filter(state=State.OPEN, grade=grade).count() for grade in "ABCD"
    }
    assert {row["grade"]: row["leads"] for row in rows} == expected
    assert sum(expected.values()) == 40  # every open lead got a grade


def test_open_leads_not_scored_yet_are_counted_apart(rep):
    generate_leads(owner=rep, closed=0, open_=3)

    rows = scoring_report()["open_leads_by_grade"]

    assert rows == [
        {"grade": "A", "leads": 0},
        {"grade": "B", "leads": 0},
        {"grade": "C", "leads": 0},
        {"grade": "D", "leads": 0},
        {"grade": None, "leads": 3},
    ]


def test_without_a_model_the_report_says_why(rep):
    few_closed_leads(owner=rep, count=5)

    report = scoring_report()

    assert report["auc"] is None and report["trained_on"] is None and report["held_out"] is None
    assert report["by_grade"] == [] and report["top_features"] == []
    assert "needs at least 50" in report["reason"]
    assert "There are 2 qualified and 3 disqualified" in report["reason"]


def test_enough_closed_leads_but_no_model_yet_says_how_to_learn_it(rep):
    generate_leads(owner=rep, closed=100)

    assert "train_lead_score" in scoring_report()["reason"]


class TestThePage:
    def test_shows_the_models_quality_grades_and_fields(self, as_alice, trained):
        response = as_alice.get(URL)

        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-testid="auc"' in content
        assert "0.5 is guessing, 1.0 is perfect" in content
        assert f"{trained.auc:.2f}" in content
        assert 'data-testid="grade-table"' in content and 'data-testid="feature-table"' in content
        assert 'data-testid="no-model"' not in content
        assert "<meter" in content and "Source" in content and "Country" in content
        assert f"{trained.held_out} closed leads held out" in content

    def test_each_grade_of_open_leads_links_the_list_of_them(self, as_alice, alice):
        from leads.tests.factories import make_lead

        lead = make_lead(owner=alice, last_name="Jensen")
        services.score_leads([lead.pk])
        grade = Lead.objects.get(pk=lead.pk).grade
        content = as_alice.get(URL).content.decode()
        link = f"?view=any&amp;state=open&amp;grade={grade}&amp;sort=-score"
        assert f'data-testid="open-grade-{grade}"' in content and link in content
        listed = as_alice.get(reverse("leads:list") + link.replace("&amp;", "&"))
        assert "Jensen" in listed.content.decode()

    def test_says_why_there_is_no_prediction_with_five_closed_leads(self, as_alice, rep):
        few_closed_leads(owner=rep, count=5)

        response = as_alice.get(URL)

        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-testid="no-model"' in content
        assert "No prediction yet" in content and "There are 2 qualified and 3" in content
        assert 'data-testid="grade-table"' not in content
        assert 'data-testid="open-grade-table"' in content

    def test_the_query_count_is_fixed_with_a_model(
        self, as_alice, trained, django_assert_num_queries
    ):
        # 1 session, 2 user (its permissions joined), 3 the newest model, 4 the open leads
        # by grade (one GROUP BY), 5 who the reader is in the organisation (visible_to)
        with django_assert_num_queries(5):
            assert as_alice.get(URL).status_code == 200

    def test_the_query_count_is_fixed_without_a_model(
        self, as_alice, rep, django_assert_num_queries
    ):
        few_closed_leads(owner=rep, count=5)
        ScoringSettings.current()
        # 1 session, 2 user (its permissions joined), 3 the newest model (none), 4 the
        # settings, 5 the closed leads by state (readiness), 6 the open leads by grade, 7 who
        # the reader is in the organisation (visible_to)
        with django_assert_num_queries(7):
            assert as_alice.get(URL).status_code == 200

    def test_needs_the_reports_permission(self, client):
        client.force_login(UserFactory(username="nobody"))

        assert client.get(URL).status_code == 403

    def test_needs_a_login(self, client):
        response = client.get(URL)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_only_get(self, as_alice):
        assert as_alice.post(URL).status_code == 405


def test_the_open_leads_by_grade_count_only_the_leads_the_reader_may_see(alice, carol):
    from leads.tests.factories import make_lead
    from scoring.reporting import scoring_report

    make_lead(owner=alice)
    make_lead(owner=carol)
    make_lead(owner=carol)
    services.score_all()
    mine = {row["grade"]: row["leads"] for row in scoring_report(alice)["open_leads_by_grade"]}
    everyone = {row["grade"]: row["leads"] for row in scoring_report()["open_leads_by_grade"]}
    assert mine["D"] == 1 and everyone["D"] == 3
