"""The contacts' and accounts' "Possible duplicates" pages and panels (crm/duplicate_views.py):
visible pairs only, a Merge link to the merge page, "Not a duplicate", fixed queries."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory, ContactFactory
from crm import duplicate_finder
from crm.models import PossibleDuplicate

pytestmark = pytest.mark.django_db

ACCOUNTS = reverse("accounts:account_duplicates")
CONTACTS = reverse("accounts:contact_duplicates")


def _found():
    for label in ("accounts.account", "accounts.contact"):
        duplicate_finder.refresh(label, full=True)


def test_account_pairs_with_merge_link_and_panel(as_alice, alice):
    a = AccountFactory(owner_user=alice, name="Zylo", email="info@zylo.dk")
    b = AccountFactory(owner_user=alice, name="Other", email="info@zylo.dk")
    _found()
    body = as_alice.get(ACCOUNTS).content.decode()
    assert "Same e-mail address" in body
    assert reverse("accounts:merge_accounts") + f"?ids={a.pk},{b.pk}" in body
    detail = as_alice.get(reverse("accounts:account_detail", args=[a.pk])).content.decode()
    assert 'data-testid="duplicates-panel"' in detail
    assert ACCOUNTS in as_alice.get(reverse("accounts:account_list")).content.decode()


def test_contact_pairs_only_when_both_are_visible(client, alice, carol):
    ContactFactory(owner_user=alice, email="p@x.dk")
    ContactFactory(owner_user=carol, email="p@x.dk")
    a = ContactFactory(owner_user=carol, email="q@x.dk")
    b = ContactFactory(owner_user=carol, email="q@x.dk")
    _found()
    client.force_login(alice)
    assert client.get(CONTACTS).context["rows"] == []
    client.force_login(carol)
    rows = client.get(CONTACTS).context["rows"]
    assert [(row["pair"].record, row["pair"].other) for row in rows] == [(a, b)]
    assert (
        reverse("accounts:merge_contacts") + f"?ids={a.pk},{b.pk}"
        in client.get(CONTACTS).content.decode()
    )
    assert CONTACTS in client.get(reverse("accounts:contact_list")).content.decode()


def test_not_a_duplicate_and_404_for_another_team(client, alice, carol):
    ContactFactory(owner_user=carol, email="q@x.dk")
    ContactFactory(owner_user=carol, email="q@x.dk")
    _found()
    pair = PossibleDuplicate.objects.get()
    url = reverse("accounts:contact_dismiss_duplicate", args=[pair.pk])
    client.force_login(alice)
    assert client.post(url).status_code == 404
    client.force_login(carol)
    assert client.post(url).status_code == 302
    pair.refresh_from_db()
    assert pair.dismissed_by == carol


def test_the_page_runs_a_fixed_number_of_queries(as_alice, alice, django_assert_num_queries):
    account = AccountFactory(owner_user=alice)
    ContactFactory(owner_user=alice, email="p@x.dk", account=account)
    ContactFactory(owner_user=alice, email="p@x.dk", account=account)
    _found()
    as_alice.get(CONTACTS)
    with django_assert_num_queries(7) as captured:
        as_alice.get(CONTACTS)
    for n in range(3):
        ContactFactory(owner_user=alice, email=f"m{n}@x.dk", account=account)
        ContactFactory(
            owner_user=alice, email=f"m{n}@x.dk", account=AccountFactory(owner_user=alice)
        )
    _found()
    with django_assert_num_queries(len(captured)):
        as_alice.get(CONTACTS)


def test_a_dismissed_contact_pair_is_listed_and_restored(as_carol, carol):
    ContactFactory(owner_user=carol, email="q@x.dk")
    ContactFactory(owner_user=carol, email="q@x.dk")
    _found()
    pair = duplicate_finder.dismiss_pair(user=carol, pair=PossibleDuplicate.objects.get())
    assert as_carol.get(CONTACTS).context["rows"] == []
    rows = as_carol.get(CONTACTS, {"view": "dismissed"}).context["rows"]
    assert [row["pair"].pk for row in rows] == [pair.pk]
    response = as_carol.post(reverse("accounts:contact_restore_duplicate", args=[pair.pk]))
    assert response.status_code == 302 and response.url == CONTACTS + "?view=dismissed"
    assert [row["pair"].pk for row in as_carol.get(CONTACTS).context["rows"]] == [pair.pk]
