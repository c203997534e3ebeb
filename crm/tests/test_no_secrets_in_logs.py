"""Passwords, tokens and personal data never reach the logs: one run that logs in (a wrong
and a right password), creates an API token, uses it, has a script get one with its password,
and posts a web form, with every logger at DEBUG, and the captured text scanned for each
secret. (The SQL debug log of django.db.backends, which shows query parameters, is an
operator's choice and not covered.)"""

import logging
import re

import pytest
from django.test import Client

from capture.tests.factories import WebFormFactory
from crm.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_logs_of_a_login_a_token_and_a_web_form_hold_no_secret(alice, caplog):
    caplog.set_level(logging.DEBUG)
    visitor_email = "ida.secret@holm.example"
    client = Client()
    client.post("/login/", {"username": "alice", "password": "wrong-" + PASSWORD})
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    page = client.post("/api/token/").content.decode()
    token = re.search(r"\b[0-9a-f]{40}\b", page).group(0)
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/leads/?page_size=1").status_code == 200
    script = Client()  # a script's token: its password in a JSON body, wrong then right
    for password, status in (("wrong-" + PASSWORD, 401), (PASSWORD, 201)):
        body = {"username": "alice", "password": password}
        response = script.post("/api/token/", body, content_type="application/json")
        assert response.status_code == status
    script_token = response.json()["token"]
    web_form = WebFormFactory(created_by=alice)
    response = Client().post(
        f"/capture/{web_form.key}/",
        {"first_name": "Ida", "last_name": "Holm", "email": visitor_email},
    )
    assert response.status_code == 200
    text = "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r}" for record in caplog.records
    )
    assert text  # the run was logged
    for secret in (PASSWORD, token, script_token, visitor_email):
        assert secret not in text
