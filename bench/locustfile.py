"""The sales team's mix for bench/load_bench.py: each simulated user is a generated rep (password
bench-pass) on one of the app servers (LOAD_SERVERS, comma-separated, taken in turn), logged in
through the login page, who lists, filters, searches and opens leads, and through the API (a
token per rep, LOAD_TOKENS) creates a lead, logs a call on it and qualifies it."""

import itertools
import os
import random
import re

from locust import HttpUser, between, task

SERVERS = itertools.cycle(os.environ["LOAD_SERVERS"].split(","))
REPS = itertools.cycle(os.environ["LOAD_TOKENS"].split(","))  # "username:user id:token"
LEAD_LINK = re.compile(r'href="/leads/(\d+)/"')


class Rep(HttpUser):
    wait_time = between(0.5, 2)
    host = "http://127.0.0.1"  # replaced per user below

    def on_start(self):
        self.host = next(SERVERS)
        self.client.base_url = self.host
        self.username, user_id, token = next(REPS).split(":")
        self.user_id = int(user_id)
        self.api = {"Authorization": f"Token {token}"}
        self.client.get("/login/", name="login page")
        self.client.post(
            "/login/",
            {
                "username": self.username,
                "password": "bench-pass",
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.host}/login/"},
            name="log in",
        )
        self.lead_ids = []

    def _page(self, url, name):
        """A page; one that is the login page again (the session lost) counts as a failure."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code == 200 and "/login/" in response.url:
                response.failure("sent to the login page")
            return response

    def _remember(self, response):
        found = LEAD_LINK.findall(response.text)
        if found:
            self.lead_ids = found[:50]

    @task(6)
    def lead_list(self):
        self._remember(self._page("/leads/", "lead list"))

    @task(3)
    def filtered_list(self):
        self._page("/leads/?state=open&rating=hot&sort=-created_at", "filtered list")

    @task(3)
    def search(self):
        term = random.choice(["hansen", "jensen", "nielsen", "larsen", "firma", "anna"])
        self._page(f"/leads/?q={term}", "search")

    @task(6)
    def detail(self):
        if self.lead_ids:
            self._page(f"/leads/{random.choice(self.lead_ids)}/", "lead detail")

    @task(1)
    def create_log_and_qualify(self):
        created = self.client.post(
            "/api/v1/leads/",
            json={
                "first_name": "Load",
                "last_name": f"Test {random.randrange(10**9)}",
                "company_name": f"Load Firm {random.randrange(10**9)}",
                "owner": {"type": "user", "id": self.user_id},
            },
            headers=self.api,
            name="API create lead",
        )
        if created.status_code != 201:
            return
        lead = created.json()["id"]
        self.client.post(
            "/api/v1/activities/",
            json={
                "regarding": {"type": "lead", "id": lead},
                "kind": "phone_call",
                "subject": "Called",
                "direction": "outgoing",
                "completed": True,
            },
            headers=self.api,
            name="API log a call",
        )
        self.client.post(
            f"/api/v1/leads/{lead}/qualify/",
            json={"create_account": True, "create_contact": True, "create_opportunity": True},
            headers=self.api,
            name="API qualify",
        )
