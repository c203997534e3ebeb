"""A web form that asks for consent: a required checkbox with the form's consent text; a
submission records the person's consent to marketing e-mail (how: web form, the text as
proof). The privacy app keeps the records (crm.signals.consent_given)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from capture.tests.factories import WebFormFactory
from leads.models import Lead
from privacy.models import ConsentRecord

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Ida", "last_name": "Holm", "email": "ida@holm.example"}
TEXT = "I agree that Fabrikam may e-mail me news and offers."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def asking(alice):
    return WebFormFactory(name="Newsletter", created_by=alice, ask_consent=True, consent_text=TEXT)


def url(web_form):
    return f"/capture/{web_form.key}/"


def test_the_form_shows_the_consent_checkbox_unticked(client, asking):
    content = client.get(url(asking)).content.decode()
    checkbox = content.split('name="consent"', 1)[1].split(">", 1)[0]
    assert TEXT in content and 'type="checkbox"' in content
    assert "checked" not in checkbox


def test_a_ticked_box_records_a_given_consent_with_the_text(client, asking):
    response = client.post(url(asking), {**PERSON, "consent": "on"})
    assert response.status_code == 200
    consent = ConsentRecord.objects.get()
    assert consent.lead == Lead.objects.get()
    assert (consent.purpose, consent.status, consent.how) == (
        "marketing_email",
        "given",
        "web_form",
    )
    assert consent.recorded_by is None and consent.note == f"Newsletter: {TEXT}"


def test_without_the_tick_the_form_comes_back_with_an_error(client, asking):
    response = client.post(url(asking), PERSON)
    assert response.status_code == 400
    assert "Tick the box to give your consent." in response.content.decode()
    assert not Lead.objects.exists() and not ConsentRecord.objects.exists()


def test_a_json_submission_needs_it_too(client, asking):
    response = client.post(url(asking), PERSON, content_type="application/json")
    assert response.status_code == 400 and "consent" in response.json()
    response = client.post(
        url(asking), {**PERSON, "consent": "true"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert ConsentRecord.objects.count() == 1


def test_a_form_that_does_not_ask_records_nothing(client, alice):
    web_form = WebFormFactory(created_by=alice)
    assert 'name="consent"' not in client.get(url(web_form)).content.decode()
    client.post(url(web_form), {**PERSON, "consent": "on"})
    assert Lead.objects.count() == 1 and not ConsentRecord.objects.exists()


def test_asking_needs_a_consent_text(alice):
    web_form = WebFormFactory.build(created_by=alice, ask_consent=True, consent_text=" ")
    with pytest.raises(ValidationError) as error:
        web_form.full_clean()
    assert "consent_text" in error.value.message_dict


def test_the_web_forms_page_sets_it(as_manager, manager):
    web_form = WebFormFactory(created_by=manager)
    page = as_manager.get(reverse("webforms:edit", args=[web_form.pk])).content.decode()
    assert 'name="ask_consent"' in page and 'name="consent_text"' in page
