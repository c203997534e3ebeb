"""A lead typed in by hand is routed by default whenever an active rule exists."""

import pytest
from django.urls import reverse

from leads.models import Lead
from leads.routing.tests.factories import make_rule

pytestmark = pytest.mark.django_db

BASE = {"preferred_contact_method": "1"}


def owner_field(response):
    return response.context["form"]["owner"]


def test_without_an_active_rule_the_user_is_preselected(as_alice, alice, bob):
    make_rule("Off", bob, is_active=False)
    response = as_alice.get(reverse("leads:create"))
    assert owner_field(response).value() == f"user:{alice.pk}"


def test_with_an_active_rule_automatic_is_preselected(as_alice, bob):
    make_rule("Everything to Bob", bob)
    response = as_alice.get(reverse("leads:create"))
    field = owner_field(response)
    assert field.value() == "auto"
    page = response.content.decode()
    assert '<option value="auto" selected>Automatic (routing rules)</option>' in page
    assert "Choose a person to give the lead to them instead." in page


def test_the_default_routes_and_a_person_can_still_be_chosen(as_alice, alice, bob):
    make_rule("Everything to Bob", bob)
    form = as_alice.get(reverse("leads:create")).context["form"]
    data = {**BASE, "last_name": "Routed", "owner": form["owner"].value()}
    assert as_alice.post(reverse("leads:create"), data).status_code == 302
    assert Lead.objects.get(last_name="Routed").owner == bob

    data = {**BASE, "last_name": "Chosen", "owner": f"user:{alice.pk}"}
    assert as_alice.post(reverse("leads:create"), data).status_code == 302
    assert Lead.objects.get(last_name="Chosen").owner == alice
