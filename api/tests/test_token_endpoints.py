"""The token endpoints for scripts (POST /api/token/ and /api/token/revoke/ with a JSON username
and password): the password is checked through django-axes, so five failures lock the
username from that address with a JSON 429, and a user creates at most
API_TOKEN_RATE_LIMIT_PER_HOUR tokens an hour, by a script or on the profile page."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from crm.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CREATE, REVOKE = "/api/token/", "/api/token/revoke/"


def _post(client, url, body, **extra):
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return client.post(url, body, content_type="application/json", **extra)


def _with_password(password, username="alice"):
    return {"username": username, "password": password}


def test_a_script_gets_a_token_with_its_password_and_the_old_one_stops(client, alice):
    response = _post(client, CREATE, _with_password(PASSWORD))
    assert response.status_code == 201
    first = response.json()["token"]
    assert Token.objects.get(user=alice).key == first
    assert "no-store" in response["Cache-Control"]
    api = Client(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/v1/users/").status_code == 200
    second = _post(client, CREATE, _with_password(PASSWORD)).json()["token"]
    assert second != first
    assert api.get("/api/v1/users/").status_code == 401


def test_a_wrong_password_is_a_json_401(client, alice):
    response = _post(client, CREATE, _with_password("wrong"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password."}
    assert _post(client, CREATE, _with_password(PASSWORD, "nobody")).status_code == 401
    assert not Token.objects.exists()


def test_five_wrong_passwords_lock_the_username_from_that_address(client, alice, settings):
    for _ in range(4):
        assert _post(client, CREATE, _with_password("wrong")).status_code == 401
    response = _post(client, CREATE, _with_password("wrong"))
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Too many failed log-in attempts" in response.json()["detail"]
    assert response.json()["retry_after_minutes"] == settings.LOGIN_LOCKOUT_MINUTES
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    # Locked: the right password is refused too, on both endpoints and on the log-in page.
    assert _post(client, CREATE, _with_password(PASSWORD)).status_code == 429
    assert _post(client, REVOKE, _with_password(PASSWORD)).status_code == 429
    login = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert login.status_code == 429
    assert not Token.objects.exists()
    # Another address is not locked out.
    response = _post(client, CREATE, _with_password(PASSWORD), REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 201


def test_failures_on_the_log_in_page_count_for_the_token_endpoint(client, alice):
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    assert _post(client, CREATE, _with_password(PASSWORD)).status_code == 429


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ("[1", 400, "The body is not a JSON object."),
        ("[1, 2]", 400, "The body is not a JSON object."),
        ("[" * 100_000 + "]" * 100_000, 400, "The body is not a JSON object."),
        ('{"username": "' + "x" * 2_700_000 + '"}', 413, "The request body is too large."),
        ({"username": "alice"}, 400, "Send a username and a password."),
        ({"username": "alice", "password": 12345}, 400, "Send a username and a password."),
    ],
)
@pytest.mark.parametrize("url", [CREATE, REVOKE])
def test_a_body_it_cannot_use_is_a_json_error(client, alice, url, body, status, detail):
    response = _post(client, url, body)
    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_token_creation_is_limited_per_user(client, alice, bob, settings):
    settings.API_TOKEN_RATE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert _post(client, CREATE, _with_password(PASSWORD)).status_code == 201
    kept = Token.objects.get(user=alice).key
    response = _post(client, CREATE, _with_password(PASSWORD))
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many API tokens created for this user. Try again in an hour."
    }
    assert response["Retry-After"] == "3600"
    assert Token.objects.get(user=alice).key == kept
    # The profile page's button counts in the same limit, and says so.
    client.force_login(alice)
    response = client.post(reverse("api:token_create"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "Too many API tokens created" in response.text
    assert Token.objects.get(user=alice).key == kept
    # Another user is not limited.
    assert _post(client, CREATE, _with_password(PASSWORD, "bob")).status_code == 201


def test_a_script_revokes_its_token_with_its_password(client, alice):
    _post(client, CREATE, _with_password(PASSWORD))
    response = _post(client, REVOKE, _with_password(PASSWORD))
    assert response.status_code == 200
    assert response.json() == {"revoked": True}
    assert not Token.objects.filter(user=alice).exists()
    assert _post(client, REVOKE, _with_password(PASSWORD)).json() == {"revoked": False}
    assert _post(client, REVOKE, _with_password("wrong")).status_code == 401


def test_the_profile_pages_form_posts_still_need_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("api:token_create")).status_code == 403
    assert client.post(reverse("api:token_revoke")).status_code == 403
    assert not Token.objects.exists()
    # A logged-in browser's JSON post is not a way around the password either.
    assert _post(client, CREATE, {}).status_code == 400


def test_the_token_endpoints_refuse_other_methods(client):
    for url in (CREATE, REVOKE):
        assert client.get(url).status_code == 405
