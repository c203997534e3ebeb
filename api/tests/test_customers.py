import pytest

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from opportunities import services as opportunity_services
from opportunities.models import Opportunity
from opportunities.tests.factories import CurrencyFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(alice):
    return AccountFactory(name="Acme", owner_user=alice, website="https://acme.example")


@pytest.fixture
def southwind(carol):
    return AccountFactory(name="Southwind", owner_user=carol)


# --- accounts --------------------------------------------------------------------------------


def test_a_rep_lists_the_accounts_they_can_see(api_as, alice, bob, acme, southwind):
    AccountFactory(name="Bob's", owner_user=bob)
    body = api_as(alice).get("/api/v1/accounts/").json()
    assert body["count"] == 2
    assert [row["name"] for row in body["results"]] == ["Acme", "Bob's"]
    row = body["results"][0]
    assert row["url"] == f"http://testserver/api/v1/accounts/{acme.pk}/"
    assert row["owner"] == {"type": "user", "id": alice.pk}
    assert row["state_province"] == ""


def test_accounts_filter_like_the_page(api_as, alice, acme):
    AccountFactory(name="Inactive Ltd", owner_user=alice, is_active=False)
    client = api_as(alice)
    assert client.get("/api/v1/accounts/", {"q": "acm"}).json()["count"] == 1
    body = client.get("/api/v1/accounts/", {"is_active": "false"}).json()
    assert [row["name"] for row in body["results"]] == ["Inactive Ltd"]
    assert client.get("/api/v1/accounts/", {"industry": "x"}).status_code == 400
    AccountFactory(name="Advisers", owner_user=alice, industry=7)
    body = client.get("/api/v1/accounts/", {"industry": "consulting"}).json()
    assert [row["name"] for row in body["results"]] == ["Advisers"]


def test_another_teams_account_is_a_404_for_read_and_update(api_as, alice, southwind):
    client = api_as(alice)
    assert client.get(f"/api/v1/accounts/{southwind.pk}/").status_code == 404
    response = client.patch(f"/api/v1/accounts/{southwind.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 404
    southwind.refresh_from_db()
    assert southwind.name == "Southwind"


def test_retrieve_sends_the_version_as_etag(api_as, alice, acme):
    response = api_as(alice).get(f"/api/v1/accounts/{acme.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert response.json()["version"] == 1


def test_create_an_account_owned_by_the_caller(api_as, alice):
    response = api_as(alice).post(
        "/api/v1/accounts/",
        {"name": "Fabrikam", "industry": "consulting", "state_province": "Sjælland"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    account = Account.objects.get(pk=body["id"])
    assert account.owner == alice
    assert account.created_by == alice
    assert account.industry == 7
    assert account.state_or_province == "Sjælland"
    assert body["industry"] == "consulting"
    assert response["Location"] == body["url"]
    assert type(response["Location"]) is str  # what wsgiref (runserver) accepts
    assert account.history.count() == 1


def test_create_for_a_team_queue(api_as, alice, north):
    response = api_as(alice).post(
        "/api/v1/accounts/", {"name": "Queue Co", "owner": {"type": "team", "id": north.pk}}
    )
    assert response.status_code == 201
    assert Account.objects.get(name="Queue Co").owner == north


def test_create_with_bad_input_is_a_400_naming_each_field(api_as, alice):
    response = api_as(alice).post(
        "/api/v1/accounts/",
        {
            "industry": "space mining",
            "email": "not-an-address",
            "owner": {"type": "planet", "id": 1},
            "annual_revenue": "lots",
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "industry", "email", "owner", "annual_revenue"}
    assert errors["owner"] == ["type must be one of: user, team."]
    assert not Account.objects.exists()


def test_a_parent_account_must_be_visible(api_as, alice, acme, southwind):
    client = api_as(alice)
    response = client.post("/api/v1/accounts/", {"name": "Sub", "parent_account": southwind.pk})
    assert response.status_code == 400
    assert "does not exist" in response.json()["parent_account"][0]
    response = client.post("/api/v1/accounts/", {"name": "Sub", "parent_account": acme.pk})
    assert response.status_code == 201


def test_an_account_cannot_be_its_own_parent(api_as, alice, acme):
    response = api_as(alice).patch(
        f"/api/v1/accounts/{acme.pk}/", {"parent_account": acme.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"parent_account": ["An account cannot be its own parent."]}


def test_patch_applies_bumps_the_version_and_returns_the_new_etag(api_as, alice, acme):
    response = api_as(alice).patch(
        f"/api/v1/accounts/{acme.pk}/", {"city": "Aarhus"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    acme.refresh_from_db()
    assert (acme.city, acme.version, acme.modified_by) == ("Aarhus", 2, alice)


def test_patch_with_a_stale_if_match_is_a_412_and_changes_nothing(api_as, alice, acme):
    client = api_as(alice)
    client.patch(f"/api/v1/accounts/{acme.pk}/", {"city": "Aarhus"}, format="json")
    response = client.patch(
        f"/api/v1/accounts/{acme.pk}/", {"city": "Odense"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert "detail" in response.json()
    acme.refresh_from_db()
    assert (acme.city, acme.version) == ("Aarhus", 2)


def test_patch_with_an_unparseable_if_match_is_a_412(api_as, alice, acme):
    response = api_as(alice).patch(
        f"/api/v1/accounts/{acme.pk}/", {"city": "X"}, format="json", HTTP_IF_MATCH="garbage"
    )
    assert response.status_code == 412


def test_patch_without_if_match_applies(api_as, alice, acme):
    response = api_as(alice).patch(f"/api/v1/accounts/{acme.pk}/", {"city": "X"}, format="json")
    assert response.status_code == 200


def test_a_teammate_can_see_but_not_change_a_reps_account(api_as, bob, acme):
    client = api_as(bob)
    assert client.get(f"/api/v1/accounts/{acme.pk}/").status_code == 200
    response = client.patch(f"/api/v1/accounts/{acme.pk}/", {"city": "X"}, format="json")
    assert response.status_code == 403


def test_the_manager_can_change_a_members_account(api_as, manager, acme):
    response = api_as(manager).patch(f"/api/v1/accounts/{acme.pk}/", {"city": "Y"}, format="json")
    assert response.status_code == 200


def test_accounts_refuse_put_and_a_reps_delete(api_as, alice, acme):
    client = api_as(alice)
    assert client.put(f"/api/v1/accounts/{acme.pk}/", {"name": "X"}).status_code == 405
    # DELETE is the administrators' (accounts.delete_account): a rep's is a 403.
    assert client.delete(f"/api/v1/accounts/{acme.pk}/").status_code == 403
    assert Account.objects.filter(pk=acme.pk).exists()


def test_a_form_encoded_body_is_a_415_and_broken_json_a_400(api_as, alice):
    client = api_as(alice)
    response = client.post(
        "/api/v1/accounts/", "name=X", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]
    response = client.post("/api/v1/accounts/", "{broken", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    response = client.post("/api/v1/accounts/", [1, 2], format="json")
    assert response.status_code == 400


def test_an_id_too_large_for_the_database_is_a_404_not_a_500(api_as, alice):
    response = api_as(alice).get(f"/api/v1/accounts/{2**70}/")
    assert response.status_code == 404


def test_the_account_list_costs_the_same_queries_for_1_and_for_50_rows(
    api_as, alice, django_assert_num_queries
):
    client = api_as(alice)
    for rows in (1, 49):
        AccountFactory.create_batch(rows, owner_user=alice)
        # token joined with its user, the administrator check (groups), the user's teams
        # (visibility), count, page, the qualifications that created them (originating lead)
        with django_assert_num_queries(6):
            response = client.get("/api/v1/accounts/", {"page_size": 200})
        assert response.status_code == 200
    assert response.json()["count"] == 50


# --- contacts --------------------------------------------------------------------------------


def test_create_a_contact_at_an_account(api_as, alice, acme):
    response = api_as(alice).post(
        "/api/v1/contacts/",
        {
            "first_name": "Ann",
            "last_name": "Ek",
            "account": acme.pk,
            "preferred_contact_method": "email",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["full_name"] == "Ann Ek"
    assert body["account"] == acme.pk
    assert body["preferred_contact_method"] == "email"
    contact = Contact.objects.get(pk=body["id"])
    assert (contact.account, contact.owner, contact.preferred_contact_method) == (acme, alice, 2)


def test_a_contacts_account_must_be_visible(api_as, alice, southwind):
    response = api_as(alice).post(
        "/api/v1/contacts/", {"last_name": "Ek", "account": southwind.pk}, format="json"
    )
    assert response.status_code == 400
    assert "account" in response.json()


def test_contacts_are_scoped_filtered_and_versioned(api_as, alice, carol, acme):
    mine = ContactFactory(first_name="Ann", last_name="Ek", owner_user=alice, account=acme)
    theirs = ContactFactory(owner_user=carol)
    client = api_as(alice)
    assert client.get("/api/v1/contacts/").json()["count"] == 1
    assert client.get("/api/v1/contacts/", {"q": "acme"}).json()["count"] == 1
    assert client.get(f"/api/v1/contacts/{theirs.pk}/").status_code == 404
    response = client.patch(
        f"/api/v1/contacts/{mine.pk}/", {"job_title": "CTO"}, format="json", HTTP_IF_MATCH='"7"'
    )
    assert response.status_code == 412
    response = client.patch(
        f"/api/v1/contacts/{mine.pk}/", {"job_title": "CTO"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response.json()["job_title"] == "CTO"
    assert client.delete(f"/api/v1/contacts/{mine.pk}/").status_code == 403  # admins only
    response = client.patch(f"/api/v1/contacts/{mine.pk}/", {"last_name": ""}, format="json")
    assert response.status_code == 400


# --- opportunities ---------------------------------------------------------------------------


def test_create_an_opportunity_for_an_account_in_the_base_currency(api_as, alice, acme):
    response = api_as(alice).post(
        "/api/v1/opportunities/",
        {
            "topic": "50 chairs",
            "customer": {"type": "account", "id": acme.pk},
            "estimated_value": "1200.00",
            "budget_status": "can_buy",
            "rating": "warm",
            "decision_maker": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == {"type": "account", "id": acme.pk}
    assert (body["rating"], body["decision_maker"]) == ("warm", True)
    assert body["currency"] == "EUR"
    assert (body["state"], body["status"], body["sales_stage"]) == (
        "open",
        "in_progress",
        "qualify",
    )
    opportunity = Opportunity.objects.get(pk=body["id"])
    assert (opportunity.account, opportunity.owner, opportunity.budget_status) == (acme, alice, 2)


def test_an_opportunity_has_a_contact_person_and_a_source_campaign(api_as, alice, acme):
    from leads.tests.factories import CampaignFactory

    campaign = CampaignFactory()
    anna = ContactFactory(owner_user=alice, account=acme)
    response = api_as(alice).post(
        "/api/v1/opportunities/",
        {
            "topic": "50 chairs",
            "customer": {"type": "account", "id": acme.pk},
            "parent_contact": anna.pk,
            "source_campaign": campaign.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["parent_contact"], body["source_campaign"]) == (anna.pk, campaign.pk)
    opportunity = Opportunity.objects.get(pk=body["id"])
    assert (opportunity.parent_contact, opportunity.source_campaign) == (anna, campaign)


def test_an_opportunity_for_a_contact_in_another_currency(api_as, alice):
    CurrencyFactory(code="USD")
    contact = ContactFactory(owner_user=alice)
    response = api_as(alice).post(
        "/api/v1/opportunities/",
        {"topic": "T", "customer": {"type": "contact", "id": contact.pk}, "currency": "USD"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Opportunity.objects.get().contact == contact


def test_an_opportunity_needs_a_visible_customer_and_a_known_currency(api_as, alice, southwind):
    response = api_as(alice).post(
        "/api/v1/opportunities/",
        {"topic": "T", "customer": {"type": "account", "id": southwind.pk}, "currency": "XXX"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"customer", "currency"}
    assert response.json()["customer"] == [f"No account with id {southwind.pk}."]
    response = api_as(alice).post("/api/v1/opportunities/", {"topic": "T"}, format="json")
    assert response.json() == {"customer": ["This field is required."]}


def test_opportunities_filter_by_state_and_hide_other_teams(api_as, alice, carol, acme, southwind):
    mine = OpportunityFactory(owner_user=alice, account=acme)
    OpportunityFactory(owner_user=carol, account=southwind)
    client = api_as(alice)
    assert client.get("/api/v1/opportunities/").json()["count"] == 1
    assert client.get("/api/v1/opportunities/", {"state": "won"}).json()["count"] == 0
    assert client.get("/api/v1/opportunities/", {"state": "open"}).json()["count"] == 1
    assert client.get("/api/v1/opportunities/", {"state": 1}).status_code == 400
    other = Opportunity.objects.exclude(pk=mine.pk).get()
    assert client.get(f"/api/v1/opportunities/{other.pk}/").status_code == 404


def test_patch_a_closed_opportunity_is_a_409(api_as, alice, acme):
    opportunity = OpportunityFactory(owner_user=alice, account=acme)
    opportunity_services.win_opportunity(opportunity=opportunity, user=alice)
    response = api_as(alice).patch(
        f"/api/v1/opportunities/{opportunity.pk}/", {"topic": "New"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "A closed opportunity cannot be edited; reopen it first."}


def test_patch_moves_the_customer_and_refuses_a_closing_status(api_as, alice, acme):
    opportunity = OpportunityFactory(owner_user=alice, account=acme)
    contact = ContactFactory(owner_user=alice)
    client = api_as(alice)
    response = client.patch(
        f"/api/v1/opportunities/{opportunity.pk}/",
        {"customer": {"type": "contact", "id": contact.pk}, "status": "on_hold"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    opportunity.refresh_from_db()
    assert (opportunity.account, opportunity.contact, opportunity.status) == (None, contact, 2)
    response = client.patch(
        f"/api/v1/opportunities/{opportunity.pk}/", {"status": "won"}, format="json"
    )
    assert response.status_code == 400


def test_the_opportunity_list_costs_the_same_queries_for_1_and_for_50_rows(
    api_as, alice, acme, django_assert_num_queries
):
    client = api_as(alice)
    for rows in (1, 49):
        OpportunityFactory.create_batch(rows, owner_user=alice, account=acme)
        # token joined with its user, the administrator check (groups), the user's teams
        # (visibility), count, page with currencies joined, the qualifications (source leads)
        with django_assert_num_queries(6):
            response = client.get("/api/v1/opportunities/", {"page_size": 200})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/accounts/?parent_account=-1.1621226286820014e%2B162",
        "/api/v1/contacts/?account=-2.5603307949043613e%2B269",
        "/api/v1/opportunities/?account=-1.4e%2B223&contact=599",
        "/api/v1/opportunities/?contact=99999999999999999999",
    ],
)
def test_an_id_filter_out_of_range_is_a_400_not_a_500(api_as, alice, query):
    """Found by schemathesis: a huge number reached SQLite as an id and overflowed."""
    response = api_as(alice).get(query)
    assert response.status_code == 400
    assert response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/?parent_account=-1e300",
        "/accounts/contacts/?account=1e300",
        "/opportunities/?account=99999999999999999999&contact=-5",
    ],
)
def test_list_pages_ignore_an_id_filter_out_of_range(as_alice, url):
    assert as_alice.get(url).status_code == 200
