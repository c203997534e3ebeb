"""The leads' "Possible duplicates" page and panel (crm/duplicate_views.py): stored pairs whose
two leads the user sees, newest first, with the reason, a Merge link and "Not a duplicate";
the Dismissed view with Restore (who dismissed, or an administrator); fixed query counts."""

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


class TestEditRights:
    """A teammate's lead is visible but not editable: no Merge, no "Not a duplicate"."""

    def test_no_merge_or_dismiss_for_a_pair_with_a_lead_the_user_cannot_edit(
        self, as_alice, alice, bob
    ):
        a, b = _pair(alice, "team@x.dk", other_owner=bob)
        _found()
        response = as_alice.get(PAGE)
        (row,) = response.context["rows"]
        assert row["pair"].can_edit is False
        body = response.content.decode()
        assert 'data-testid="merge-pair"' not in body
        assert 'data-testid="dismiss-pair"' not in body
        detail = as_alice.get(reverse("leads:detail", args=[a.pk])).content.decode()
        assert 'data-testid="duplicates-panel"' in detail
        assert reverse("leads:merge") + f"?ids={a.pk},{b.pk}" not in detail

    def test_dismissing_such_a_pair_is_refused(self, as_alice, alice, bob):
        _pair(alice, "team@x.dk", other_owner=bob)
        _found()
        pair = PossibleDuplicate.objects.get()
        response = as_alice.post(reverse("leads:dismiss_duplicate", args=[pair.pk]), follow=True)
        assert "Only someone who may change both records can dismiss this pair." in (
            response.content.decode()
        )
        pair.refresh_from_db()
        assert pair.dismissed_at is None

    def test_the_manager_may_merge_and_dismiss_their_members_pair(self, as_manager, alice, bob):
        _pair(alice, "team@x.dk", other_owner=bob)
        _found()
        body = as_manager.get(PAGE).content.decode()
        assert 'data-testid="merge-pair"' in body and 'data-testid="dismiss-pair"' in body


def test_leads_are_named_by_person_and_company(as_alice, alice):
    a = make_lead(
        owner=alice,
        topic="Big order",
        first_name="Anna",
        last_name="Jensen",
        company_name="Nordic Foods",
        email="anna@nf.dk",
        business_phone="",
    )
    make_lead(
        owner=alice,
        topic="Other topic",
        email="anna@nf.dk",
        business_phone="",
        first_name="",
        last_name="",
        company_name="",
    )
    _found()
    body = as_alice.get(PAGE).content.decode()
    assert "Anna Jensen (Nordic Foods)" in body
    assert "Other topic" in body  # no person or company: the topic
    assert ">Big order</a>" not in body  # named by the person, not by the topic
    # The topic is compared with the other fields, and a row whose values differ is marked.
    assert '<tr class="duplicate-differs" data-testid="differs"><th scope="row">Topic</th>' in body
    assert "<td>Big order</td><td>Other topic</td>" in body
    detail = as_alice.get(reverse("leads:detail", args=[a.pk])).content.decode()
    assert "Other topic" in detail


DISMISSED = {"view": "dismissed"}


def _dismissed(user, email, *, owner, other_owner=None):
    """A pair found, then dismissed by `user` through the service."""
    a, b = _pair(owner, email, other_owner=other_owner or owner)
    _found()
    pair = PossibleDuplicate.objects.get(record_id=min(a.pk, b.pk), other_id=max(a.pk, b.pk))
    return duplicate_finder.dismiss_pair(user=user, pair=pair)


class TestTheDismissedView:
    def test_lists_the_dismissed_pairs_newest_dismissal_first_with_who_and_when(
        self, as_alice, alice
    ):
        first = _dismissed(alice, "one@x.dk", owner=alice)
        second = _dismissed(alice, "two@x.dk", owner=alice)
        _pair(alice, "open@x.dk")
        _found()
        response = as_alice.get(PAGE, DISMISSED)
        assert response.status_code == 200
        assert [row["pair"].pk for row in response.context["rows"]] == [second.pk, first.pk]
        body = response.content.decode()
        assert f"dismissed by {alice}" in body
        assert body.count('data-testid="restore-pair"') == 2
        assert 'data-testid="merge-pair"' not in body
        assert 'data-testid="dismiss-pair"' not in body
        open_rows = as_alice.get(PAGE).context["rows"]
        assert [row["pair"].other.email for row in open_rows] == ["open@x.dk"]

    def test_only_pairs_whose_two_leads_the_user_sees(self, client, alice, carol):
        _dismissed(carol, "south@x.dk", owner=carol)
        client.force_login(alice)
        assert client.get(PAGE, DISMISSED).context["rows"] == []
        client.force_login(carol)
        assert len(client.get(PAGE, DISMISSED).context["rows"]) == 1

    def test_the_tabs_link_the_two_views(self, as_alice):
        body = as_alice.get(PAGE).content.decode()
        assert '?view=dismissed"' in body and 'data-testid="dismissed-tab"' in body
        empty = as_alice.get(PAGE, DISMISSED).content.decode()
        assert "No dismissed pairs." in empty

    def test_paginated(self, as_alice, alice):
        for n in range(27):
            _dismissed(alice, f"p{n}@x.dk", owner=alice)
        page = as_alice.get(PAGE, DISMISSED).context["page"]
        assert len(page.object_list) == 25 and page.has_next()

    def test_the_same_fixed_number_of_queries_as_the_open_list(
        self, as_alice, alice, django_assert_num_queries
    ):
        _dismissed(alice, "a@x.dk", owner=alice)
        as_alice.get(PAGE, DISMISSED)  # session, scope warmed like every page
        # As the open list's 7, the dismissing user joined to the page's pairs.
        with django_assert_num_queries(7) as captured:
            as_alice.get(PAGE, DISMISSED)
        for n in range(4):
            _dismissed(alice, f"more{n}@x.dk", owner=alice)
        with django_assert_num_queries(len(captured)):
            as_alice.get(PAGE, DISMISSED)


class TestRestore:
    def test_who_dismissed_a_pair_restores_it_to_the_open_list(self, as_alice, alice):
        pair = _dismissed(alice, "jens@x.dk", owner=alice)
        url = reverse("leads:restore_duplicate", args=[pair.pk])
        response = as_alice.post(url, {"next": PAGE + "?view=dismissed"})
        assert response.status_code == 302 and response.url == PAGE + "?view=dismissed"
        pair.refresh_from_db()
        assert pair.dismissed_at is None and pair.dismissed_by is None
        assert [row["pair"].pk for row in as_alice.get(PAGE).context["rows"]] == [pair.pk]
        assert as_alice.get(PAGE, DISMISSED).context["rows"] == []
        _found()  # the finder keeps it open
        assert [row["pair"].pk for row in as_alice.get(PAGE).context["rows"]] == [pair.pk]

    def test_refused_for_another_rep(self, client, alice, bob, manager):
        """Bob sees his teammate's pair (dismissed by their manager) but may not restore it."""
        pair = _dismissed(manager, "team@x.dk", owner=alice, other_owner=bob)
        client.force_login(bob)
        body = client.get(PAGE, DISMISSED).content.decode()
        assert f'data-pair="{pair.pk}"' in body
        assert 'data-testid="restore-pair"' not in body
        url = reverse("leads:restore_duplicate", args=[pair.pk])
        response = client.post(url, follow=True)
        assert (
            "Only the person who dismissed this pair or an administrator can restore it."
            in response.content.decode()
        )
        pair.refresh_from_db()
        assert pair.dismissed_by == manager and pair.dismissed_at is not None

    def test_an_administrator_restores_anyones_dismissal(self, as_admin, alice):
        pair = _dismissed(alice, "jens@x.dk", owner=alice)
        body = as_admin.get(PAGE, DISMISSED).content.decode()
        assert 'data-testid="restore-pair"' in body
        as_admin.post(reverse("leads:restore_duplicate", args=[pair.pk]))
        pair.refresh_from_db()
        assert pair.dismissed_at is None

    def test_another_teams_pair_is_a_404(self, client, alice, carol):
        pair = _dismissed(carol, "south@x.dk", owner=carol)
        client.force_login(alice)
        response = client.post(reverse("leads:restore_duplicate", args=[pair.pk]))
        assert response.status_code == 404
        pair.refresh_from_db()
        assert pair.dismissed_at is not None

    def test_an_open_pair_is_a_404(self, as_alice, alice):
        _pair(alice, "jens@x.dk")
        _found()
        pair = PossibleDuplicate.objects.get()
        assert as_alice.post(reverse("leads:restore_duplicate", args=[pair.pk])).status_code == 404

    def test_a_get_is_refused(self, as_alice):
        response = as_alice.get(reverse("leads:restore_duplicate", args=[1]))
        assert response.status_code == 405

    def test_restoring_twice_changes_nothing(self, alice):
        pair = _dismissed(alice, "jens@x.dk", owner=alice)
        duplicate_finder.restore_pair(user=alice, pair=pair)
        again = duplicate_finder.restore_pair(user=alice, pair=pair)
        assert again.dismissed_at is None and again.dismissed_by is None
