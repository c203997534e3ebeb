import pytest

from activities import services
from activities.models import Activity, Inquiry, Note

pytestmark = pytest.mark.django_db


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


def test_a_manager_may_not_patch_a_reps_note_as_on_the_pages(api_as, alice, manager, lead):
    note = services.add_note(regarding=lead, user=alice, text="Mine")
    url = f"/api/v1/notes/{note.pk}/"
    client = api_as(manager)
    assert client.get(url).status_code == 200
    response = client.patch(url, {"text": "The manager's words"})
    assert response.status_code == 403
    note.refresh_from_db()
    assert (note.text, note.version) == ("Mine", 1)
    assert api_as(alice).patch(url, {"text": "Still mine"}).status_code == 200


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
    # The regarding record's content types are cached per process once read: warm them, so
    # the count does not depend on which tests ran before in this worker.
    client.get("/api/v1/notes/")
    for rows in (1, 49):
        for index in range(rows):
            services.add_note(regarding=lead, user=alice, text=f"Note {index}")
        # token joined with its user, the administrator check (groups), the user's teams
        # (visibility), count, page
        with django_assert_num_queries(5):
            response = client.get("/api/v1/notes/", {"page_size": 200})
        assert response.status_code == 200
    assert response.json()["count"] == 50


# --- customer inquiries ----------------------------------------------------------------------


def test_an_inquiry_is_created_and_resolved(api_as, alice, lead):
    client = api_as(alice)
    response = client.post(
        "/api/v1/inquiries/",
        {
            "regarding": {"type": "lead", "id": lead.pk},
            "title": "Ship to Norway?",
            "channel": "web",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["channel"], body["priority"]) == ("active", "web", "normal")
    url = body["url"]
    assert client.get("/api/v1/inquiries/", {"state": "active"}).json()["count"] == 1

    response = client.post(f"{url}resolve/", {"resolution": "Yes"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["resolution"]) == ("resolved", "Yes")
    assert body["closed_at"] is not None
    assert response["ETag"] == '"2"'
    inquiry = Inquiry.objects.get()
    assert (inquiry.state, inquiry.modified_by) == ("resolved", alice)


def test_resolving_or_canceling_a_closed_inquiry_is_a_409(api_as, alice, lead):
    inquiry = services.add_inquiry(regarding=lead, user=alice, data={"title": "Q"})
    services.cancel_inquiry(inquiry=inquiry, user=alice)
    client = api_as(alice)
    url = f"/api/v1/inquiries/{inquiry.pk}/"
    for action in ("resolve", "cancel"):
        response = client.post(f"{url}{action}/")
        assert response.status_code == 409, action
        assert "already Canceled" in response.json()["detail"]
    assert client.patch(url, {"title": "New"}).status_code == 409
    assert Inquiry.objects.get().title == "Q"


def test_closing_an_inquiry_with_a_stale_if_match_is_a_412(api_as, alice, lead):
    inquiry = services.add_inquiry(regarding=lead, user=alice, data={"title": "Q"})
    response = api_as(alice).post(f"/api/v1/inquiries/{inquiry.pk}/cancel/", HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert Inquiry.objects.get().state == "active"


def test_inquiries_need_edit_rights_to_close_and_are_hidden_across_teams(
    api_as, alice, bob, carol, manager, lead
):
    inquiry = services.add_inquiry(regarding=lead, user=alice, data={"title": "Q"})
    url = f"/api/v1/inquiries/{inquiry.pk}/"
    # bob sees alice's lead (a teammate) but may not change it.
    assert api_as(bob).get(url).status_code == 200
    assert api_as(bob).post(f"{url}resolve/").status_code == 403
    # carol (South) does not see it at all.
    assert api_as(carol).get(url).status_code == 404
    assert api_as(carol).post(f"{url}cancel/").status_code == 404
    assert api_as(carol).get("/api/v1/inquiries/").json()["count"] == 0
    assert Inquiry.objects.get().state == "active"
    # Alice's manager may edit her lead, so may close its inquiries.
    assert api_as(manager).post(f"{url}cancel/").status_code == 200


def test_patch_edits_an_open_activity_and_gives_it_to_a_teammate(api_as, alice, bob, lead):
    call = services.log_activity(
        regarding=lead,
        user=alice,
        kind="phone_call",
        data={"subject": "Call back", "direction": "outgoing"},
    )
    url = f"/api/v1/activities/{call.pk}/"
    client = api_as(alice)
    etag = client.get(url)["ETag"]

    response = client.patch(
        url,
        {
            "subject": "Call back about the offer",
            "due_at": "2031-05-04T09:30:00Z",
            "duration_minutes": 15,
            "priority": "high",
            "direction": "incoming",
            "other_party": "Erik",
            "owner": {"type": "user", "id": bob.pk},
        },
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["owner"] == {"type": "user", "id": bob.pk}
    assert (body["priority"], body["direction"], body["other_party"]) == (
        "high",
        "incoming",
        "Erik",
    )
    assert (body["due_at"], body["duration_minutes"]) == ("2031-05-04T09:30:00Z", 15)
    assert response["ETag"] == '"2"'
    assert [a["id"] for a in api_as(bob).get("/api/v1/activities/").json()["results"]] == [call.pk]
    assert Activity.objects.get().history.count() == 2


def test_patch_owner_follows_the_owner_rule(api_as, alice, bob, north, lead):
    activity = services.log_activity(
        regarding=lead, user=alice, kind="task", data={"subject": "A"}
    )
    url = f"/api/v1/activities/{activity.pk}/"
    client = api_as(alice)
    bob.is_active = False
    bob.save()

    response = client.patch(url, {"owner": {"type": "user", "id": bob.pk}})
    assert response.status_code == 400
    assert "owner" in response.json()
    assert client.patch(url, {"owner": None}).status_code == 400

    response = client.patch(url, {"owner": {"type": "team", "id": north.pk}})
    assert response.status_code == 200
    assert response.json()["owner"] == {"type": "team", "id": north.pk}


def test_create_an_activity_for_a_teammate(api_as, alice, bob, lead):
    response = api_as(alice).post(
        "/api/v1/activities/",
        {
            "regarding": {"type": "lead", "id": lead.pk},
            "kind": "task",
            "subject": "For Bob",
            "owner": {"type": "user", "id": bob.pk},
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["owner"] == {"type": "user", "id": bob.pk}
    assert Activity.objects.get().created_by == alice


@pytest.mark.parametrize("close", ["complete", "cancel"])
def test_patching_a_closed_activity_is_a_409(api_as, alice, bob, lead, close):
    activity = services.log_activity(
        regarding=lead, user=alice, kind="task", data={"subject": "A"}
    )
    client = api_as(alice)
    url = f"/api/v1/activities/{activity.pk}/"
    assert client.post(f"{url}{close}/").status_code == 200

    assert client.patch(url, {"subject": "B"}).status_code == 409
    # The closed state is the answer even with the If-Match of before the change.
    response = client.patch(url, {"subject": "B"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert "can no longer be changed" in response.json()["detail"]
    response = client.patch(url, {"owner": {"type": "user", "id": bob.pk}})
    assert response.status_code == 409
    assert (Activity.objects.get().subject, Activity.objects.get().owner) == ("A", alice)


def test_patch_needs_edit_rights_and_keeps_the_kinds_rules(api_as, alice, bob, manager, lead):
    activity = services.log_activity(
        regarding=lead, user=alice, kind="task", data={"subject": "A"}
    )
    url = f"/api/v1/activities/{activity.pk}/"

    # Bob sees his teammate's lead but may not change it; Maria manages Alice.
    assert api_as(bob).patch(url, {"subject": "Bob's"}).status_code == 403
    assert api_as(manager).patch(url, {"subject": "Maria's"}).status_code == 200
    response = api_as(alice).patch(url, {"location": "Oslo"})  # a task has no location
    assert response.status_code == 400
    assert Activity.objects.get().subject == "Maria's"
