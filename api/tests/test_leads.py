import pytest

from accounts.tests.factories import AccountFactory, ContactFactory
from leads import services
from leads.models import Lead, LeadSource
from leads.routing.models import Distribution
from leads.routing.tests.factories import make_rule
from leads.tests.factories import CampaignFactory, LeadFactory, lead_data, make_lead

pytestmark = pytest.mark.django_db


# --- list, retrieve, create, update ----------------------------------------------------------


def test_a_lead_reads_with_the_issues_field_names(api_as, alice, lead):
    response = api_as(alice).get(f"/api/v1/leads/{lead.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    for name in (
        "topic",
        "salutation",
        "first_name",
        "middle_name",
        "last_name",
        "job_title",
        "company_name",
        "website",
        "email",
        "business_phone",
        "mobile_phone",
        "industry",
        "annual_revenue",
        "number_of_employees",
        "street",
        "city",
        "state_province",
        "postal_code",
        "country",
        "source",
        "campaign",
        "rating",
        "description",
        "budget_amount",
        "estimated_value",
        "estimated_close_date",
        "next_follow_up",
        "state",
        "status",
        "owner",
        "created_at",
        "modified_at",
        "budget_status",
        "need",
        "purchase_timeframe",
        "purchase_process",
        "decision_maker",
        "preferred_contact_method",
        "do_not_email",
        "qualifications",
        "id",
        "url",
    ):
        assert name in body, name
    assert (body["state"], body["status"]) == ("open", "new")
    assert body["owner"] == {"type": "user", "id": alice.pk}
    assert body["company_name"] == "Fabrikam A/S"
    assert "on_duplicate" not in body


def test_the_lead_list_is_scoped_filtered_and_paginated(api_as, alice, bob, lead, carols_lead):
    make_lead(owner=bob, email="b@x.example", company_name="Bobco", last_name="Berg")
    client = api_as(alice)
    body = client.get("/api/v1/leads/").json()
    assert body["count"] == 2
    assert set(body) == {"count", "next", "previous", "results"}
    assert client.get("/api/v1/leads/", {"q": "fabrikam"}).json()["count"] == 1
    assert client.get("/api/v1/leads/", {"owner": f"user:{alice.pk}"}).json()["count"] == 1
    assert client.get("/api/v1/leads/", {"state": "qualified"}).json()["count"] == 0
    assert client.get("/api/v1/leads/", {"owner": "user:abc"}).status_code == 400
    assert client.get("/api/v1/leads/", {"state": "closed"}).status_code == 400
    assert client.get("/api/v1/leads/", {"page_size": 1}).json()["next"] is not None


def test_another_teams_lead_is_a_404_for_every_operation(api_as, alice, carols_lead):
    client = api_as(alice)
    url = f"/api/v1/leads/{carols_lead.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"topic": "X"}).status_code == 404
    for action, body in (
        ("qualify", {"create_account": True}),
        ("disqualify", {"status": "lost"}),
        ("reactivate", {}),
        ("assign", {"user": alice.pk}),
        ("route", {}),
        ("associate", {"account": AccountFactory(owner_user=alice).pk}),
        ("disassociate", {"account": AccountFactory(owner_user=alice).pk}),
    ):
        assert client.post(f"{url}{action}/", body).status_code == 404, action
    carols_lead.refresh_from_db()
    assert (carols_lead.state, carols_lead.version) == ("open", 1)


def test_create_with_an_owner_keeps_that_owner(api_as, alice, bob):
    response = api_as(alice).post(
        "/api/v1/leads/",
        {**lead_data(), "owner": {"type": "user", "id": bob.pk}, "source": "web"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    lead = Lead.objects.get(pk=body["id"])
    assert lead.owner == bob
    assert lead.created_by == alice
    assert lead.source == LeadSource.objects.get(name="Web")
    assert body["source"] == "Web"
    assert body["possible_duplicates"] == []
    assert response["Location"] == body["url"]
    assert lead.status_changes.count() == 1


def test_create_without_an_owner_asks_the_routing_rules(api_as, alice, monkeypatch):
    calls, create_lead = [], services.create_lead
    monkeypatch.setattr(
        services, "create_lead", lambda **kwargs: calls.append(kwargs) or create_lead(**kwargs)
    )
    response = api_as(alice).post("/api/v1/leads/", {"last_name": "Solo"})
    assert response.status_code == 201
    assert calls[0]["route"] is True
    assert calls[0]["owner"] is None
    assert calls[0]["created_by"] == alice


def test_create_without_an_owner_falls_back_to_the_caller(api_as, alice):
    response = api_as(alice).post("/api/v1/leads/", {"last_name": "Solo"})
    assert response.status_code == 201
    # Routing rules may pick someone else; without any rule the creating user owns it.
    assert Lead.objects.get().owner is not None
    # A plain str: runserver's wsgiref refuses any other type (a 500 after the lead was saved).
    assert type(response["Location"]) is str and response["Location"].endswith("/")


def test_possible_duplicates_come_back_in_the_201(api_as, alice, lead):
    response = api_as(alice).post("/api/v1/leads/", lead_data(topic="Again"))
    assert response.status_code == 201
    matches = response.json()["possible_duplicates"]
    assert matches[0]["type"] == "lead"
    assert matches[0]["id"] == lead.pk
    assert matches[0]["url"] == f"http://testserver/api/v1/leads/{lead.pk}/"
    assert "same e-mail address" in matches[0]["reasons"]
    assert Lead.objects.count() == 2


def test_on_duplicate_reject_gives_409_with_the_matches_and_creates_nothing(api_as, alice, lead):
    response = api_as(alice).post("/api/v1/leads/", {**lead_data(), "on_duplicate": "reject"})
    assert response.status_code == 409
    body = response.json()
    assert body["possible_duplicates"][0]["id"] == lead.pk
    assert "detail" in body
    assert Lead.objects.count() == 1


def test_duplicates_in_another_team_are_not_revealed(api_as, alice, carols_lead):
    response = api_as(alice).post(
        "/api/v1/leads/",
        {"email": "someone@south.example", "last_name": "X", "on_duplicate": "reject"},
    )
    assert response.status_code == 201
    assert response.json()["possible_duplicates"] == []


def test_create_with_bad_input_is_a_400_and_stores_nothing(api_as, alice):
    client = api_as(alice)
    response = client.post(
        "/api/v1/leads/",
        {"last_name": "X", "source": "Carrier pigeon", "rating": "tepid", "campaign": 999},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"source", "rating", "campaign"}
    response = client.post("/api/v1/leads/", {"topic": "No name, company or e-mail"})
    assert response.status_code == 400
    assert response.json() == {
        "last_name": ["Enter at least a last name, a company name or an e-mail address."]
    }
    assert not Lead.objects.exists()


def test_an_over_long_text_is_a_400_with_the_fields_limit_not_cut(api_as, alice):
    response = api_as(alice).post("/api/v1/leads/", {"last_name": "X", "topic": "x" * 301})

    assert response.status_code == 400
    assert response.json() == {"topic": ["Ensure this field has no more than 300 characters."]}
    assert not Lead.objects.exists()


def test_patch_updates_an_open_lead_with_if_match(api_as, alice, lead):
    client = api_as(alice)
    campaign = CampaignFactory()
    response = client.patch(
        f"/api/v1/leads/{lead.pk}/",
        {"rating": "hot", "campaign": campaign.pk, "budget_status": "can_buy"},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    lead.refresh_from_db()
    assert (lead.rating, lead.campaign, lead.budget_status) == ("hot", campaign, 2)


def test_patch_with_null_clears_a_choice_instead_of_failing(api_as, alice, lead):
    # Found by schemathesis: null on a text choice stored NULL in a NOT NULL column (a 500).
    client = api_as(alice)
    assert client.patch(f"/api/v1/leads/{lead.pk}/", {"rating": "hot"}).status_code == 200
    response = client.patch(f"/api/v1/leads/{lead.pk}/", {"rating": None, "need": None})
    assert response.status_code == 200, response.json()
    assert response.json()["rating"] is None
    lead.refresh_from_db()
    assert lead.rating == ""


def test_patch_with_a_stale_if_match_is_a_412(api_as, alice, lead):
    services.update_lead(lead=lead, user=alice, data={"city": "Aarhus"})
    response = api_as(alice).patch(
        f"/api/v1/leads/{lead.pk}/", {"city": "Odense"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    lead.refresh_from_db()
    assert lead.city == "Aarhus"


def test_patch_of_a_closed_lead_is_a_409(api_as, alice, lead):
    services.disqualify_lead(lead=lead, user=alice, status="lost")
    response = api_as(alice).patch(f"/api/v1/leads/{lead.pk}/", {"city": "Odense"})
    assert response.status_code == 409
    assert "reactivate it first" in response.json()["detail"]


def test_patch_owner_reassigns(api_as, alice, north, lead):
    response = api_as(alice).patch(
        f"/api/v1/leads/{lead.pk}/", {"owner": {"type": "team", "id": north.pk}}
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.owner == north


def test_a_teammate_cannot_change_a_reps_lead(api_as, bob, lead):
    client = api_as(bob)
    assert client.get(f"/api/v1/leads/{lead.pk}/").status_code == 200
    assert client.patch(f"/api/v1/leads/{lead.pk}/", {"city": "X"}).status_code == 403
    response = client.post(f"/api/v1/leads/{lead.pk}/disqualify/", {"status": "lost"})
    assert response.status_code == 403


def test_leads_refuse_put_delete_and_get_on_actions(api_as, alice, lead):
    client = api_as(alice)
    assert client.put(f"/api/v1/leads/{lead.pk}/", {}).status_code == 405
    assert client.delete(f"/api/v1/leads/{lead.pk}/").status_code == 403  # admins only
    assert client.get(f"/api/v1/leads/{lead.pk}/qualify/").status_code == 405


def test_a_read_share_does_not_let_a_user_with_the_delete_permission_delete(
    api_as, alice, carol, lead
):
    from django.contrib.auth.models import Permission

    from crm.services import share_record

    share_record(record=lead, by=alice, user=carol)  # read only
    carol.user_permissions.add(Permission.objects.get(codename="delete_lead"))
    response = api_as(carol).delete(f"/api/v1/leads/{lead.pk}/", {"reason": "Mistake"})
    assert response.status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_a_role_without_the_change_permission_cannot_patch(api_as, alice, lead):
    from crm.models import SALESPERSON_GROUP
    from crm.tests.test_action_permissions import remove

    remove(SALESPERSON_GROUP, "leads.change_lead")
    response = api_as(alice).patch(f"/api/v1/leads/{lead.pk}/", {"topic": "Changed"})
    assert response.status_code == 403
    assert "Can change lead" in response.json()["detail"]
    lead.refresh_from_db()
    assert lead.topic != "Changed"


def test_the_lead_list_costs_the_same_queries_for_1_and_for_50_rows(
    api_as, alice, django_assert_num_queries
):
    client = api_as(alice)
    for rows in (1, 49):
        for lead in LeadFactory.build_batch(rows):
            lead.owner = alice
            lead.save()
        # token joined with its user, the administrator check (groups), the user's teams and
        # teammates (visibility), count (capped), the page's ids, its leads with sources
        # joined, qualifications prefetch, links prefetch
        with django_assert_num_queries(8):
            response = client.get("/api/v1/leads/", {"page_size": 200})
        assert response.status_code == 200
    assert response.json()["count"] == 50


# --- lead sources and campaigns --------------------------------------------------------------


def test_everyone_reads_lead_sources_in_their_order(api_as, alice):
    body = api_as(alice).get("/api/v1/lead-sources/").json()
    assert body["count"] == 10
    assert "Web" in [row["name"] for row in body["results"]]
    web = LeadSource.objects.get(name="Web")
    assert api_as(alice).get(f"/api/v1/lead-sources/{web.pk}/").json()["name"] == "Web"


def test_only_administrators_add_or_change_lead_sources(api_as, alice, admin_user):
    assert api_as(alice).post("/api/v1/lead-sources/", {"name": "Podcast"}).status_code == 403
    client = api_as(admin_user)
    response = client.post("/api/v1/lead-sources/", {"name": "Podcast", "order": 11})
    assert response.status_code == 201
    response = client.post("/api/v1/lead-sources/", {"name": "podcast"})
    assert response.status_code == 400
    assert "already exists" in str(response.json())
    source_id = LeadSource.objects.get(name="Podcast").pk
    response = client.patch(f"/api/v1/lead-sources/{source_id}/", {"is_active": False})
    assert response.status_code == 200
    assert client.delete(f"/api/v1/lead-sources/{source_id}/").status_code == 405


def test_managers_run_campaigns_reps_read_them(api_as, alice, manager):
    response = api_as(manager).post(
        "/api/v1/campaigns/",
        {"name": "Spring", "code": "SPR", "start_date": "2026-03-01", "end_date": "2026-05-31"},
    )
    assert response.status_code == 201, response.json()
    campaign_id = response.json()["id"]
    client = api_as(alice)
    assert client.get("/api/v1/campaigns/", {"code": "SPR"}).json()["count"] == 1
    assert client.patch(f"/api/v1/campaigns/{campaign_id}/", {"name": "X"}).status_code == 403
    assert client.get("/api/v1/campaigns/999999/").status_code == 404


def test_a_campaign_cannot_end_before_it_starts_or_reuse_a_code(api_as, manager):
    client = api_as(manager)
    client.post("/api/v1/campaigns/", {"name": "A", "code": "A1"})
    response = client.post("/api/v1/campaigns/", {"name": "B", "code": "A1"})
    assert response.status_code == 400
    response = client.post(
        "/api/v1/campaigns/",
        {"name": "C", "start_date": "2026-05-01", "end_date": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in str(response.json())


def test_claim_a_lead_from_the_team_queue(api_as, alice, bob, north):
    queued = make_lead(owner=north, created_by=bob)
    response = api_as(alice).post(f"/api/v1/leads/{queued.pk}/claim/")
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == {"type": "user", "id": alice.pk}
    response = api_as(bob).post(f"/api/v1/leads/{queued.pk}/claim/")
    assert response.status_code == 409
    assert "has already taken this lead" in response.json()["detail"]


def test_claim_is_a_404_for_another_teams_queue(api_as, alice, carol, north):
    queued = make_lead(owner=north, created_by=alice)
    assert api_as(carol).post(f"/api/v1/leads/{queued.pk}/claim/").status_code == 404


def test_route_applies_the_rules_and_refuses_closed_leads(api_as, alice, lead):
    client = api_as(alice)
    response = client.post(f"/api/v1/leads/{lead.pk}/route/")
    assert response.status_code == 200, response.json()
    # No rule matches: the lead goes to its creator, as the rules' fallback says.
    assert response.json()["owner"] == {"type": "user", "id": alice.pk}
    services.disqualify_lead(lead=lead, user=alice, status="lost")
    response = client.post(f"/api/v1/leads/{lead.pk}/route/")
    assert response.status_code == 409
    assert response.json() == {"detail": "Only open leads are routed."}


def test_route_with_a_stale_if_match_is_a_412(api_as, alice, lead):
    response = api_as(alice).post(f"/api/v1/leads/{lead.pk}/route/", HTTP_IF_MATCH='"5"')
    assert response.status_code == 412


def test_associate_and_disassociate_accounts_and_contacts(api_as, alice, lead):
    account = AccountFactory(owner_user=alice)
    contact = ContactFactory(owner_user=alice)
    client = api_as(alice)
    url = f"/api/v1/leads/{lead.pk}/"
    response = client.post(f"{url}associate/", {"account": account.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["associated_accounts"] == [account.pk]
    response = client.post(f"{url}associate/", {"contact": contact.pk})
    assert response.json()["associated_contacts"] == [contact.pk]
    response = client.post(f"{url}disassociate/", {"account": account.pk})
    assert response.status_code == 200
    assert response.json()["associated_accounts"] == []
    response = client.post(f"{url}disassociate/", {"account": account.pk})
    assert response.status_code == 409
    assert "not linked" in response.json()["detail"]


def test_associate_needs_exactly_one_visible_record(api_as, alice, carol, lead):
    theirs = AccountFactory(owner_user=carol)
    client = api_as(alice)
    url = f"/api/v1/leads/{lead.pk}/associate/"
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"account": theirs.pk})
    assert response.status_code == 400
    assert "account" in response.json()
    assert client.get(url).status_code == 405


# --- the ETag after an action is the record's new version ------------------------------------


def test_the_etag_after_qualify_is_the_new_version_and_works_for_the_next_request(
    api_as, alice, lead
):
    client = api_as(alice)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/qualify/", {"create_account": True}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert response["ETag"] == f'"{lead.version}"' != '"1"'
    assert response.json()["lead"]["version"] == lead.version
    assert response.json()["lead"]["qualified_at"] is not None

    reactivated = client.post(
        f"/api/v1/leads/{lead.pk}/reactivate/", {}, HTTP_IF_MATCH=response["ETag"]
    )
    assert reactivated.status_code == 200, reactivated.json()
    patched = client.patch(
        f"/api/v1/leads/{lead.pk}/", {"topic": "Again"}, HTTP_IF_MATCH=reactivated["ETag"]
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["topic"] == "Again"


def test_the_etag_after_route_works_for_a_following_patch(api_as, alice, north, lead):
    make_rule("North queue", north, distribution=Distribution.TEAM_OWNS)
    client = api_as(alice)
    response = client.post(f"/api/v1/leads/{lead.pk}/route/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    assert response.json()["owner"] == {"type": "team", "id": north.pk}
    lead.refresh_from_db()
    assert response["ETag"] == f'"{lead.version}"' != '"1"'

    patched = client.patch(
        f"/api/v1/leads/{lead.pk}/", {"topic": "Routed"}, HTTP_IF_MATCH=response["ETag"]
    )
    assert patched.status_code == 200, patched.json()


def test_qualified_at_and_first_contact_at_are_read_only(api_as, alice, lead):
    client = api_as(alice)
    body = client.get(f"/api/v1/leads/{lead.pk}/").json()
    assert (body["qualified_at"], body["first_contact_at"]) == (None, None)
    response = client.patch(
        f"/api/v1/leads/{lead.pk}/",
        {"qualified_at": "2020-01-01T00:00:00Z", "first_contact_at": "2020-01-01T00:00:00Z"},
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.qualified_at, lead.first_contact_at) == (None, None)


def test_assigning_a_lead_out_of_sight_says_it_was_done(api_as, alice, carol, lead):
    """Alice has the rules route her lead, and they give it to Carol of another team: done,
    and the answer shows nothing of a record she can no longer see (it used to be a 500 on
    the re-read). (Alice may not assign it to Carol herself: test_api_owner_scope.py.)"""
    from leads.routing.models import AssignmentRule

    AssignmentRule.objects.create(name="To Carol", priority=1, target_user=carol)
    response = api_as(alice).post(f"/api/v1/leads/{lead.pk}/route/")
    assert response.status_code == 200
    assert response.json() == {
        "id": lead.pk,
        "detail": "Done. The record is no longer visible to you.",
    }
    assert "ETag" not in response
    lead.refresh_from_db()
    assert lead.owner == carol
    assert api_as(alice).get(f"/api/v1/leads/{lead.pk}/").status_code == 404


def test_the_schema_says_the_lead_dates_may_be_null(api_as, alice):
    """Found by schemathesis: first_contact_at / qualified_at are null until they happen."""
    schema = api_as(alice).get("/api/schema/?format=json").json()
    lead = schema["components"]["schemas"]["Lead"]["properties"]
    assert lead["first_contact_at"].get("nullable") is True
    assert lead["qualified_at"].get("nullable") is True
