"""The API's Merge message and its undo (api/merge.py): what moved, and each error code."""

import pytest

from accounts.tests.factories import AccountFactory, ContactFactory
from activities.models import Activity, RecordMerge
from activities.services import log_activity
from leads.models import Lead, State, Status
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def call(lead, user):
    return log_activity(
        regarding=lead,
        user=user,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": "Call", "direction": Activity.Direction.OUTGOING},
    )


def post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def test_merge_and_undo_leads(api_as, alice):
    master = make_lead(owner=alice)
    others = [make_lead(owner=alice, city="Aarhus"), make_lead(owner=alice)]
    calls = [call(lead, alice) for lead in others]
    client = api_as(alice)

    response = post(
        client,
        f"/api/v1/leads/{master.pk}/merge/",
        {
            "subordinates": [lead.pk for lead in others],
            "fields": {"city": others[0].pk},
            "versions": {str(master.pk): master.version},
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    merge = RecordMerge.objects.get()
    assert body["id"] == merge.pk and body["master"] == master.pk
    assert body["subordinates"] == [lead.pk for lead in others]
    assert body["moved"] == {"activities": {"count": 2, "ids": [c.pk for c in calls]}}
    assert body["fields"]["city"] == {"from": others[0].pk, "old": "Copenhagen", "new": "Aarhus"}
    assert Lead.objects.get(pk=master.pk).city == "Aarhus"
    assert Lead.objects.get(pk=others[1].pk).status == Status.CANCELED

    response = post(client, f"/api/v1/leads/{master.pk}/merge/{merge.pk}/undo/")
    assert response.status_code == 200, response.json()
    assert response.json()["undone_at"] is not None
    assert Lead.objects.get(pk=others[1].pk).state == State.OPEN
    assert Lead.objects.get(pk=master.pk).city == "Copenhagen"
    # Undone already: a conflict.
    response = post(client, f"/api/v1/leads/{master.pk}/merge/{merge.pk}/undo/")
    assert response.status_code == 409


def test_merge_accounts_and_contacts(api_as, alice):
    client = api_as(alice)
    master, other = AccountFactory(owner_user=alice), AccountFactory(owner_user=alice)
    deal = OpportunityFactory(owner_user=alice, account=other)
    response = post(client, f"/api/v1/accounts/{master.pk}/merge/", {"subordinates": [other.pk]})
    assert response.status_code == 201, response.json()
    assert response.json()["moved"] == {"opportunities": {"count": 1, "ids": [deal.pk]}}

    first, second = ContactFactory(owner_user=alice), ContactFactory(owner_user=alice)
    response = post(client, f"/api/v1/contacts/{first.pk}/merge/", {"subordinates": [second.pk]})
    assert response.status_code == 201, response.json()
    merge_id = response.json()["id"]
    response = post(client, f"/api/v1/contacts/{first.pk}/merge/{merge_id}/undo/")
    assert response.status_code == 200


def test_error_codes(api_as, alice, bob, carol):
    master, other = make_lead(owner=alice), make_lead(owner=alice)
    theirs = make_lead(owner=carol)
    client = api_as(alice)
    url = f"/api/v1/leads/{master.pk}/merge/"

    # 400: bad ids, fields, shapes.
    for body in (
        {},
        {"subordinates": []},
        {"subordinates": [other.pk, other.pk + 1000, other.pk + 2000]},
        {"subordinates": [999999]},
        {"subordinates": [other.pk], "fields": {"state": other.pk}},
        {"subordinates": [other.pk], "fields": {"city": 999999}},
        {"subordinates": [master.pk]},
    ):
        response = post(client, url, body)
        assert response.status_code == 400, (body, response.json())
        assert response.json()
    # 404: a master out of scope; a subordinate out of scope is a bad id (never a leak).
    assert (
        post(client, f"/api/v1/leads/{theirs.pk}/merge/", {"subordinates": [other.pk]}).status_code
        == 404
    )
    assert post(client, url, {"subordinates": [theirs.pk]}).status_code == 400
    # 403: bob, alice's teammate, sees her leads but may not change them.
    response = post(api_as(bob), url, {"subordinates": [other.pk]})
    assert response.status_code == 403 and response.json()["detail"]
    # 409: a stale version.
    response = post(client, url, {"subordinates": [other.pk], "versions": {str(other.pk): 99}})
    assert response.status_code == 409
    # Merged: merging it again is a conflict, and a later merge blocks undo.
    first = post(client, url, {"subordinates": [other.pk]}).json()["id"]
    assert post(client, url, {"subordinates": [other.pk]}).status_code == 409
    third = make_lead(owner=alice)
    assert post(client, url, {"subordinates": [third.pk]}).status_code == 201
    response = post(client, f"{url}{first}/undo/")
    assert response.status_code == 409 and "later merge" in response.json()["detail"]
    # 404: a merge of another master.
    assert post(client, f"/api/v1/leads/{third.pk}/merge/{first}/undo/").status_code == 404


@pytest.mark.parametrize("kind", ["leads", "contacts", "accounts"])
def test_ids_past_the_database_range(api_as, alice, kind):
    """Found by the schemathesis stage: an id of 2**63 or more was a 500 (SQLite cannot
    bind it); it is a 400 in the body and a 404 in the path, each with a JSON body."""
    client = api_as(alice)
    master = {
        "leads": lambda: make_lead(owner=alice),
        "contacts": lambda: ContactFactory(owner_user=alice),
        "accounts": lambda: AccountFactory(owner_user=alice),
    }[kind]()
    huge = 2**63
    for body in (
        {"subordinates": [huge]},
        {"subordinates": [master.pk + 1], "fields": {"city": huge}},
        {"subordinates": [master.pk + 1], "versions": {str(master.pk): huge}},
    ):
        response = post(client, f"/api/v1/{kind}/{master.pk}/merge/", body)
        assert response.status_code == 400, body
        assert response.json()
    for url in (f"/api/v1/{kind}/{huge}/merge/", f"/api/v1/{kind}/{master.pk}/merge/{huge}/undo/"):
        response = post(client, url, {"subordinates": [master.pk]})
        assert response.status_code == 404, url
        assert "detail" in response.json()
