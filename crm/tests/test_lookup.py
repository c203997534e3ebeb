"""Lookups (crm/lookup.py): forms list no records, the search is scoped and capped, and a
posted id of a record the user cannot see is refused."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from crm.lookup import LOOKUP_LIMIT
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory


def _lookup(client, kind="account", **params):
    return client.get(reverse("lookup", kwargs={"kind": kind}), {"name": "account", **params})


def _radio_values(html, name="account"):
    return re.findall(rf'type="radio" name="{name}" value="(\d*)"', html)


def _make_accounts(owner, count, **fields):
    Account.objects.bulk_create(
        Account(owner_user=owner, name=f"Company {n}", name_key=f"company {n}", **fields)
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("url_name", "field"),
    [("accounts:contact_create", "account"), ("opportunities:create", "account")],
)
def test_the_form_page_does_not_grow_with_the_number_of_accounts(as_alice, alice, url_name, field):
    def page():
        with CaptureQueriesContext(connection) as queries:
            html = as_alice.get(reverse(url_name)).content.decode()
        return html, len(queries)

    _make_accounts(alice, 3)
    small, small_queries = page()
    _make_accounts(alice, 300)
    large, large_queries = page()
    assert "data-lookup-search" in large
    assert "Company 150" not in large
    assert _radio_values(large, field) == [""]  # only "none": no account is listed
    assert large_queries == small_queries
    assert len(large) == len(small)


def test_the_endpoint_finds_at_most_the_limit_of_visible_records(as_alice, alice, carol):
    _make_accounts(alice, LOOKUP_LIMIT + 5, city="Aarhus")
    theirs = AccountFactory(owner_user=carol, name="Company Hidden")
    html = _lookup(as_alice, account__search="company").content.decode()
    values = _radio_values(html)
    assert len(values) == LOOKUP_LIMIT
    assert str(theirs.pk) not in values
    assert "Company Hidden" not in html
    assert "type more to narrow" in html


def test_the_endpoint_matches_every_typed_word_in_name_city_or_e_mail(as_alice, alice):
    nordlys = AccountFactory(owner_user=alice, name="Nordlys Energi", city="Aarhus")
    AccountFactory(owner_user=alice, name="Nordlys Bank", city="Odense")
    html = _lookup(as_alice, account__search="nordlys aarhus").content.decode()
    assert _radio_values(html) == [str(nordlys.pk)]
    assert "No match" in _lookup(as_alice, account__search="zzz").content.decode()


def test_another_teams_account_is_never_offered_even_when_sent_as_chosen(as_alice, carol):
    theirs = AccountFactory(owner_user=carol, name="Southern Secret")
    html = _lookup(as_alice, account=theirs.pk, account__search="southern").content.decode()
    assert "Southern Secret" not in html
    assert _radio_values(html) == []


def test_the_chosen_record_stays_first_and_checked_while_searching(as_alice, alice):
    chosen = AccountFactory(owner_user=alice, name="Chosen One")
    other = AccountFactory(owner_user=alice, name="Other One")
    html = _lookup(as_alice, account=chosen.pk, account__search="one", optional="1")
    html = html.content.decode()
    assert _radio_values(html) == ["", str(chosen.pk), str(other.pk)]
    assert re.search(rf'value="{chosen.pk}" id="[^"]+" checked', html)


def test_contacts_and_open_opportunities_are_looked_up_too(as_alice, alice):
    anna = ContactFactory(owner_user=alice, first_name="Anna", last_name="Hansen")
    ContactFactory(owner_user=alice, first_name="Anna", last_name="Gone", is_active=False)
    deal = OpportunityFactory(owner_user=alice, account=AccountFactory(owner_user=alice))
    contacts = _lookup(as_alice, "contact", name="contact", contact__search="anna")
    assert _radio_values(contacts.content.decode(), "contact") == [str(anna.pk)]
    found = _lookup(as_alice, "opportunity", name="deal", deal__search=deal.topic.split()[0])
    assert str(deal.pk) in _radio_values(found.content.decode(), "deal")


def test_leads_are_looked_up_in_their_search_index_by_topic_name_or_phone(as_alice, alice):
    """The merge page's "Merge with…" picker: a lead found by whatever the list's search
    finds it by (its topic, the person's name, a phone number), not only name and e-mail."""
    wanted = make_lead(
        owner=alice,
        topic="Solar panels for Åbyhøj",
        last_name="Sørensen",
        mobile_phone="+45 20 11 22 33",
    )
    make_lead(owner=alice, topic="Heat pumps", last_name="Holm")
    for typed in ("solar åbyhøj", "sorensen", "20112233"):
        found = _lookup(as_alice, "lead", name="add", add__search=typed)
        assert _radio_values(found.content.decode(), "add") == [str(wanted.pk)], typed


def test_the_endpoint_needs_a_login_and_a_known_kind(as_alice):
    assert _lookup(Client(), account__search="a").status_code == 302
    assert _lookup(as_alice, "nothing").status_code == 404
    bad = as_alice.get(reverse("lookup", kwargs={"kind": "account"}), {"name": '"><b'})
    assert bad.status_code == 400


def test_a_posted_id_of_an_invisible_account_is_refused(as_alice, alice, carol):
    theirs = AccountFactory(owner_user=carol, name="Southern Secret")
    response = as_alice.post(
        reverse("accounts:contact_create"),
        {"last_name": "Larsen", "account": theirs.pk, "owner": f"user:{alice.pk}",
         "preferred_contact_method": 1},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Not found: choose a record you can see." in response.content.decode()
    assert not Contact.objects.filter(last_name="Larsen").exists()


def test_the_lead_link_form_refuses_an_invisible_account(as_alice, alice, carol):
    lead = make_lead(owner=alice)
    theirs = AccountFactory(owner_user=carol)
    response = as_alice.post(reverse("leads:link", kwargs={"pk": lead.pk}), {"account": theirs.pk})
    assert response.status_code == 302
    assert not lead.links.exists()


def test_the_chosen_account_round_trips_without_script(as_alice, alice):
    acme = AccountFactory(owner_user=alice, name="Acme Chosen")
    anna = ContactFactory(owner_user=alice, account=acme)
    html = as_alice.get(reverse("accounts:contact_edit", kwargs={"pk": anna.pk})).content.decode()
    assert re.search(rf'name="account" value="{acme.pk}" id="[^"]+" checked', html)
    assert "Acme Chosen" in html


def test_the_opportunity_form_does_not_list_every_contact(as_alice, alice):
    """Neither the customer contact nor the contact person lists the visible contacts."""

    def page():
        return as_alice.get(reverse("opportunities:create")).content.decode()

    small = page()
    Contact.objects.bulk_create(
        Contact(owner_user=alice, first_name="Person", last_name=f"Number {n}") for n in range(200)
    )
    large = page()
    assert "Number 150" not in large
    assert _radio_values(large, "parent_contact") == [""]
    assert len(large) == len(small)
