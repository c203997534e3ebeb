"""PHONE_REGION and BASE_CURRENCY are read from the environment and fail loudly when wrong."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env):
    inherited = {k: v for k, v in os.environ.items() if k not in ("PHONE_REGION", "BASE_CURRENCY")}
    return subprocess.run(
        [sys.executable, "-c", "import crm.settings as s; print(s.PHONE_REGION, s.BASE_CURRENCY)"],
        cwd=ROOT,
        env={**inherited, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )


def test_defaults_are_denmark_and_euro():
    assert _load_settings().stdout.split() == ["DK", "EUR"]


def test_lower_case_values_are_accepted():
    assert _load_settings(PHONE_REGION="se", BASE_CURRENCY="sek").stdout.split() == ["SE", "SEK"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PHONE_REGION": "Denmark"}, "PHONE_REGION must be a two-letter region code"),
        ({"BASE_CURRENCY": "EURO"}, "BASE_CURRENCY must be a three-letter ISO 4217 code"),
        ({"BASE_CURRENCY": "€"}, "BASE_CURRENCY must be a three-letter ISO 4217 code"),
    ],
)
def test_bad_values_stop_the_start(env, message):
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
