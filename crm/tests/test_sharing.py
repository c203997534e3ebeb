"""Sharing a record with a user or a team (issue 21): it joins the one visibility query, is
listed on the record and on its timeline, can be ended, and is kept in its history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from accounts.tests.factories import AccountFactory
from crm.errors import DomainError
from crm.models import Share, forget_scope
from crm.services import revoke_share, share_record
from leads.models import Lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(alice):
    return make_lead(owner=alice, last_name="Sharedsen", company_name="Delt A/S")


def _fresh(user):
    forget_scope(user)
    return user


def test_a_lead_shared_for_reading_is_seen_but_not_changed(alice, carol, lead):
    assert not Lead.objects.visible_to(carol).filter(pk=lead.pk).exists()
    share_record(record=lead, by=alice, user=carol)
    carol = _fresh(carol)
    assert Lead.objects.visible_to(carol).filter(pk=lead.pk).exists()
    assert not Lead.objects.editable_by(carol).filter(pk=lead.pk).exists()
    # Other kinds are untouched by a lead's share.
    AccountFactory(owner_user=alice, name="Not shared")
    assert not Account.objects.visible_to(carol).exists()


def test_write_access_lets_the_user_change_it_and_revoking_ends_both(alice, carol, lead):
    share = share_record(record=lead, by=alice, user=carol, access=Share.Access.WRITE)
    assert Lead.objects.editable_by(_fresh(carol)).filter(pk=lead.pk).exists()
    revoke_share(share=share, by=alice)
    carol = _fresh(carol)
    assert not Lead.objects.visible_to(carol).filter(pk=lead.pk).exists()
    share.refresh_from_db()
    assert share.revoked_by == alice and share.revoked_at is not None


def test_a_write_share_changes_the_record_but_does_not_give_it_away(alice, carol, lead):
    from crm.services import update_record
    from leads.services import assign_lead, update_lead

    share_record(record=lead, by=alice, user=carol, access=Share.Access.WRITE)
    carol = _fresh(carol)
    update_lead(lead=lead, user=carol, data={"topic": "Changed by Carol"})
    with pytest.raises(DomainError, match="shared with you"):
        assign_lead(lead=lead, user=carol, owner=carol)
    account = AccountFactory(owner_user=alice, name="Delt A/S")
    share_record(record=account, by=alice, user=carol, access=Share.Access.WRITE)
    carol = _fresh(carol)
    with pytest.raises(DomainError, match="shared with you"):
        update_record(account, user=carol, data={"owner": carol})
    lead.refresh_from_db()
    account.refresh_from_db()
    assert (lead.topic, lead.owner, account.owner) == ("Changed by Carol", alice, alice)


def test_a_team_share_reaches_every_member_of_the_team(alice, carol, lead, south):
    share_record(record=lead, by=alice, team=south)
    assert Lead.objects.visible_to(_fresh(carol)).filter(pk=lead.pk).exists()


def test_sharing_again_changes_the_access_of_the_one_share(alice, carol, lead):
    first = share_record(record=lead, by=alice, user=carol)
    again = share_record(record=lead, by=alice, user=carol, access=Share.Access.WRITE)
    assert first.pk == again.pk
    assert Share.objects.of(lead).active().count() == 1
    assert list(again.history.values_list("access", flat=True)) == ["write", "read"]


def test_only_the_owner_their_manager_or_an_administrator_may_share(
    alice, bob, carol, manager, admin_user, lead
):
    with pytest.raises(DomainError):
        share_record(record=lead, by=bob, user=carol)  # a teammate sees it but does not own it
    share_record(record=lead, by=manager, user=carol)
    share_record(record=lead, by=admin_user, user=bob, access=Share.Access.WRITE)
    assert Share.objects.of(lead).active().count() == 2


def test_visibility_stays_one_query_with_shares(alice, carol, lead):
    share_record(record=lead, by=alice, user=carol)
    carol = _fresh(carol)
    assert not carol.is_administrator  # read with the user on a request (crm/backends.py)
    with CaptureQueriesContext(connection) as captured:
        assert list(Lead.objects.visible_to(carol).values_list("pk", flat=True)) == [lead.pk]
    # The scope (memberships and shares in one UNION) and the leads.
    assert len(captured) == 2
    assert "UNION" in captured[0]["sql"].upper()


def test_without_shares_the_lead_query_is_what_it_was(alice):
    alice = _fresh(alice)
    sql = str(Lead.objects.visible_to(alice).query)
    assert "crm_share" not in sql
    # Owner teams and teammates, as literal lists (one array each on PostgreSQL: crm.lib.any_of).
    literal = "= ANY(" if connection.vendor == "postgresql" else " IN ("
    assert sql.count(literal) == 2


def test_the_shared_user_reaches_the_lead_page_and_sees_the_share_on_it(
    client, alice, carol, lead
):
    client.force_login(carol)
    assert client.get(lead.get_absolute_url()).status_code == 404
    share_record(record=lead, by=alice, user=carol)
    response = client.get(lead.get_absolute_url())
    assert response.status_code == 200
    assert "Sharedsen" in response.text
    assert 'data-testid="shares-panel"' in response.text
    assert 'data-testid="share-record"' not in response.text  # carol may not share it on
    # The edit page is for writers.
    assert client.get(reverse("leads:edit", args=[lead.pk])).status_code in (403, 404)


def test_the_owner_shares_through_the_page_and_it_is_on_the_timeline(as_alice, alice, carol, lead):
    url = reverse("share", kwargs={"kind": "lead", "pk": lead.pk})
    page = as_alice.get(url)
    assert page.status_code == 200
    assert "Carol Cruz" in page.text
    response = as_alice.post(url, {"target": f"user:{carol.pk}", "access": "write"})
    assert response.status_code == 302
    share = Share.objects.of(lead).get()
    assert (share.user, share.access, share.granted_by) == (carol, "write", alice)
    detail = as_alice.get(lead.get_absolute_url())
    assert 'data-testid="share-item"' in detail.text
    assert 'data-testid="share-entry"' in detail.text  # the timeline
    assert "Carol Cruz" in detail.text


def test_a_teammate_who_does_not_own_it_cannot_share_it(client, bob, carol, lead):
    client.force_login(bob)
    url = reverse("share", kwargs={"kind": "lead", "pk": lead.pk})
    assert client.get(url).status_code == 200  # bob sees who it is shared with
    response = client.post(url, {"target": f"user:{carol.pk}", "access": "read"})
    assert response.status_code == 403
    assert not Share.objects.exists()


def test_another_teams_record_cannot_be_shared_or_its_shares_seen(as_carol, alice, bob, lead):
    url = reverse("share", kwargs={"kind": "lead", "pk": lead.pk})
    assert as_carol.get(url).status_code == 404
    assert as_carol.post(url, {"target": f"user:{bob.pk}", "access": "read"}).status_code == 404
    share = share_record(record=lead, by=alice, user=bob)
    assert as_carol.post(reverse("revoke_share", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.is_active


def test_an_unknown_kind_is_a_404(as_alice, alice):
    assert as_alice.get(f"/share/user/{alice.pk}/").status_code == 404


def test_the_owner_ends_a_share_from_the_share_page(as_alice, alice, carol, lead):
    share = share_record(record=lead, by=alice, user=carol)
    response = as_alice.post(reverse("revoke_share", args=[share.pk]), {"next": "share"})
    assert response.status_code == 302
    assert response["Location"] == reverse("share", kwargs={"kind": "lead", "pk": lead.pk})
    share.refresh_from_db()
    assert not share.is_active
    page = as_alice.get(response["Location"])
    assert "ended" in page.text


def test_a_shared_account_shows_its_activities_to_the_user(alice, carol):
    from activities.models import Note
    from activities.services import add_note

    account = AccountFactory(owner_user=alice, name="Delt Firma")
    add_note(regarding=account, user=alice, text="Pricing agreed")
    share_record(record=account, by=alice, user=carol)
    assert Note.objects.visible_to(_fresh(carol)).filter(text="Pricing agreed").exists()


def test_the_lead_list_has_a_shared_with_me_view(client, alice, carol, lead):
    other = make_lead(owner=alice, last_name="Ikkedelt")
    client.force_login(carol)
    assert "Sharedsen" not in client.get("/leads/?view=shared").text
    share_record(record=lead, by=alice, user=carol)
    response = client.get("/leads/?view=shared")
    assert "Sharedsen" in response.text
    assert other.last_name not in response.text
    assert "Shared with me" in response.text


def test_a_search_in_a_view_without_it_points_to_the_search_of_everything(
    client, alice, carol, lead
):
    share_record(record=lead, by=alice, user=carol)
    client.force_login(carol)
    response = client.get("/leads/", {"q": "Sharedsen"})  # "My open leads": not hers
    assert "No leads match in this view." in response.text
    assert 'href="/search/?q=Sharedsen"' in response.text
    assert "Sharedsen" in client.get("/search/", {"q": "Sharedsen"}).text


def test_the_history_tab_shows_a_share_granted_changed_and_ended(as_alice, alice, carol, lead):
    share = share_record(record=lead, by=alice, user=carol)
    share_record(record=lead, by=alice, user=carol, access=Share.Access.WRITE)
    revoke_share(share=share, by=alice)
    page = as_alice.get(reverse("leads:history", args=[lead.pk])).text
    for text in ("Shared", "Share changed", "Share ended", "Carol Cruz: Read and write"):
        assert text in page


def test_a_card_shared_for_reading_has_no_controls_on_the_board(client, alice, carol, lead):
    share_record(record=lead, by=alice, user=carol)
    client.force_login(carol)
    page = client.get("/leads/board/", {"view": "shared"}).text
    assert lead.display_topic in page
    assert reverse("leads:set_status", args=[lead.pk]) not in page
    assert "data-card " not in page and "data-card>" not in page


def test_a_write_share_offers_no_assign_on_the_lead_page(client, alice, carol, lead):
    share_record(record=lead, by=alice, user=carol, access=Share.Access.WRITE)
    client.force_login(carol)
    page = client.get(lead.get_absolute_url()).text
    assert reverse("leads:edit", args=[lead.pk]) in page  # she may change it
    assert reverse("leads:assign", args=[lead.pk]) not in page
    client.force_login(alice)
    assert reverse("leads:assign", args=[lead.pk]) in client.get(lead.get_absolute_url()).text
