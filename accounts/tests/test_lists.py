"""The account and contact lists as the lead list: sortable column headers (aria-sort), a
total count, a page size choice, Yes/No filters that say "Any"."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory, ContactFactory


def _names(response):
    return [account.name for account in response.context["page"]]


def _header(response, label):
    """The <th> of the column whose link reads `label` (with its arrow, if any)."""
    match = re.search(
        rf"<th[^>]*><a href=\"([^\"]*)\">{label}(\u00a0[▲▼])?</a></th>", response.text
    )
    assert match, f"no sortable header {label!r}"
    return match.group(0), match.group(1).replace("&amp;", "&")


def test_the_account_headers_sort_and_say_which_way(as_alice, alice):
    AccountFactory(owner_user=alice, name="Alpha", city="Vejle")
    AccountFactory(owner_user=alice, name="Beta", city="Aarhus")
    url = reverse("accounts:account_list")
    response = as_alice.get(url)
    # The default order is by name: its header says so, and sorts descending next.
    th, link = _header(response, "Name")
    assert 'aria-sort="ascending"' in th and link == "?ordering=-name"
    th, link = _header(response, "City")
    assert "aria-sort" not in th and link == "?ordering=city"

    response = as_alice.get(url + link)
    assert _names(response) == ["Beta", "Alpha"]
    th, link = _header(response, "City")
    assert 'aria-sort="ascending"' in th and link == "?ordering=-city"
    assert "aria-sort" not in _header(response, "Name")[0]

    response = as_alice.get(url + link)
    assert _names(response) == ["Alpha", "Beta"]
    assert 'aria-sort="descending"' in _header(response, "City")[0]


def test_a_header_link_keeps_the_filters_and_goes_back_to_the_first_page(as_alice, alice):
    AccountFactory.create_batch(30, owner_user=alice, city="Odense")
    response = as_alice.get(
        reverse("accounts:account_list"), {"q": "odense", "page": 2, "per_page": 25}
    )
    _th, link = _header(response, "City")
    assert link == "?q=odense&per_page=25&ordering=city"


def test_the_account_list_counts_and_offers_page_sizes(as_alice, alice):
    AccountFactory.create_batch(30, owner_user=alice)
    AccountFactory(owner_user=alice, is_active=False)
    url = reverse("accounts:account_list")
    response = as_alice.get(url)
    assert len(response.context["page"]) == 25
    assert "30 accounts" in response.text  # the active ones, as the list shows
    assert "Page 1 of 2" in response.text
    assert re.search(r'<a href="\?per_page=25" aria-current="true"', response.text)

    response = as_alice.get(url, {"per_page": 50})
    assert len(response.context["page"]) == 30
    assert 'aria-current="true" class="fw-bold">50</a>' in response.text
    assert "Page 1 of" not in response.text  # one page: no pager
    # Filtering keeps the page size.
    assert '<input type="hidden" name="per_page" value="50">' in response.text

    # A size not offered is the default.
    assert len(as_alice.get(url, {"per_page": 7}).context["page"]) == 25


def test_one_account_is_counted_in_the_singular(as_alice, alice):
    AccountFactory(owner_user=alice)
    assert "1 account ·" in as_alice.get(reverse("accounts:account_list")).text


def test_the_last_page_link_opens_the_last_page(as_alice, alice):
    for n in range(1, 53):
        AccountFactory(owner_user=alice, name=f"Account {n:02}")
    response = as_alice.get(reverse("accounts:account_list"), {"page": "last"})
    assert _names(response) == ["Account 51", "Account 52"]
    assert "Page 3 of 3" in response.text


@pytest.mark.parametrize("url_name", ["accounts:account_list", "accounts:contact_list"])
def test_the_yes_no_filters_say_any(as_alice, url_name):
    text = as_alice.get(reverse(url_name)).text
    for name in ("is_active", "mine"):
        select = re.search(rf'<select name="{name}".*?</select>', text, re.S).group(0)
        options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
        assert options == ["Any", "Yes", "No"]
    assert "Unknown" not in text


def test_the_contact_headers_sort_by_name_and_count(as_alice, alice):
    for first, last in (("Bo", "Jensen"), ("Anna", "Jensen"), ("Carl", "Andersen")):
        ContactFactory(owner_user=alice, first_name=first, last_name=last)
    url = reverse("accounts:contact_list")
    response = as_alice.get(url)
    full_names = lambda response: [c.full_name for c in response.context["page"]]  # noqa: E731
    assert full_names(response) == ["Carl Andersen", "Anna Jensen", "Bo Jensen"]
    assert "3 contacts" in response.text
    th, link = _header(response, "Name")
    assert 'aria-sort="ascending"' in th
    response = as_alice.get(url + link)
    assert full_names(response) == ["Bo Jensen", "Anna Jensen", "Carl Andersen"]
    assert 'aria-sort="descending"' in _header(response, "Name")[0]


def test_contacts_are_not_sorted_by_their_accounts_name(as_alice, alice):
    """A joined table's column reads no index of the contacts (issue 14): not offered, and an
    old link's ?ordering=account shows the default order."""
    alpha = AccountFactory(owner_user=alice, name="Alpha")
    zeta = AccountFactory(owner_user=alice, name="Zeta")
    ContactFactory(owner_user=alice, last_name="Berg", account=alpha)
    ContactFactory(owner_user=alice, last_name="Ahl", account=zeta)
    response = as_alice.get(reverse("accounts:contact_list"), {"ordering": "account"})
    assert response.status_code == 200
    assert [c.last_name for c in response.context["page"]] == ["Ahl", "Berg"]
    assert 'value="account"' not in response.text


@pytest.mark.parametrize("rows", [1, 120])
def test_the_account_list_query_count_does_not_grow_with_the_page_size(
    as_alice, alice, rows, django_assert_num_queries
):
    AccountFactory.create_batch(rows, owner_user=alice)
    # session, user, navbar's sales-manager check, count, the page's ids, the page's rows
    with django_assert_num_queries(6):
        response = as_alice.get(reverse("accounts:account_list"), {"per_page": 100})
    assert len(response.context["page"]) == min(rows, 100)


@pytest.mark.parametrize(("choice", "expected"), [("", 3), ("true", 1), ("false", 2)])
def test_only_mine_any_yes_and_no_give_all_mine_and_the_others(
    as_alice, alice, bob, north, choice, expected
):
    AccountFactory(owner_user=alice, name="Mine")
    AccountFactory(owner_user=bob, name="Bob's")
    AccountFactory(owner_user=None, owner_team=north, name="Queue")
    response = as_alice.get(reverse("accounts:account_list"), {"mine": choice})
    names = _names(response)
    assert len(names) == expected
    assert ("Mine" in names) == (choice != "false")
