"""The API refuses writes on a merged lead with a 4xx JSON answer that says why."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_refuses_with_409_json(merged, alice, bob, api_as):
    _master, other, _merge = merged
    client = api_as(alice)
    response = client.post(f"/api/v1/leads/{other.pk}/assign/", {"user": bob.pk})
    assert response.status_code == 409 and "read-only" in response.json()["detail"]
    body = {
        "regarding": {"type": "lead", "id": other.pk},
        "kind": "phone_call",
        "subject": "x",
    }
    response = client.post("/api/v1/activities/", body, format="json")
    assert response.status_code == 409 and "read-only" in response.json()["detail"]
