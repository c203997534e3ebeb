"""Admin edits of business records make the lost-update check the pages make."""

from django.urls import reverse

from accounts.tests.factories import AccountFactory, ContactFactory
from crm.services import update_record
from crm.tests.admin_forms import change_form_data


def test_the_change_form_carries_the_version(as_admin, alice):
    account = AccountFactory(owner_user=alice, version=4)

    response = as_admin.get(reverse("admin:accounts_account_change", args=[account.pk]))

    assert response.context["adminform"].form["expected_version"].value() == 4
    assert 'type="hidden" name="expected_version" value="4"' in response.text


def test_a_stale_admin_save_is_refused_with_the_pages_message(as_admin, alice, bob):
    account = AccountFactory(owner_user=alice, name="Fabrikam")
    url = reverse("admin:accounts_account_change", args=[account.pk])
    data = change_form_data(as_admin.get(url), name="Fabrikam (admin)")
    # Someone saves the account on its page after the admin opened it.
    update_record(account, user=bob, data={"name": "Fabrikam (Bob)"}, expected_version=1)

    response = as_admin.post(url, data)

    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("Bob Berg changed this record at ")
    assert "Nothing was saved: reload the page to see their changes" in errors[0]
    account.refresh_from_db()
    assert (account.name, account.version) == ("Fabrikam (Bob)", 2)


def test_a_fresh_admin_save_goes_through_and_bumps_the_version(as_admin, alice, admin_user):
    account = AccountFactory(owner_user=alice, name="Fabrikam")
    url = reverse("admin:accounts_account_change", args=[account.pk])

    response = as_admin.post(url, change_form_data(as_admin.get(url), name="Fabrikam A/S"))

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.version, account.modified_by) == ("Fabrikam A/S", 2, admin_user)


def test_contacts_get_the_same_check(as_admin, alice, bob):
    contact = ContactFactory(owner_user=alice, last_name="Jensen")
    url = reverse("admin:accounts_contact_change", args=[contact.pk])
    data = change_form_data(as_admin.get(url), last_name="Jensen (admin)")
    update_record(contact, user=bob, data={"last_name": "Hansen"}, expected_version=1)

    response = as_admin.post(url, data)

    assert response.status_code == 200
    assert "Nothing was saved" in response.context["adminform"].form.non_field_errors()[0]
    contact.refresh_from_db()
    assert contact.last_name == "Hansen"
