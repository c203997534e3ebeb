"""What every endpoint shares: authentication, JSON errors, the schema and the docs page."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def test_without_credentials_the_api_answers_401_not_a_login_redirect(api_client):
    response = api_client.get("/api/v1/users/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_wrong_token_is_a_401(api_client, alice):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/users/").status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(api_as, alice):
    client = api_as(alice)
    alice.is_active = False
    alice.save()
    assert client.get("/api/v1/users/").status_code == 401


def test_a_browser_session_works_for_reads_and_needs_csrf_for_writes(alice, north):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/v1/teams/").status_code == 200
    response = client.post("/api/v1/teams/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_an_unknown_api_address_is_a_json_404(api_client, api_as, alice):
    for client in (api_client, api_as(alice)):
        response = client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_a_page_past_the_end_is_a_json_404(api_as, alice):
    response = api_as(alice).get("/api/v1/users/", {"page": 99})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_a_body_that_is_not_json_is_a_415_and_broken_json_a_400(api_as, alice):
    client = api_as(alice)
    response = client.post(
        "/api/v1/users/", "a=b", content_type="application/x-www-form-urlencoded"
    )
    # users are read-only: the method is refused before the body is read
    assert response.status_code == 405
    response = client.post(
        reverse("api:token_create"), "a=b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in {302, 200}  # an HTML page, not the API


def test_a_deeply_nested_json_body_is_a_json_400(api_as, alice):
    client = api_as(alice)
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/leads/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deep" in response.json()["detail"]


def test_an_oversized_body_is_a_json_413(api_as, alice, settings):
    client = api_as(alice)
    body = '{"last_name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'
    response = client.post("/api/v1/leads/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is too large."


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        ('{"last_name": ', "application/json", 400, "not valid JSON"),  # cut short
        (b'{"last_name": "\xff"}', "application/json", 400, "not valid JSON"),  # not UTF-8
        ('{"last_name": ' + "1" * 5_000 + "}", "application/json", 400, "not valid JSON"),
        ('{"last_name": ' + "[" * 100_000 + "]" * 100_000 + "}", "application/json", 400,
         "nested too deep"),
        ('{"last_name": "' + "x" * 2_700_000 + '"}', "application/json", 413, "too large"),
        ("last_name=x", "application/x-www-form-urlencoded", 415, "Unsupported media type"),
        ("last_name=" + "x" * 2_700_000, "application/x-www-form-urlencoded", 415,
         "Unsupported media type"),
        (b"--b\r\n", "multipart/form-data; boundary=b", 415, "Unsupported media type"),
        (b"no boundary", "multipart/form-data", 415, "Unsupported media type"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_body_the_api_cannot_read_is_a_json_error(
    api_as, alice, method, body, content_type, status, detail
):
    from leads.tests.factories import make_lead

    url = "/api/v1/leads/" if method == "post" else f"/api/v1/leads/{make_lead(owner=alice).pk}/"
    response = getattr(api_as(alice), method)(url, body, content_type=content_type)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_an_unknown_query_parameter_is_a_400_naming_it(api_as, alice):
    client = api_as(alice)
    response = client.get("/api/v1/leads/", {"statsu": "open", "page_size": 5})
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown query parameters: statsu."}
    assert client.get("/api/v1/leads/", {"page_size": 5, "page": 1}).status_code == 200


def test_the_schema_is_public_openapi_3(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/users/" in schema["paths"]
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_schema_generates_with_zero_warnings(tmp_path):
    # The same command as CI's schema stage: it fails on any warning or validation error.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "openapi: 3" in (tmp_path / "schema.yaml").read_text()


def test_the_docs_page_needs_a_login(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_docs_page_loads_vendored_swagger_ui_without_inline_script(as_alice):
    response = as_alice.get(reverse("api:docs"))
    assert response.status_code == 200
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in response.text
    assert 'data-schema-url="/api/schema/"' in response.text
    scripts = re.findall(r"<script([^>]*)>", response.text)
    assert all("src=" in attributes for attributes in scripts)
    assert as_alice.post(reverse("api:docs")).status_code == 405


def test_the_profile_page_offers_to_create_a_token(as_alice):
    response = as_alice.get(reverse("profile"))
    assert 'data-testid="api-token-section"' in response.text
    assert "Create token" in response.text
    assert "Revoke token" not in response.text


def test_creating_a_token_shows_it_once_and_it_authenticates(as_alice, alice, api_client):
    response = as_alice.post(reverse("api:token_create"))
    assert response.status_code == 200
    key = Token.objects.get(user=alice).key
    assert key in response.text
    assert "no-store" in response["Cache-Control"]
    assert key not in as_alice.get(reverse("profile")).text
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/users/").status_code == 200


def test_replacing_a_token_makes_the_old_one_stop_working(as_alice, alice, api_client):
    as_alice.post(reverse("api:token_create"))
    old = Token.objects.get(user=alice).key
    as_alice.post(reverse("api:token_create"))
    assert Token.objects.get(user=alice).key != old
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api_client.get("/api/v1/users/").status_code == 401


def test_revoking_the_token(as_alice, alice):
    as_alice.post(reverse("api:token_create"))
    assert "Revoke token" in as_alice.get(reverse("profile")).text
    response = as_alice.post(reverse("api:token_revoke"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "Your API token was revoked" in response.text
    assert not Token.objects.filter(user=alice).exists()
    response = as_alice.post(reverse("api:token_revoke"), follow=True)
    assert "You had no API token" in response.text


def test_token_pages_refuse_get_and_anonymous_users(as_alice, client):
    assert as_alice.get(reverse("api:token_create")).status_code == 405
    assert as_alice.get(reverse("api:token_revoke")).status_code == 405
    as_alice.logout()
    response = client.post(reverse("api:token_create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_api_address_is_json_even_for_a_write_with_a_session_cookie(alice):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.patch("/api/v1/accounts/0.5/", {"name": "X"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_out_of_range_filter_values_are_a_400_not_a_500(api_as, alice):
    response = api_as(alice).get("/api/v1/users/", {"team": -(2**80)})
    assert response.status_code == 400
    assert "team" in response.json()


def test_an_owner_of_the_wrong_shape_is_a_400(api_as, alice):
    client = api_as(alice)
    for owner in ({"type": {}, "id": 1}, {"type": "user", "id": "7"}, [1], "user:7"):
        response = client.post("/api/v1/accounts/", {"name": "X", "owner": owner})
        assert response.status_code == 400, owner
        assert "owner" in response.json()
