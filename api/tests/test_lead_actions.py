"""The lead messages of the API: qualify, disqualify, reactivate, assign."""

import pytest

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory
from leads import services
from leads.tests.factories import lead_data, make_lead
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_qualify_into_a_new_account_and_contact(api_as, alice, lead):
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/qualify/",
        {"create_account": True, "create_contact": True, "create_opportunity": False},
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["lead"]["state"], body["lead"]["status"]) == ("qualified", "qualified")
    account, contact = Account.objects.get(), Contact.objects.get()
    assert body["created"] == [
        {
            "type": "account",
            "id": account.pk,
            "url": f"http://testserver/api/v1/accounts/{account.pk}/",
        },
        {
            "type": "contact",
            "id": contact.pk,
            "url": f"http://testserver/api/v1/contacts/{contact.pk}/",
        },
    ]
    assert contact.account == account
    assert body["lead"]["qualifications"][0]["created"] == body["created"]


def test_qualify_twice_is_a_409(api_as, alice, lead):
    client = api_as(alice)
    client.post(f"/api/v1/leads/{lead.pk}/qualify/", {"create_account": True})
    response = client.post(f"/api/v1/leads/{lead.pk}/qualify/", {"create_account": True})
    assert response.status_code == 409
    assert response.json() == {"detail": "This lead is already qualified."}
    assert Account.objects.count() == 1


def test_qualify_needs_something_to_create(api_as, alice, lead):
    response = api_as(alice).post(f"/api/v1/leads/{lead.pk}/qualify/", {})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/qualify/", {"create_account": "perhaps"}
    )
    assert response.status_code == 400


def test_qualify_with_a_stale_if_match_is_a_412(api_as, alice, lead):
    services.update_lead(lead=lead, user=alice, data={"city": "Aarhus"})
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/qualify/", {"create_account": True}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert not Account.objects.exists()


def test_qualify_into_an_opportunity_for_an_existing_account(api_as, alice):
    client = api_as(alice)
    existing = AccountFactory(name="Contoso", owner_user=alice)
    lead = make_lead(owner=alice, email="p@contoso.example", company_name="Contoso")
    response = client.post(
        f"/api/v1/leads/{lead.pk}/qualify/",
        {
            "create_opportunity": True,
            "opportunity_customer": {"type": "account", "id": existing.pk},
            "opportunity_currency": "EUR",
        },
    )
    assert response.status_code == 200, response.json()
    opportunity = Opportunity.objects.get()
    assert opportunity.account == existing
    assert response.json()["created"][0]["type"] == "opportunity"
    assert Account.objects.count() == 1


def test_qualify_into_an_existing_opportunity(api_as, alice, lead):
    account = AccountFactory(owner_user=alice)
    opportunity = OpportunityFactory(owner_user=alice, account=account)
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/qualify/", {"existing_opportunity": opportunity.pk}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == []
    assert response.json()["lead"]["qualifications"][0]["opportunity"] == opportunity.pk


def test_qualify_cannot_use_another_teams_records(api_as, alice, carol, lead):
    theirs = AccountFactory(owner_user=carol)
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/qualify/",
        {"create_opportunity": True, "opportunity_customer": {"type": "account", "id": theirs.pk}},
    )
    assert response.status_code == 400
    assert "opportunity_customer" in response.json()


def test_the_dynamics_qualify_walkthrough_through_the_api_alone(api_as, alice):
    """Two leads: the first into a new account and contact (contact's parent = the account, no
    opportunity); the second into an opportunity only, for an existing account."""
    client = api_as(alice)
    existing = client.post("/api/v1/accounts/", {"name": "Contoso Ltd"}).json()
    first = client.post("/api/v1/leads/", lead_data()).json()
    second = client.post(
        "/api/v1/leads/",
        lead_data(
            email="k@contoso.example", company_name="Contoso Ltd", last_name="Kim", first_name=""
        ),
    ).json()

    response = client.post(
        f"/api/v1/leads/{first['id']}/qualify/",
        {"create_account": True, "create_contact": True, "create_opportunity": False},
    )
    assert response.status_code == 200
    created = {item["type"]: item["id"] for item in response.json()["created"]}
    assert set(created) == {"account", "contact"}
    contact = client.get(f"/api/v1/contacts/{created['contact']}/").json()
    assert contact["account"] == created["account"]
    assert contact["originating_lead"] == first["id"]
    account = client.get(f"/api/v1/accounts/{created['account']}/").json()
    assert account["originating_lead"] == first["id"]

    response = client.post(
        f"/api/v1/leads/{second['id']}/qualify/",
        {
            "create_opportunity": True,
            "opportunity_customer": {"type": "account", "id": existing["id"]},
        },
    )
    assert response.status_code == 200
    (opportunity_ref,) = response.json()["created"]
    opportunity = client.get(opportunity_ref["url"]).json()
    assert opportunity["customer"] == {"type": "account", "id": existing["id"]}
    assert opportunity["source_leads"] == [second["id"]]
    assert client.get(existing["url"]).json()["originating_lead"] is None

    for lead in (first, second):
        assert client.get(lead["url"]).json()["state"] == "qualified"
    listed = client.get("/api/v1/opportunities/").json()["results"]
    assert [row["id"] for row in listed] == [opportunity["id"]]
    assert client.get("/api/v1/accounts/").json()["count"] == 2


def test_disqualify_with_a_reason_and_keep_the_contact(api_as, alice, lead):
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/disqualify/",
        {"status": "no_longer_interested", "note": "Bought elsewhere", "keep_contact": True},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["status"]) == ("disqualified", "no_longer_interested")
    assert body["qualifications"][0]["kind"] == "kept_contact"
    assert Contact.objects.get().last_name == "Hansen"
    assert lead.status_changes.last().reason == "Bought elsewhere"


def test_disqualify_needs_one_of_the_four_reasons_and_an_open_lead(api_as, alice, lead):
    client = api_as(alice)
    response = client.post(f"/api/v1/leads/{lead.pk}/disqualify/", {"status": "qualified"})
    assert response.status_code == 400
    client.post(f"/api/v1/leads/{lead.pk}/disqualify/", {"status": "lost"})
    response = client.post(f"/api/v1/leads/{lead.pk}/disqualify/", {"status": "canceled"})
    assert response.status_code == 409
    assert response.json() == {"detail": "This lead is already disqualified."}


def test_reactivate_a_disqualified_lead_and_refuse_an_open_one(api_as, alice, lead):
    client = api_as(alice)
    response = client.post(f"/api/v1/leads/{lead.pk}/reactivate/", {})
    assert response.status_code == 409
    services.disqualify_lead(lead=lead, user=alice, status="lost")
    response = client.post(f"/api/v1/leads/{lead.pk}/reactivate/", {"status": "contacted"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status"]) == ("open", "contacted")
    response = client.post(f"/api/v1/leads/{lead.pk}/reactivate/", {"status": "lost"})
    assert response.status_code == 400


def test_assign_to_a_user_or_a_team(api_as, alice, bob, north, lead):
    client = api_as(alice)
    response = client.post(f"/api/v1/leads/{lead.pk}/assign/", {"team": north.pk})
    assert response.status_code == 200
    assert response.json()["owner"] == {"type": "team", "id": north.pk}
    response = client.post(f"/api/v1/leads/{lead.pk}/assign/", {"user": bob.pk})
    assert response.json()["owner"] == {"type": "user", "id": bob.pk}
    lead.refresh_from_db()
    assert lead.owner == bob


def test_assign_needs_exactly_one_known_owner(api_as, alice, north, lead):
    client = api_as(alice)
    assert client.post(f"/api/v1/leads/{lead.pk}/assign/", {}).status_code == 400
    both = {"user": alice.pk, "team": north.pk}
    assert client.post(f"/api/v1/leads/{lead.pk}/assign/", both).status_code == 400
    assert client.post(f"/api/v1/leads/{lead.pk}/assign/", {"user": 10**6}).status_code == 400


def test_assign_with_a_stale_if_match_is_a_412(api_as, alice, bob, lead):
    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/assign/", {"user": bob.pk}, HTTP_IF_MATCH='"9"'
    )
    assert response.status_code == 412
    lead.refresh_from_db()
    assert lead.owner == alice
