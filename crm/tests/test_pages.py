import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_needs_a_login(client):
    for url in (reverse("home"), reverse("profile"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_login_page_is_public_and_styled(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to the CRM" in response.content
    assert b"bootstrap.min.css" in response.content


def test_home_shows_the_users_teams(as_alice):
    response = as_alice.get(reverse("home"))
    assert response.status_code == 200
    assert "North" in response.text


def test_home_refuses_post(as_alice):
    assert as_alice.post(reverse("home")).status_code == 405


def test_an_unknown_url_gives_the_styled_404(as_alice):
    response = as_alice.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


@pytest.mark.urls("crm.tests.urls_with_error")
def test_an_error_gives_the_styled_500_without_a_traceback(client, alice):
    client.raise_request_exception = False
    client.force_login(alice)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "boom" not in response.text
    assert "Traceback" not in response.text


def test_pages_send_a_strict_content_security_policy_and_have_no_inline_script(as_alice):
    response = as_alice.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>", response.text)
    assert scripts, "the page loads its scripts"
    assert all("src=" in attributes for attributes in scripts)
    assert " style=" not in response.text


def test_profile_saves_time_zone_and_away_date(as_alice, alice):
    response = as_alice.post(
        reverse("profile"),
        {
            "first_name": "Alice",
            "last_name": "Adams",
            "email": "alice@example.com",
            "time_zone": "Europe/Copenhagen",
            "away_until": "2030-01-31",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Copenhagen"
    assert str(alice.away_until) == "2030-01-31"


def test_profile_rejects_an_unknown_time_zone_with_a_message(as_alice):
    response = as_alice.post(
        reverse("profile"), {"first_name": "A", "time_zone": "Mars/Olympus", "email": ""}
    )
    assert response.status_code == 200
    assert "Mars/Olympus is not a time zone: type a city" in response.text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Copenhagen", "Europe/Copenhagen"),
        ("new york", "America/New_York"),
        ("Sydney", "Australia/Sydney"),
        ("europe/copenhagen", "Europe/Copenhagen"),
        ("Asia/Tokyo", "Asia/Tokyo"),
    ],
)
def test_a_city_typed_as_people_write_it_finds_its_time_zone(as_alice, alice, typed, stored):
    response = as_alice.post(
        reverse("profile"), {"first_name": "A", "time_zone": typed, "email": ""}
    )
    assert response.status_code == 302, response.context["form"].errors
    alice.refresh_from_db()
    assert alice.time_zone == stored


def test_a_misspelt_city_is_answered_with_the_closest_zones(as_alice):
    response = as_alice.post(
        reverse("profile"), {"first_name": "A", "time_zone": "Copenhagn", "email": ""}
    )
    assert "Copenhagn is not a time zone. Did you mean Europe/Copenhagen?" in response.text


def test_the_time_zone_is_a_search_box_with_every_zone_and_its_offset(as_alice):
    page = as_alice.get(reverse("profile")).text
    assert 'list="id_time_zone-choices"' in page
    assert '<datalist id="id_time_zone-choices">' in page
    assert '<option value="Asia/Tokyo">UTC+09:00</option>' in page
    assert page.count("<option value=") >= 400


def test_profile_refuses_delete(as_alice):
    assert as_alice.delete(reverse("profile")).status_code == 405


def test_password_reset_sends_a_link_that_sets_a_new_password(client, alice):
    response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-fresh-Passw0rd!", "new_password2": "a-fresh-Passw0rd!"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-fresh-Passw0rd!")
