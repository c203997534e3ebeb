import pytest

from crm.models import User
from crm.tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_a_rep_lists_themselves_and_their_teammates_only(api_as, alice, bob, carol, manager):
    response = api_as(alice).get("/api/v1/users/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == 3
    assert {row["username"] for row in body["results"]} == {"alice", "bob", "maria"}
    row = next(row for row in body["results"] if row["username"] == "alice")
    assert row["url"] == f"http://testserver/api/v1/users/{alice.pk}/"
    assert row["full_name"] == "Alice Adams"
    assert row["teams"] == [alice.memberships.get().team_id]


def test_another_teams_user_is_a_404(api_as, alice, carol):
    response = api_as(alice).get(f"/api/v1/users/{carol.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "User not found."}


def test_an_administrator_sees_every_user_and_team(api_as, admin_user, alice, carol):
    client = api_as(admin_user)
    assert client.get("/api/v1/users/").json()["count"] == 3
    assert client.get(f"/api/v1/users/{carol.pk}/").status_code == 200
    assert client.get("/api/v1/teams/").json()["count"] == 2


def test_users_filter_by_team(api_as, admin_user, alice, carol, south):
    response = api_as(admin_user).get("/api/v1/users/", {"team": south.pk})
    assert [row["username"] for row in response.json()["results"]] == ["carol"]


def test_a_bad_filter_value_is_a_400_with_the_field_named(api_as, alice):
    response = api_as(alice).get("/api/v1/users/", {"team": "north"})
    assert response.status_code == 400
    assert "team" in response.json()


def test_a_rep_sees_their_own_team_with_its_active_members(api_as, alice, bob, manager, north):
    response = api_as(alice).get("/api/v1/teams/")
    assert response.json()["count"] == 1
    team = response.json()["results"][0]
    assert team["name"] == "North"
    assert sorted(member["user"] for member in team["members"]) == sorted(
        [alice.pk, bob.pk, manager.pk]
    )
    assert {"user": manager.pk, "role": "manager"} in team["members"]


def test_another_team_is_a_404(api_as, alice, south):
    assert api_as(alice).get(f"/api/v1/teams/{south.pk}/").status_code == 404


def test_users_and_teams_are_read_only(api_as, alice, north):
    client = api_as(alice)
    assert client.post("/api/v1/users/", {}, format="json").status_code == 405
    assert client.patch(f"/api/v1/users/{alice.pk}/", {}, format="json").status_code == 405
    response = client.delete(f"/api/v1/teams/{north.pk}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_the_user_list_costs_the_same_queries_for_1_and_for_50_rows(
    api_as, admin_user, django_assert_num_queries
):
    client = api_as(admin_user)
    for rows in (1, 50):
        team = TeamFactory()
        for index in range(rows):
            # Created directly: the factory hashes a password, which is slow 50 times over.
            MembershipFactory(team=team, user=User.objects.create(username=f"u{rows}-{index}"))
        # token joined with its user, count, page, memberships prefetch (a superuser is an
        # administrator without a group query)
        with django_assert_num_queries(4):
            response = client.get("/api/v1/users/", {"page_size": 200})
        assert response.status_code == 200


def test_the_team_list_costs_the_same_queries_for_1_and_for_50_rows(
    api_as, admin_user, django_assert_num_queries
):
    client = api_as(admin_user)
    for rows in (1, 50):
        for index in range(rows):
            user = User.objects.create(username=f"t{rows}-{index}")
            MembershipFactory(team=TeamFactory(), user=user)
        # token joined with its user, count, page, memberships prefetch (a superuser is an
        # administrator without a group query)
        with django_assert_num_queries(4):
            response = client.get("/api/v1/teams/", {"page_size": 200})
        assert response.status_code == 200
