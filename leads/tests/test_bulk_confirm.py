"""The bulk action asks first (server side: works without JS) and says what and how many."""

import pytest
from django.urls import reverse

from leads.models import Lead, State
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_no_action_is_preselected_and_none_chosen_is_refused(as_alice, alice):
    lead = make_lead(owner=alice)
    page = as_alice.get(reverse("leads:list")).content.decode()
    assert '<option value="" selected>- Select an option -</option>' in page
    response = as_alice.post(
        reverse("leads:bulk"), {"leads": [lead.pk], "step": "confirm"}, follow=True
    )
    assert "Choose an action." in response.content.decode()
    assert Lead.objects.get().state == State.OPEN


def test_the_confirm_step_changes_nothing_and_counts_the_ticked_leads(as_alice, alice):
    leads = [make_lead(owner=alice, topic=f"Deal {n}") for n in range(3)]
    make_lead(owner=alice, topic="Not ticked")
    data = {"action": "qualify", "leads": [lead.pk for lead in leads], "step": "confirm"}
    response = as_alice.post(reverse("leads:bulk"), data)
    assert response.status_code == 200
    assert response.context["summary"] == (
        "Qualify 3 leads, creating an account, a contact and an opportunity for each."
    )
    assert not Lead.objects.filter(state=State.QUALIFIED).exists()
    page = response.content.decode()
    for lead in leads:
        assert f'<input type="hidden" name="leads" value="{lead.pk}">' in page
    assert 'name="step"' not in page  # the confirm button runs it

    data.pop("step")
    as_alice.post(reverse("leads:bulk"), data)
    assert Lead.objects.filter(state=State.QUALIFIED).count() == 3


def test_a_lead_of_another_team_cannot_be_counted_in(as_alice, alice, carol):
    mine = make_lead(owner=alice)
    theirs = make_lead(owner=carol)
    data = {"action": "disqualify", "status": "lost", "leads": [mine.pk, theirs.pk]}
    response = as_alice.post(reverse("leads:bulk"), {**data, "step": "confirm"}, follow=True)
    assert "summary" not in response.context
    assert "is not one you can change" in response.content.decode()


def test_disqualify_and_assign_summaries(as_alice, alice, bob):
    lead = make_lead(owner=alice)
    answer = as_alice.post(
        reverse("leads:bulk"),
        {"action": "disqualify", "status": "lost", "leads": [lead.pk], "step": "confirm"},
    )
    assert answer.context["summary"] == "Disqualify 1 lead as “Lost”."
    answer = as_alice.post(
        reverse("leads:bulk"),
        {"action": "assign", "owner": f"user:{bob.pk}", "leads": [lead.pk], "step": "confirm"},
    )
    assert answer.context["summary"] == f"Give 1 lead to {bob}."
    assert Lead.objects.get().owner == alice
