"""The login lockout (the log-in page and the API's token endpoint) under real separate
processes: gunicorn with three workers on PostgreSQL (the server fixture of capture's process
tests)."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from capture.tests.test_processes import server  # noqa: F401 (a fixture)
from crm.tests.factories import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _log_in(base, password):
    """One log-in on a fresh connection and session (any worker may answer)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(f"{base}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": "alice", "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"}, method="POST"
    )
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.geturl()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_login_lockout_holds_across_three_workers(server, alice):  # noqa: F811
    statuses = [_log_in(server, "wrong")[0] for _ in range(4)]
    assert statuses == [200] * 4  # the form again, with its error
    assert _log_in(server, "wrong")[0] == 429
    # Whichever worker answers now, the right password is refused too.
    assert [_log_in(server, PASSWORD)[0] for _ in range(3)] == [429] * 3


def _token_post(base, password):
    """POST /api/token/ as a script would (JSON, no session); (status, JSON body)."""
    body = json.dumps({"username": "alice", "password": password}).encode()
    request = urllib.request.Request(
        f"{base}/api/token/", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_token_endpoint_lockout_holds_across_three_workers(server, alice):  # noqa: F811
    statuses = [_token_post(server, "wrong")[0] for _ in range(4)]
    assert statuses == [401] * 4
    status, body = _token_post(server, "wrong")
    assert status == 429
    assert "Too many failed log-in attempts" in body["detail"]
    # Whichever worker answers now, the right password gets no token.
    assert [_token_post(server, PASSWORD)[0] for _ in range(3)] == [429] * 3
