"""The API's own error messages in the caller's language (the Danish QA walk, issue 20): a
body that is not JSON and a record that is not there, with the model's translated name."""

import pytest

pytestmark = pytest.mark.django_db


def test_broken_json_is_answered_in_danish(api_as, alice):
    response = api_as(alice).post(
        "/api/v1/leads/",
        '{"last_name": ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="da",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Indholdet er ikke gyldig JSON (linje 1, kolonne 15)."


def test_broken_json_is_answered_in_english(api_as, alice):
    response = api_as(alice).post(
        "/api/v1/leads/",
        '{"last_name": ',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["detail"] == "The request body is not valid JSON (line 1, column 15)."


def test_a_missing_lead_names_the_lead_in_danish(api_as, alice, carols_lead):
    client = api_as(alice)

    danish = client.get(f"/api/v1/leads/{carols_lead.pk}/", HTTP_ACCEPT_LANGUAGE="da")
    english = client.get(f"/api/v1/leads/{carols_lead.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert danish.status_code == english.status_code == 404
    assert danish.json() == {"detail": "Kundeemne ikke fundet."}
    assert english.json() == {"detail": "Lead not found."}
