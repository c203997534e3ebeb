"""The lead_scoring_report and train_lead_score commands."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.tests.factories import UserFactory
from leads.models import Lead, State
from scoring import services
from scoring.models import LeadScore, ScoreModel
from scoring.reporting import scoring_report
from scoring.tests.generated_leads import few_closed_leads, generate_leads

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory()


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class TestLeadScoringReport:
    def test_json_is_the_reports_dict(self, rep):
        generate_leads(owner=rep, closed=800, open_=10)
        services.train()

        printed = json.loads(run("lead_scoring_report", "--format", "json"))

        assert {"auc", "trained_on", "held_out", "by_grade", "top_features"} <= printed.keys()
        assert {"trained_at", "open_leads_by_grade", "reason"} <= printed.keys()
        assert printed == scoring_report()
        assert printed["auc"] > 0.8
        assert printed["trained_on"] + printed["held_out"] == 800
        assert [row["grade"] for row in printed["by_grade"]] == ["A", "B", "C", "D"]
        assert {"grade", "leads", "qualified", "rate"} == printed["by_grade"][0].keys()
        assert {"feature", "label", "importance"} == printed["top_features"][0].keys()

    def test_text_is_a_readable_summary(self, rep):
        generate_leads(owner=rep, closed=800)
        model, _reason = services.train()

        printed = run("lead_scoring_report")

        assert f"AUC on held-out leads: {model.auc:.3f} (0.5 is guessing" in printed
        assert f"{model.held_out} held out" in printed
        assert "Held-out leads by grade:" in printed
        assert "The fields that matter most:" in printed and "Source" in printed
        assert "Open leads by grade:" in printed

    def test_with_five_closed_leads_both_formats_say_why(self, rep):
        few_closed_leads(owner=rep, count=5)

        printed = json.loads(run("lead_scoring_report", "--format", "json"))
        assert printed["auc"] is None and printed["by_grade"] == []
        assert "There are 2 qualified and 3 disqualified" in printed["reason"]

        text = run("lead_scoring_report")
        assert text.startswith("No prediction yet")
        assert "There are 2 qualified and 3 disqualified" in text
        assert "AUC" not in text

    def test_an_unknown_format_is_refused(self):
        with pytest.raises(CommandError, match="invalid choice"):
            call_command("lead_scoring_report", "--format", "xml")


class TestTrainLeadScore:
    def test_trains_prints_the_auc_and_rescores_the_open_leads(self, rep):
        generate_leads(owner=rep, closed=800, open_=25)

        printed = run("train_lead_score")

        model = ScoreModel.objects.get()
        assert f"Learned from {model.trained_on} closed leads ({model.qualified} qualified)" in (
            printed
        )
        assert f"AUC {model.auc:.3f} on {model.held_out} held out." in printed
        assert "25 open leads re-scored." in printed
        assert LeadScore.objects.count() == 25
        assert not Lead.objects.filter(state=State.OPEN, grade="").exists()

    def test_no_rescore_only_trains(self, rep):
        generate_leads(owner=rep, closed=800, open_=5)

        printed = run("train_lead_score", "--no-rescore")

        assert ScoreModel.objects.count() == 1
        assert "re-scored" not in printed
        assert not LeadScore.objects.exists()
        assert Lead.objects.filter(state=State.OPEN, grade="").count() == 5

    def test_too_few_closed_leads_print_the_reason_and_exit_normally(self, rep):
        few_closed_leads(owner=rep, count=5)

        printed = run("train_lead_score")  # no CommandError: exit code 0

        assert "No prediction yet" in printed and "There are 2 qualified and 3" in printed
        assert not ScoreModel.objects.exists()
        assert "0 open leads re-scored." in printed
