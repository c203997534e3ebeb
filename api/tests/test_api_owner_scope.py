"""The API's owner fields offer what the pages' owner select offers (crm.forms.owners_for):
the members of the caller's teams and those teams, anyone for an administrator; another
owner is a 400 naming the field, and nothing changes."""

import pytest

from accounts.models import Account
from activities import services as activity_services
from activities.models import Activity
from crm.models import Share
from crm.services import share_record
from leads.models import Lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def _lead_body(**extra):
    return {
        "last_name": "Lind",
        "company_name": "Lindco",
        "email": "lind@example.com",
        "topic": "Trucks",
        **extra,
    }


def _user(user):
    return {"type": "user", "id": user.pk}


def _team(team):
    return {"type": "team", "id": team.pk}


class TestCreate:
    def test_a_lead_for_another_teams_rep_is_a_400(self, api_as, alice, carol):
        response = api_as(alice).post("/api/v1/leads/", _lead_body(owner=_user(carol)))

        assert response.status_code == 400
        assert "owner" in response.json()
        assert not Lead.objects.exists()

    def test_a_lead_for_another_team_is_a_400(self, api_as, alice, south):
        response = api_as(alice).post("/api/v1/leads/", _lead_body(owner=_team(south)))

        assert response.status_code == 400
        assert "owner" in response.json()

    def test_a_lead_for_a_teammate_or_the_own_team_is_kept(self, api_as, alice, bob, north):
        for owner in (bob, north):
            body = _lead_body(owner={"type": type(owner)._meta.model_name, "id": owner.pk})
            body["email"] = f"{owner.pk}-{body['email']}"
            response = api_as(alice).post("/api/v1/leads/", body)
            assert response.status_code == 201, response.json()
        assert {lead.owner for lead in Lead.objects.all()} == {bob, north}

    def test_an_administrator_may_choose_anyone(self, api_as, admin_user, carol):
        response = api_as(admin_user).post("/api/v1/leads/", _lead_body(owner=_user(carol)))

        assert response.status_code == 201
        assert Lead.objects.get().owner == carol

    def test_an_account_for_another_teams_rep_is_a_400(self, api_as, alice, carol):
        response = api_as(alice).post(
            "/api/v1/accounts/", {"name": "Acme", "owner": _user(carol)}, format="json"
        )

        assert response.status_code == 400
        assert "owner" in response.json()
        assert not Account.objects.exists()

    def test_an_activity_for_another_teams_rep_is_a_400(self, api_as, alice, carol):
        lead = make_lead(owner=alice)
        body = {
            "regarding": {"type": "lead", "id": lead.pk},
            "kind": "task",
            "subject": "For Carol",
            "owner": _user(carol),
        }

        response = api_as(alice).post("/api/v1/activities/", body, format="json")

        assert response.status_code == 400
        assert "owner" in response.json()
        assert not Activity.objects.exists()


class TestChange:
    def test_patching_a_leads_owner_to_another_team_is_a_400(self, api_as, alice, south):
        lead = make_lead(owner=alice)

        response = api_as(alice).patch(
            f"/api/v1/leads/{lead.pk}/", {"owner": _team(south)}, format="json"
        )

        assert response.status_code == 400
        assert "owner" in response.json()
        lead.refresh_from_db()
        assert (lead.owner, lead.version) == (alice, 1)

    def test_assigning_a_lead_to_another_teams_rep_is_a_400(self, api_as, alice, carol):
        lead = make_lead(owner=alice)

        response = api_as(alice).post(f"/api/v1/leads/{lead.pk}/assign/", {"user": carol.pk})

        assert response.status_code == 400
        assert "user" in response.json()
        lead.refresh_from_db()
        assert lead.owner == alice

    def test_assigning_to_a_teammate_is_done(self, api_as, alice, bob):
        lead = make_lead(owner=alice)

        response = api_as(alice).post(f"/api/v1/leads/{lead.pk}/assign/", {"user": bob.pk})

        assert response.status_code == 200
        lead.refresh_from_db()
        assert lead.owner == bob

    def test_a_write_share_keeps_the_current_owner_acceptable(self, api_as, alice, carol):
        # Carol (South) may change Alice's lead; sending its owner back unchanged is fine.
        lead = make_lead(owner=alice)
        share_record(record=lead, by=alice, user=carol, access=Share.Access.WRITE)

        response = api_as(carol).patch(
            f"/api/v1/leads/{lead.pk}/", {"owner": _user(alice), "topic": "Vans"}, format="json"
        )

        assert response.status_code == 200, response.json()
        lead.refresh_from_db()
        assert (lead.owner, lead.topic) == (alice, "Vans")

    def test_reassigning_an_activity_to_another_teams_rep_is_a_400(self, api_as, alice, carol):
        lead = make_lead(owner=alice)
        activity = activity_services.log_activity(
            regarding=lead, user=alice, kind="task", data={"subject": "A"}
        )

        response = api_as(alice).patch(
            f"/api/v1/activities/{activity.pk}/", {"owner": _user(carol)}, format="json"
        )

        assert response.status_code == 400
        assert "owner" in response.json()
        activity.refresh_from_db()
        assert activity.owner == alice
