"""Picking a record in a form by typing: the lookup widget (crm/lookup.py) instead of a
<select> of every account."""

from playwright.sync_api import expect

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory


def test_a_rep_picks_the_account_of_a_new_contact_by_typing(
    page, live_server, login, alice, carol
):
    contoso = AccountFactory(owner_user=alice, name="Contoso Ltd", city="Aarhus")
    Account.objects.bulk_create(
        Account(owner_user=alice, name=f"Company {n}", name_key=f"company {n}") for n in range(60)
    )
    AccountFactory(owner_user=carol, name="Contoso South")  # another team's: never offered
    login(alice)

    page.goto(f"{live_server.url}/accounts/contacts/new/")
    page.get_by_label("Last name").fill("Larsen")
    options = page.get_by_test_id("lookup-options")
    expect(options.get_by_role("radio")).to_have_count(1)  # "None": no account is listed
    search = page.get_by_label("Account", exact=True)
    search.fill("conto")
    search.press("Enter")  # searches; does not submit the form
    expect(options.get_by_role("radio", name="Contoso Ltd")).to_be_visible()
    expect(options).not_to_contain_text("Contoso South")
    options.get_by_role("radio", name="Contoso Ltd").check()
    search.fill("zzz")  # searching again keeps the choice
    expect(options).to_contain_text("No match")
    expect(options.get_by_role("radio", name="Contoso Ltd")).to_be_checked()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Larsen")).to_be_visible()
    expect(page.get_by_role("link", name="Contoso Ltd")).to_be_visible()
    assert Contact.objects.get(last_name="Larsen").account == contoso
