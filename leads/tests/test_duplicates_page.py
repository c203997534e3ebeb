"""The leads' "Possible duplicates" page and panel (crm/duplicate_views.py): stored pairs whose
two leads the user sees, newest first, with the reason, a Merge link and "Not a duplicate";
a fixed number of queries."""

import pytest
from django.urls import reverse

from crm import duplicate_finder
from crm.models import PossibleDuplicate
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

PAGE = reverse("leads:duplicates")


def _pair(owner, email, **other):
    a = make_lead(
        owner=owner,
        email=email,
        business_phone="",
        first_name="A",
        last_name=email,
        company_name=f"{email} Co",
    )
    b = make_lead(
        owner=other.get("other_owner", owner),
        email=email,
        business_phone="",
        first_name="B",
        last_name=email,
        company_name=f"{email} B",
    )
    return a, b


def _found():
    duplicate_finder.refresh("leads.lead", full=True)


class TestThePage:
    def test_lists_the_pairs_with_reason_score_and_merge_link(self, as_alice, alice):
        a, b = _pair(alice, "jens@x.dk")
        _found()
        response = as_alice.get(PAGE)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Same e-mail address" in body and "Score 100" in body
        merge = reverse("leads:merge") + f"?ids={a.pk},{b.pk}"
        assert merge in body
        assert 'data-testid="dismiss-pair"' in body

    def test_only_pairs_whose_two_leads_the_user_sees(self, client, alice, carol):
        _pair(alice, "shared@x.dk", other_owner=carol)
        _pair(carol, "south@x.dk")
        _found()
        assert PossibleDuplicate.objects.count() == 2
        client.force_login(alice)
        assert client.get(PAGE).context["rows"] == []
        client.force_login(carol)
        rows = client.get(PAGE).context["rows"]
        assert [row["pair"].other.email for row in rows] == ["south@x.dk"]

    def test_newest_first_and_paginated(self, as_alice, alice):
        for n in range(3):
            _pair(alice, f"p{n}@x.dk")
            _found()
        response = as_alice.get(PAGE, {"per_page": 25})
        found = [row["pair"].found_at for row in response.context["rows"]]
        assert found == sorted(found, reverse=True) and len(found) == 3

    def test_a_fixed_number_of_queries(self, as_alice, alice, django_assert_num_queries):
        _pair(alice, "a@x.dk")
        _found()
        as_alice.get(PAGE)  # session, scope warmed like every page
        with django_assert_num_queries(7) as captured:
            as_alice.get(PAGE)
        for n in range(4):
            _pair(alice, f"more{n}@x.dk")
        _found()
        with django_assert_num_queries(len(captured)):
            as_alice.get(PAGE)

    def test_not_a_duplicate_dismisses_the_pair(self, as_alice, alice):
        _pair(alice, "jens@x.dk")
        _found()
        pair = PossibleDuplicate.objects.get()
        url = reverse("leads:dismiss_duplicate", args=[pair.pk])
        response = as_alice.post(url, {"next": PAGE})
        assert response.status_code == 302 and response.url == PAGE
        pair.refresh_from_db()
        assert pair.dismissed_by == alice
        assert as_alice.get(PAGE).context["rows"] == []
        _found()
        assert as_alice.get(PAGE).context["rows"] == []

    def test_another_teams_pair_is_a_404(self, client, alice, carol):
        _pair(carol, "south@x.dk")
        _found()
        pair = PossibleDuplicate.objects.get()
        client.force_login(alice)
        response = client.post(reverse("leads:dismiss_duplicate", args=[pair.pk]))
        assert response.status_code == 404
        pair.refresh_from_db()
        assert pair.dismissed_at is None

    def test_a_get_is_refused(self, as_alice):
        response = as_alice.get(reverse("leads:dismiss_duplicate", args=[1]))
        assert response.status_code == 405


class TestThePanel:
    def test_the_lead_page_shows_its_possible_duplicates(self, as_alice, alice):
        a, b = _pair(alice, "jens@x.dk")
        _found()
        body = as_alice.get(reverse("leads:detail", args=[a.pk])).content.decode()
        assert 'data-testid="duplicates-panel"' in body
        assert "Possible duplicate (1)" in body
        assert reverse("leads:detail", args=[b.pk]) in body

    def test_hidden_when_none(self, as_alice, alice):
        lead = make_lead(owner=alice, email="alone@x.dk")
        _found()
        body = as_alice.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        assert 'data-testid="duplicates-panel"' not in body

    def test_the_list_links_to_the_page(self, as_alice):
        assert PAGE in as_alice.get(reverse("leads:list")).content.decode()
