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


@pytest.mark.django_db
def test_an_import_dry_run_says_where_the_rows_would_go(
    as_manager, manager, bob, django_capture_on_commit_callbacks
):
    """Before an import runs, its dry run shows who the rows go to: rule by rule, and how
    many match no rule and go to the importing user (routing's preview; nothing assigned)."""
    from leads.imports.models import ImportBatch
    from leads.imports.tests.test_views import upload

    make_rule("Danes to Bob", bob, ("country", "equals", "Denmark"))
    upload(
        as_manager,
        content=b"Last Name,Country\nHansen,Denmark\nBerg,Denmark\nCruz,Spain\nDahl,\n",
    )
    batch = ImportBatch.objects.get()
    post = {"col_0": "last_name", "col_1": "country", "dedupe": "skip", "owner": ""}
    with django_capture_on_commit_callbacks(execute=True):
        as_manager.post(
            batch.get_absolute_url(), {**post, "date_format": "auto", "action": "dry_run"}
        )
    batch.refresh_from_db()
    assert batch.options["owners"] == {
        "users": {str(bob.pk): 2, str(manager.pk): 2},
        "teams": {},
        "unrouted": 2,
    }
    assert not Lead.objects.exists()

    page = as_manager.get(batch.get_absolute_url()).content.decode()

    assert "Where the new leads would go" in page
    assert "4 leads would be created, 0 would be updated, 0 skipped" in page
    assert "Routing rules: 2 rows match no rule and go to you." in page
    assert f"{bob}: <strong>2</strong>" in page
