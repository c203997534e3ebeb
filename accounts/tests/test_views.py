import pytest
from django.urls import reverse

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from crm.services import update_record
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory


def _account_form(**overrides):
    data = {
        "name": "Nordlys Energi A/S",
        "owner": "",
        "phone": "",
        "email": "",
        "website": "",
        "preferred_contact_method": 1,
    }
    return {**data, **overrides}


# --- accounts: list -----------------------------------------------------------------------


def test_the_account_list_shows_visible_accounts_only(as_alice, alice, bob, carol):
    AccountFactory(owner_user=alice, name="Alice Acme")
    AccountFactory(owner_user=bob, name="Bob Bakery")
    AccountFactory(owner_user=carol, name="Carol Cafe")
    response = as_alice.get(reverse("accounts:account_list"))
    assert response.status_code == 200
    assert "Alice Acme" in response.text and "Bob Bakery" in response.text
    assert "Carol Cafe" not in response.text


def test_the_account_list_filters_searches_and_sorts(as_alice, alice):
    AccountFactory(owner_user=alice, name="Beta", city="Aarhus", industry=7)
    AccountFactory(owner_user=alice, name="Alpha", city="Odense", industry=16)
    AccountFactory(owner_user=alice, name="Gone", is_active=False)
    url = reverse("accounts:account_list")
    names = lambda response: [a.name for a in response.context["page"]]  # noqa: E731
    assert names(as_alice.get(url)) == ["Alpha", "Beta"]
    # Sorting (or paging) keeps the active-only default; "any" shows the inactive too.
    assert names(as_alice.get(url, {"ordering": "-name"})) == ["Beta", "Alpha"]
    assert names(as_alice.get(url, {"ordering": "-name", "is_active": ""})) == [
        "Gone",
        "Beta",
        "Alpha",
    ]
    assert names(as_alice.get(url, {"industry": 7})) == ["Beta"]
    assert names(as_alice.get(url, {"q": "odense"})) == ["Alpha"]
    assert names(as_alice.get(url, {"is_active": "false"})) == ["Gone"]


def test_the_account_list_paginates(as_alice, alice):
    AccountFactory.create_batch(30, owner_user=alice)
    response = as_alice.get(reverse("accounts:account_list"), {"page": 2, "is_active": "true"})
    assert len(response.context["page"].object_list) == 5
    assert "Page 2 of 2" in response.text
    # The Previous link keeps the filter (one "?": Django's querystring tag writes it).
    assert 'href="?page=1&amp;is_active=true"' in response.text


def test_a_bad_page_number_shows_the_last_page(as_alice, alice):
    AccountFactory(owner_user=alice)
    response = as_alice.get(reverse("accounts:account_list"), {"page": "999"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_the_account_list_query_count_does_not_grow(
    as_alice, alice, rows, django_assert_num_queries
):
    AccountFactory.create_batch(rows, owner_user=alice)
    # session, user, navbar's sales-manager check,
    # page count (capped), the page's ids, the page's rows (owner joined)
    with django_assert_num_queries(6):
        as_alice.get(reverse("accounts:account_list"))


def test_the_account_list_refuses_post(as_alice):
    assert as_alice.post(reverse("accounts:account_list")).status_code == 405


# --- accounts: detail ---------------------------------------------------------------------


def test_an_account_shows_its_contacts_and_opportunities(as_alice, alice):
    account = AccountFactory(owner_user=alice, name="Acme")
    ContactFactory(owner_user=alice, account=account, first_name="Anna", last_name="Hansen")
    OpportunityFactory(owner_user=alice, account=account, topic="Big deal")
    response = as_alice.get(account.get_absolute_url())
    assert response.status_code == 200
    assert "Anna Hansen" in response.text and "Big deal" in response.text
    assert reverse("accounts:account_edit", args=[account.pk]) in response.text


def test_a_teammate_sees_but_cannot_edit_an_account(client, alice, bob):
    account = AccountFactory(owner_user=alice)
    client.force_login(bob)
    response = client.get(account.get_absolute_url())
    assert response.status_code == 200
    assert reverse("accounts:account_edit", args=[account.pk]) not in response.text


def test_another_teams_account_is_a_404(as_carol, alice):
    account = AccountFactory(owner_user=alice)
    assert as_carol.get(account.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_the_account_detail_query_count_is_fixed(as_alice, alice, rows, django_assert_num_queries):
    account = AccountFactory(owner_user=alice)
    ContactFactory.create_batch(rows, owner_user=alice, account=account)
    OpportunityFactory.create_batch(rows, owner_user=alice, account=account)
    AccountFactory.create_batch(rows, owner_user=alice, parent_account=account)
    as_alice.get(account.get_absolute_url())  # warm process caches (content types)
    # session, user, navbar's sales-manager check,
    # account (+ can_edit, owner, parent, modifier joined; the numbers of contacts,
    # opportunities and child accounts counted in the same query),
    # contacts, opportunities (currency joined), child accounts, the leads panel (leads'
    # record_leads tag: originating leads, lead links, leads from this customer), the
    # activities timeline (count; it reads the originating leads' timelines through in the
    # same query).
    # leads/tests/test_record_leads.py counts the page with 1 and 50 leads.
    # + 1: the possible duplicates panel (crm/duplicate_views.py: duplicates_panel).
    # + 1: the merges into it (the "Merged from" panel, activities/merge_views.py).
    # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
    with django_assert_num_queries(15):
        as_alice.get(account.get_absolute_url())


def test_the_account_detail_refuses_post(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    assert as_alice.post(account.get_absolute_url()).status_code == 405


# --- accounts: create with duplicate check ------------------------------------------------


def test_creating_an_account_stores_it_owned_by_the_user(as_alice, alice):
    response = as_alice.post(
        reverse("accounts:account_create"),
        _account_form(owner=f"user:{alice.pk}", phone="33 88 11 00"),
    )
    account = Account.objects.get()
    assert response.status_code == 302 and response.url == account.get_absolute_url()
    assert account.owner == alice and account.created_by == alice
    assert account.phone == "33 88 11 00"


def test_a_likely_duplicate_is_shown_before_saving(as_alice, alice):
    acme = AccountFactory(owner_user=alice, name="Acme Inc.")
    response = as_alice.post(
        reverse("accounts:account_create"),
        _account_form(name="ACME, Inc", owner=f"user:{alice.pk}"),
    )
    assert response.status_code == 200
    assert "Possible duplicates" in response.text
    assert acme.get_absolute_url() in response.text
    assert "Save anyway" in response.text
    assert Account.objects.count() == 1


def test_save_anyway_creates_the_duplicate(as_alice, alice):
    AccountFactory(owner_user=alice, name="Acme Inc.")
    response = as_alice.post(
        reverse("accounts:account_create"),
        _account_form(name="ACME, Inc", owner=f"user:{alice.pk}", save_anyway="1"),
    )
    assert response.status_code == 302
    assert Account.objects.count() == 2


def test_an_invalid_account_form_shows_errors(as_alice, alice):
    response = as_alice.post(
        reverse("accounts:account_create"), _account_form(name="", owner="user:999999")
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "owner"}


def test_account_create_refuses_put(as_alice):
    assert as_alice.put(reverse("accounts:account_create")).status_code == 405


# --- accounts: edit and lost updates ------------------------------------------------------


def test_editing_an_account_saves_and_bumps_the_version(as_alice, alice):
    account = AccountFactory(owner_user=alice, name="Acme")
    response = as_alice.post(
        reverse("accounts:account_edit", args=[account.pk]),
        _account_form(name="Acme Nordic", owner=f"user:{alice.pk}", expected_version=1),
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.version, account.modified_by) == ("Acme Nordic", 2, alice)


def test_saving_without_a_change_writes_no_version_and_no_history_entry(as_alice, alice):
    account = AccountFactory(owner_user=alice, name="Acme")
    rows = account.history.count()
    url = reverse("accounts:account_edit", args=[account.pk])
    form = as_alice.get(url).context["form"]
    unchanged = {name: form[name].value() for name in form.fields}
    response = as_alice.post(url, {k: "" if v is None else v for k, v in unchanged.items()})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.version == 1
    assert account.history.count() == rows


def test_a_stale_edit_is_refused_naming_who_changed_it(as_alice, alice, manager):
    account = AccountFactory(owner_user=alice, name="Acme")
    update_record(account, user=manager, data={"city": "Aarhus"}, expected_version=1)
    response = as_alice.post(
        reverse("accounts:account_edit", args=[account.pk]),
        _account_form(name="Overwritten?", owner=f"user:{alice.pk}", expected_version=1),
    )
    assert response.status_code == 409
    assert "Maria Manning changed this record" in response.text
    account.refresh_from_db()
    assert (account.name, account.city) == ("Acme", "Aarhus")


def test_a_teammate_cannot_edit_an_account(client, alice, bob):
    account = AccountFactory(owner_user=alice)
    client.force_login(bob)
    # Seen but not changeable: a 403 that says so, as on a lead (another team's is a 404).
    response = client.get(reverse("accounts:account_edit", args=[account.pk]))
    assert response.status_code == 403
    assert "You can see this account but not change it." in response.text


def test_the_manager_can_edit_a_members_account(as_manager, alice):
    account = AccountFactory(owner_user=alice)
    assert as_manager.get(reverse("accounts:account_edit", args=[account.pk])).status_code == 200


def test_account_edit_refuses_delete(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    url = reverse("accounts:account_edit", args=[account.pk])
    assert as_alice.delete(url).status_code == 405


# --- accounts: deactivate -----------------------------------------------------------------


def test_deactivating_an_account(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    response = as_alice.post(reverse("accounts:account_deactivate", args=[account.pk]))
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.is_active


def test_deactivating_an_inactive_account_shows_a_message(as_alice, alice):
    account = AccountFactory(owner_user=alice, is_active=False)
    response = as_alice.post(
        reverse("accounts:account_deactivate", args=[account.pk]), follow=True
    )
    assert "already inactive" in response.text


def test_deactivate_asks_first_and_needs_an_editor(client, alice, carol):
    account = AccountFactory(owner_user=alice)
    url = reverse("accounts:account_deactivate", args=[account.pk])
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200
    assert f'action="{url}"' in page.text and "Deactivate" in page.text
    account.refresh_from_db()
    assert account.is_active
    assert client.put(url).status_code == 405
    client.force_login(carol)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_the_confirmation_warns_about_open_deals(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    contact = ContactFactory(owner_user=alice)
    OpportunityFactory.create_batch(2, owner_user=alice, account=account)
    closed = OpportunityFactory(owner_user=alice, account=account)
    Opportunity.objects.filter(pk=closed.pk).update(
        state=Opportunity.State.WON, status=Opportunity.Status.WON
    )
    OpportunityFactory(owner_user=alice, contact=contact)

    page = as_alice.get(reverse("accounts:account_deactivate", args=[account.pk])).text
    assert "2 open opportunities have this customer. They stay open" in page
    page = as_alice.get(reverse("accounts:contact_deactivate", args=[contact.pk])).text
    assert "1 open opportunity has this customer. It stays open" in page
    quiet = AccountFactory(owner_user=alice)
    page = as_alice.get(reverse("accounts:account_deactivate", args=[quiet.pk])).text
    assert 'data-testid="deactivation-warning"' not in page


def test_an_inactive_account_can_be_activated_again(as_alice, alice):
    account = AccountFactory(owner_user=alice, is_active=False)
    page = as_alice.get(account.get_absolute_url())
    url = reverse("accounts:account_activate", args=[account.pk])
    assert f'action="{url}"' in page.text
    assert "accounts:account_deactivate" not in page.text

    response = as_alice.post(url, follow=True)

    assert "activated" in response.text
    account.refresh_from_db()
    assert (account.is_active, account.version) == (True, 2)
    assert account.modified_by == alice
    again = as_alice.post(url, follow=True)
    assert "already active" in again.text


def test_activate_needs_post_and_an_editor(client, alice, bob, carol):
    account = AccountFactory(owner_user=bob, is_active=False)  # a teammate's: visible only
    url = reverse("accounts:account_activate", args=[account.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    page = client.get(account.get_absolute_url())
    assert page.status_code == 200 and f'action="{url}"' not in page.text
    client.force_login(carol)
    assert client.post(url).status_code == 404
    account.refresh_from_db()
    assert not account.is_active


def test_the_account_page_links_to_all_its_contacts_and_opportunities(
    as_alice, alice, carol, monkeypatch
):
    monkeypatch.setattr("accounts.views.RELATED_LIMIT", 2)
    account = AccountFactory(owner_user=alice, name="Acme")
    ContactFactory.create_batch(3, owner_user=alice, account=account)
    ContactFactory(owner_user=alice, account=account, is_active=False)
    ContactFactory(owner_user=carol, account=account)  # another team's: not counted
    OpportunityFactory.create_batch(3, owner_user=alice, account=account)

    response = as_alice.get(account.get_absolute_url())

    assert len(response.context["contacts"]) == 2
    assert "Showing 2 of 4 contacts: see all" in response.text
    assert "Showing 2 of 3 opportunities: see all" in response.text
    contacts = as_alice.get(
        reverse("accounts:contact_list"), {"account": account.pk, "is_active": ""}
    )
    assert len(contacts.context["page"].object_list) == 4
    assert "Contacts of Acme" in contacts.text
    opportunities = as_alice.get(
        reverse("opportunities:list"), {"account": account.pk, "state": ""}
    )
    assert len(opportunities.context["page"].object_list) == 3


def test_the_account_page_shows_no_see_all_link_within_the_limit(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    ContactFactory.create_batch(2, owner_user=alice, account=account)
    response = as_alice.get(account.get_absolute_url())
    assert 'data-testid="all-contacts"' not in response.text
    assert 'data-testid="child-accounts"' not in response.text


def test_the_account_page_shows_its_child_accounts(as_alice, alice, carol):
    parent = AccountFactory(owner_user=alice, name="Contoso Group")
    AccountFactory(owner_user=alice, name="Contoso Denmark", parent_account=parent)
    AccountFactory(owner_user=alice, name="Contoso Sweden", parent_account=parent, is_active=False)
    AccountFactory(owner_user=carol, name="Contoso Hidden", parent_account=parent)
    AccountFactory(owner_user=alice, name="Unrelated")

    response = as_alice.get(parent.get_absolute_url())

    assert [a.name for a in response.context["children"]] == [
        "Contoso Denmark",
        "Contoso Sweden",
    ]
    assert "Contoso Hidden" not in response.text
    children = as_alice.get(
        reverse("accounts:account_list"), {"parent_account": parent.pk, "is_active": ""}
    )
    assert [a.name for a in children.context["page"]] == ["Contoso Denmark", "Contoso Sweden"]
    assert "Child accounts of Contoso Group" in children.text


# --- contacts -----------------------------------------------------------------------------


def _contact_form(**overrides):
    data = {
        "first_name": "Anna",
        "last_name": "Hansen",
        "email": "",
        "business_phone": "",
        "mobile_phone": "",
        "preferred_contact_method": 1,
    }
    return {**data, **overrides}


@pytest.mark.parametrize("rows", [1, 50])
def test_the_contact_list_query_count_does_not_grow(
    as_alice, alice, rows, django_assert_num_queries
):
    account = AccountFactory(owner_user=alice)
    ContactFactory.create_batch(rows, owner_user=alice, account=account)
    # session, user, navbar's sales-manager check,
    # page count (capped), the page's ids, the page's rows (account and owner joined)
    with django_assert_num_queries(6):
        response = as_alice.get(reverse("accounts:contact_list"))
    assert len(response.context["page"].object_list) == min(rows, 25)


def test_the_contact_list_searches_by_account_and_hides_other_teams(as_alice, alice, carol):
    acme = AccountFactory(owner_user=alice, name="Acme")
    ContactFactory(owner_user=alice, account=acme, first_name="Anna", last_name="Hansen")
    ContactFactory(owner_user=alice, first_name="Peter", last_name="Larsen")
    ContactFactory(owner_user=carol, account=acme, first_name="Carl", last_name="Cruz")
    response = as_alice.get(reverse("accounts:contact_list"), {"q": "acme"})
    assert [c.full_name for c in response.context["page"]] == ["Anna Hansen"]


def test_the_contact_list_refuses_post(as_alice):
    assert as_alice.post(reverse("accounts:contact_list")).status_code == 405


def test_a_contact_shows_its_account_and_opportunities(as_alice, alice):
    acme = AccountFactory(owner_user=alice, name="Acme")
    anna = ContactFactory(owner_user=alice, account=acme)
    OpportunityFactory(owner_user=alice, contact=anna, topic="Anna's deal")
    response = as_alice.get(anna.get_absolute_url())
    assert "Acme" in response.text and "Anna&#x27;s deal" in response.text


@pytest.mark.parametrize("rows", [1, 20])
def test_the_contact_detail_query_count_is_fixed(as_alice, alice, rows, django_assert_num_queries):
    contact = ContactFactory(owner_user=alice, account=AccountFactory(owner_user=alice))
    OpportunityFactory.create_batch(rows, owner_user=alice, contact=contact)
    as_alice.get(contact.get_absolute_url())  # warm process caches (content types)
    # session, user, navbar's sales-manager check,
    # contact (+ can_edit, account, owner, modifier),
    # opportunities (currency joined), the leads panel (leads' record_leads tag:
    # originating leads, lead links, leads from this customer), the activities timeline
    # (count; it reads the originating leads' timelines through in the same query).
    # leads/tests/test_record_leads.py counts the page with 1 and 50 leads.
    # + 1: the possible duplicates panel (crm/duplicate_views.py: duplicates_panel).
    # + 1: the merges into it (the "Merged from" panel, activities/merge_views.py).
    # + 1: the consent records (privacy's "Consent" panel, privacy/panels.py).
    # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
    with django_assert_num_queries(14):
        as_alice.get(contact.get_absolute_url())


def test_another_teams_contact_is_a_404(as_carol, alice):
    contact = ContactFactory(owner_user=alice)
    assert as_carol.get(contact.get_absolute_url()).status_code == 404
    assert as_carol.get(reverse("accounts:contact_edit", args=[contact.pk])).status_code == 404


def test_the_contact_detail_refuses_post(as_alice, alice):
    contact = ContactFactory(owner_user=alice)
    assert as_alice.post(contact.get_absolute_url()).status_code == 405


def test_creating_a_contact_from_its_account_page(as_alice, alice):
    acme = AccountFactory(owner_user=alice)
    url = reverse("accounts:contact_create")
    assert as_alice.get(url, {"account": acme.pk}).context["form"].initial["account"] == acme
    response = as_alice.post(url, _contact_form(account=acme.pk, owner=f"user:{alice.pk}"))
    contact = Contact.objects.get()
    assert response.url == contact.get_absolute_url()
    assert contact.account == acme


def test_a_contact_with_the_same_phone_is_a_possible_duplicate(as_alice, alice):
    ContactFactory(
        owner_user=alice, first_name="Sofie", last_name="Nielsen", business_phone="+45 33 88 11 00"
    )
    response = as_alice.post(
        reverse("accounts:contact_create"),
        _contact_form(owner=f"user:{alice.pk}", mobile_phone="33881100"),
    )
    assert "Possible duplicates" in response.text and "same phone number" in response.text
    assert Contact.objects.count() == 1
    response = as_alice.post(
        reverse("accounts:contact_create"),
        _contact_form(owner=f"user:{alice.pk}", mobile_phone="33881100", save_anyway="1"),
    )
    assert response.status_code == 302
    assert Contact.objects.count() == 2


def test_a_contact_cannot_be_linked_to_another_teams_account(as_alice, alice, carol):
    hidden = AccountFactory(owner_user=carol)
    response = as_alice.post(
        reverse("accounts:contact_create"),
        _contact_form(owner=f"user:{alice.pk}", account=hidden.pk),
    )
    assert "account" in response.context["form"].errors


def test_a_stale_contact_edit_is_refused(as_alice, alice, bob):
    contact = ContactFactory(owner_user=alice, last_name="Hansen")
    update_record(contact, user=alice, data={"job_title": "CFO"}, expected_version=1)
    response = as_alice.post(
        reverse("accounts:contact_edit", args=[contact.pk]),
        _contact_form(owner=f"user:{alice.pk}", last_name="Other", expected_version=1),
    )
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.last_name == "Hansen"


def test_editing_and_deactivating_a_contact(as_alice, alice):
    contact = ContactFactory(owner_user=alice)
    response = as_alice.post(
        reverse("accounts:contact_edit", args=[contact.pk]),
        _contact_form(owner=f"user:{alice.pk}", job_title="CEO", expected_version=1),
    )
    assert response.status_code == 302
    as_alice.post(reverse("accounts:contact_deactivate", args=[contact.pk]))
    contact.refresh_from_db()
    assert (contact.job_title, contact.is_active, contact.version) == ("CEO", False, 3)


def test_an_inactive_contact_can_be_activated_again(client, alice, carol):
    contact = ContactFactory(owner_user=alice, is_active=False)
    url = reverse("accounts:contact_activate", args=[contact.pk])
    client.force_login(carol)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert f'action="{url}"' in client.get(contact.get_absolute_url()).text
    assert client.get(url).status_code == 405

    response = client.post(url, follow=True)

    assert "activated" in response.text
    contact.refresh_from_db()
    assert contact.is_active


def test_the_contact_page_lists_opportunities_where_it_is_the_contact_person(
    as_alice, alice, monkeypatch
):
    monkeypatch.setattr("accounts.views.RELATED_LIMIT", 1)
    account = AccountFactory(owner_user=alice)
    contact = ContactFactory(owner_user=alice, account=account)
    OpportunityFactory(owner_user=alice, contact=contact, topic="As customer")
    OpportunityFactory(owner_user=alice, account=account, parent_contact=contact, topic="At Acme")
    OpportunityFactory(owner_user=alice, account=account, topic="Someone else's")

    response = as_alice.get(contact.get_absolute_url())

    assert "Showing 1 of 2 opportunities: see all" in response.text
    listed = as_alice.get(reverse("opportunities:list"), {"contact": contact.pk, "state": ""})
    assert sorted(o.topic for o in listed.context["page"]) == ["As customer", "At Acme"]


def test_contact_edit_and_deactivate_refuse_wrong_methods(as_alice, alice):
    contact = ContactFactory(owner_user=alice)
    assert as_alice.put(reverse("accounts:contact_edit", args=[contact.pk])).status_code == 405
    assert (
        as_alice.put(reverse("accounts:contact_deactivate", args=[contact.pk])).status_code == 405
    )
    assert as_alice.put(reverse("accounts:contact_create")).status_code == 405


def test_home_tiles_count_the_users_own_records(as_alice, alice, bob):
    account = AccountFactory(owner_user=alice)
    AccountFactory(owner_user=bob)
    ContactFactory(owner_user=alice)
    OpportunityFactory(owner_user=alice, account=account)
    response = as_alice.get(reverse("home"))
    assert response.context["my_open_opportunities"] == 1
    assert response.context["my_active_accounts"] == 1
    assert response.context["my_active_contacts"] == 1


def test_an_inactive_account_offers_no_new_contact_or_opportunity(as_alice, alice):
    account = AccountFactory(owner_user=alice, is_active=False)
    page = as_alice.get(account.get_absolute_url()).text
    assert reverse("accounts:contact_create") not in page
    assert reverse("opportunities:create") not in page
    active = AccountFactory(owner_user=alice)
    page = as_alice.get(active.get_absolute_url()).text
    assert reverse("accounts:contact_create") in page
    assert reverse("opportunities:create") in page
