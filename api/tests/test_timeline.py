import pytest

from activities import services
from activities.models import Activity, Note
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(alice):
    return make_lead(owner=alice)


@pytest.fixture
def carols_lead(carol):
    return make_lead(owner=carol, email="c@south.example", company_name="South Co")


def test_log_a_completed_call_on_a_lead_makes_it_contacted(api_as, alice, lead):
    response = api_as(alice).post(
        "/api/v1/activities/",
        {
            "regarding": {"type": "lead", "id": lead.pk},
            "kind": "phone_call",
            "subject": "First call",
            "direction": "outgoing",
            "completed": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["regarding"] == {"type": "lead", "id": lead.pk}
    assert (body["state"], body["kind"], body["priority"]) == ("completed", "phone_call", "normal")
    assert body["owner"] == {"type": "user", "id": alice.pk}
    assert "completed" not in body
    lead.refresh_from_db()
    assert lead.status == "contacted"


def test_activities_follow_the_visibility_of_what_they_regard(api_as, alice, carol, carols_lead):
    activity = services.log_activity(
        regarding=carols_lead, user=carol, kind="task", data={"subject": "Send the offer"}
    )
    client = api_as(alice)
    assert client.get("/api/v1/activities/").json()["count"] == 0
    assert client.get(f"/api/v1/activities/{activity.pk}/").status_code == 404
    response = client.patch(f"/api/v1/activities/{activity.pk}/", {"subject": "X"})
    assert response.status_code == 404
    assert client.post(f"/api/v1/activities/{activity.pk}/complete/").status_code == 404
    response = client.post(
        "/api/v1/activities/",
        {"regarding": {"type": "lead", "id": carols_lead.pk}, "kind": "task", "subject": "X"},
    )
    assert response.status_code == 400
    assert "regarding" in response.json()


def test_activities_filter_by_what_they_regard_kind_and_state(api_as, alice, lead):
    services.log_activity(regarding=lead, user=alice, kind="task", data={"subject": "A"})
    client = api_as(alice)
    assert client.get("/api/v1/activities/", {"regarding_type": "lead"}).json()["count"] == 1
    assert client.get("/api/v1/activities/", {"regarding_id": lead.pk}).json()["count"] == 1
    assert client.get("/api/v1/activities/", {"kind": "email"}).json()["count"] == 0
    assert client.get("/api/v1/activities/", {"state": "open"}).json()["count"] == 1
    assert client.get("/api/v1/activities/", {"regarding_type": "x"}).status_code == 400


def test_an_invalid_activity_is_a_400(api_as, alice, lead):
    response = api_as(alice).post(
        "/api/v1/activities/",
        {"regarding": {"type": "lead", "id": lead.pk}, "kind": "phone_call", "subject": "Call"},
    )
    # A call needs a direction (a database constraint, checked by the service's full_clean).
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_update_complete_and_cancel_an_activity(api_as, alice, lead):
    activity = services.log_activity(
        regarding=lead, user=alice, kind="task", data={"subject": "Send the offer"}
    )
    client = api_as(alice)
    url = f"/api/v1/activities/{activity.pk}/"
    response = client.patch(url, {"subject": "Send the new offer"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert client.patch(url, {"subject": "X"}, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.patch(url, {"kind": "email"}).status_code == 400
    response = client.post(f"{url}complete/")
    assert response.status_code == 200
    assert response.json()["state"] == "completed"
    response = client.post(f"{url}cancel/")
    assert response.status_code == 409
    assert client.delete(url).status_code == 405


def test_notes_on_a_lead(api_as, alice, bob, lead):
    client = api_as(alice)
    response = client.post(
        "/api/v1/notes/", {"regarding": {"type": "lead", "id": lead.pk}, "text": "Wants a demo"}
    )
    assert response.status_code == 201, response.json()
    note = Note.objects.get()
    assert (note.text, note.created_by) == ("Wants a demo", alice)
    url = f"/api/v1/notes/{note.pk}/"
    assert client.get(url)["ETag"] == '"1"'
    response = client.patch(url, {"text": "Wants a demo next week"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert client.patch(url, {"text": "Stale"}, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.patch(url, {"text": ""}).status_code == 400
    assert client.delete(url).status_code == 405
    # A teammate sees the note through the lead but cannot change alice's note.
    assert api_as(bob).get(url).status_code == 200
    assert api_as(bob).patch(url, {"text": "Mine now"}).status_code == 403


def test_notes_of_another_team_are_hidden(api_as, alice, carol, carols_lead):
    note = services.add_note(regarding=carols_lead, user=carol, text="Secret")
    client = api_as(alice)
    assert client.get("/api/v1/notes/").json()["count"] == 0
    assert client.get(f"/api/v1/notes/{note.pk}/").status_code == 404
    response = client.post(
        "/api/v1/notes/", {"regarding": {"type": "lead", "id": carols_lead.pk}, "text": "Hi"}
    )
    assert response.status_code == 400


def test_the_note_list_costs_the_same_queries_for_1_and_for_50_rows(
    api_as, alice, lead, django_assert_num_queries
):
    client = api_as(alice)
    for rows in (1, 49):
        for index in range(rows):
            services.add_note(regarding=lead, user=alice, text=f"Note {index}")
        # token joined with its user, the administrator check (groups), count, page
        with django_assert_num_queries(4):
            response = client.get("/api/v1/notes/", {"page_size": 200})
        assert response.status_code == 200
    assert response.json()["count"] == 50
