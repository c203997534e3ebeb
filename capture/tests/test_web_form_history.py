"""A web form's History tab shows its fields settings in words: the lead fields' labels in the
form's order, joined, not the stored list of API names."""

import pytest
from django.urls import reverse

from capture.tests.factories import WebFormFactory
from capture.tests.test_form_pages import form_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_form(alice):
    return WebFormFactory(
        name="North fair",
        key="north-fair",
        created_by=alice,
        fields=["last_name", "email"],
        required_fields=["email"],
    )


def _changes(as_manager, web_form):
    url = reverse("webforms:edit", args=[web_form.pk])
    (newest, *_older) = as_manager.get(url).context["history"].entries
    return {change.label: (change.old, change.new) for change in newest.changes}, url


def test_a_change_of_the_fields_shows_their_labels(as_manager, north_form):
    url = reverse("webforms:edit", args=[north_form.pk])
    data = form_post(north_form)
    data["fields"] = ["last_name", "email", "company_name"]
    data["required_fields"] = ["email", "company_name"]
    assert as_manager.post(url, data).status_code == 302

    changes, url = _changes(as_manager, north_form)

    assert changes["Fields shown"] == ("Last name, E-mail", "Last name, E-mail, Company name")
    assert changes["Required fields"] == ("E-mail", "E-mail, Company name")
    page = as_manager.get(url).content.decode()
    assert "Last name, E-mail, Company name" in page
    assert "[&#x27;last_name" not in page and "[&quot;last_name" not in page


def test_the_creation_shows_them_too(as_manager, north_form):
    changes, _url = _changes(as_manager, north_form)

    assert changes["Fields shown"] == ("—", "Last name, E-mail")
