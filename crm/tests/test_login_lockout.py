import pytest
from axes.models import AccessAttempt

from crm.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(client, password, **extra):
    return client.post("/login/", {"username": "alice", "password": password}, **extra)


def test_five_wrong_passwords_lock_the_user_from_that_address(client, alice, settings):
    for _ in range(4):
        assert _log_in(client, "wrong").status_code == 200  # the form again, with its error
    response = _log_in(client, "wrong")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed log-in attempts" in text
    assert f"locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes" in text
    assert response["Retry-After"] == str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    # Locked: even the right password is refused now.
    assert _log_in(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out.
    response = _log_in(client, PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_a_client_written_x_forwarded_for_does_not_dodge_the_lockout(client, alice):
    for index in range(5):
        _log_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"1.1.1.{index}")
    assert _log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_the_lockout_ends_after_the_configured_time(client, alice, settings):
    import time_machine

    with time_machine.travel("2026-06-01 10:00", tick=False):
        for _ in range(5):
            _log_in(client, "wrong")
        assert _log_in(client, PASSWORD).status_code == 429
    with time_machine.travel("2026-06-01 10:16", tick=False):
        assert _log_in(client, PASSWORD).status_code == 302
    # A success forgets the failures.
    assert not AccessAttempt.objects.exists()


def test_the_password_reset_is_throttled_per_address(client, alice, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        response = client.post("/password_reset/", {"email": alice.email})
        assert response.status_code == 302
    response = client.post("/password_reset/", {"email": alice.email})
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()
    assert len(mailoutbox) == 2
    response = client.post("/password_reset/", {"email": alice.email}, REMOTE_ADDR="10.8.8.8")
    assert response.status_code == 302
