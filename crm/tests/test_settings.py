import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crm.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x7Qp9LmZ2vB8nR4tW6yU1sD5fG3hJ0kA" * 2,
    "ALLOWED_HOSTS": "crm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://crm.example.com",
    "DATABASE_URL": "sqlite:////tmp/crm-deploy-check.sqlite3",
    "EMAIL_BACKEND": "smtp",
    "EMAIL_HOST": "mail.example.com",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.update(env)
    # The test plugin's defaults must not leak into a "production" process.
    for name in (
        "STATIC_MANIFEST",
        "SECURE_SSL_REDIRECT",
        "SECURE_COOKIES",
        "TASKS_BACKEND",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_bool_refuses_a_value_it_cannot_read_and_names_the_variable(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("COUNT", "ten")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        env_int("COUNT", 1)
    monkeypatch.setenv("COUNT", "-1")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be at least 0"):
        env_int("COUNT", 1, minimum=0)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_env_str_required_names_the_missing_variable(monkeypatch):
    monkeypatch.delenv("MISSING_THING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MISSING_THING is required"):
        env_str("MISSING_THING", required=True)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", "", "SECRET_KEY is required"),
        ("DEBUG", "perhaps", "DEBUG must be a boolean"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE is not a known time zone"),
        ("CACHE_URL", "memcached://x", "CACHE_URL must start with"),
        ("CSRF_TRUSTED_ORIGINS", "crm.example.com", "CSRF_TRUSTED_ORIGINS entries need a scheme"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL is not a valid database URL"),
        ("PASSWORD_RESET_TIMEOUT", "soon", "PASSWORD_RESET_TIMEOUT must be a whole number"),
        ("EMAIL_BACKEND", "carrier-pigeon", "EMAIL_BACKEND must be one of"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_message_naming_it(variable, value, message):
    result = run_manage("check", env={**PRODUCTION_ENV, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_deploy_check_passes_with_production_values():
    collected = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert "no issues" in collected.stdout
