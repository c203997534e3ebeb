import pytest
from django.core.management import call_command

from leads.models import Lead, State
from scoring.models import LeadScore, ScoringRule

pytestmark = pytest.mark.django_db


def test_the_demo_has_scoring_rules_and_scored_leads():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    assert ScoringRule.objects.count() == 4
    open_leads = Lead.objects.filter(state=State.OPEN)
    assert open_leads.exists() and not open_leads.filter(grade="").exists()
    hot = open_leads.filter(rating="hot", email__contains="@").first()
    detail = LeadScore.objects.get(lead=hot)
    assert any(f.get("label") == "Varme kundeemner" for f in detail.factors)
    assert detail.predicted is None  # too few closed leads in the demo
