"""Deactivating an account and a contact from their pages: they leave the default lists, show
under the "Active: No" filter, and what still points at them keeps working."""

from playwright.sync_api import expect

from accounts.models import Account
from accounts.tests.factories import AccountFactory, ContactFactory
from opportunities.tests.factories import OpportunityFactory


def rows(page):
    return page.locator("table tbody tr")


def filter_inactive(page):
    page.get_by_label("Active", exact=True).select_option(label="No")
    page.get_by_role("button", name="Filter", exact=True).click()


def test_deactivate_an_account_and_a_contact_from_their_pages(page, live_server, login, alice):
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S")
    OpportunityFactory(owner_user=alice, account=fabrikam, topic="50 laptops")
    AccountFactory(owner_user=alice, name="Contoso Ltd")
    anna = ContactFactory(
        owner_user=alice, first_name="Anna", last_name="Hansen", account=fabrikam
    )
    ContactFactory(owner_user=alice, first_name="Tom", last_name="Meyer")
    login(alice)

    # The account.
    page.get_by_role("link", name="Accounts", exact=True).click()
    expect(rows(page)).to_have_count(2)
    page.get_by_role("link", name="Fabrikam A/S").click()
    page.get_by_role("link", name="Deactivate").click()
    # It asks first, and says what stays behind.
    expect(page.get_by_role("heading")).to_have_text("Deactivate Fabrikam A/S?")
    expect(page.get_by_test_id("deactivation-warning")).to_have_text(
        "1 open opportunity has this customer. It stays open: close it or move it to"
        " another customer if the deal is off."
    )
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("Account Fabrikam A/S deactivated.")
    expect(page.get_by_role("heading", name="Fabrikam A/S")).to_contain_text("inactive")
    expect(page.get_by_role("button", name="Activate")).to_be_visible()
    expect(page.get_by_role("link", name="Deactivate")).to_have_count(0)
    fabrikam.refresh_from_db()
    assert not fabrikam.is_active and fabrikam.version == 2 and fabrikam.modified_by == alice

    page.get_by_role("link", name="Accounts", exact=True).click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Contoso Ltd")
    filter_inactive(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Fabrikam A/S")
    expect(rows(page).locator(".badge")).to_have_text("inactive")
    # The home tile counts active accounts only.
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("tile-accounts")).to_contain_text("1")

    # The contact.
    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(rows(page)).to_have_count(2)
    page.get_by_role("link", name="Anna Hansen").click()
    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_test_id("deactivation-warning")).to_have_count(0)
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("Contact Anna Hansen deactivated.")
    expect(page.get_by_role("heading", name="Anna Hansen")).to_contain_text("inactive")
    anna.refresh_from_db()
    assert not anna.is_active

    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Tom Meyer")
    filter_inactive(page)
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Anna Hansen")

    # A deactivated record is no longer offered when picking an account.
    page.goto(f"{live_server.url}/accounts/contacts/new/")
    page.get_by_label("Account", exact=True).fill("fabrikam")
    expect(page.get_by_test_id("lookup-options")).to_contain_text("No match you can see.")

    # Deactivating twice (a stale tab) is refused with a message, not an error page.
    page.goto(f"{live_server.url}{anna.get_absolute_url()}")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("alert")).to_contain_text("Contact Anna Hansen activated.")
    second = page.context.new_page()
    second.goto(f"{live_server.url}{anna.get_absolute_url()}")
    second.get_by_role("link", name="Deactivate").click()
    page.get_by_role("link", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("Contact Anna Hansen deactivated.")
    second.get_by_role("button", name="Deactivate").click()
    expect(second.get_by_role("alert")).to_contain_text("Anna Hansen is already inactive.")
    expect(second.get_by_role("button", name="Activate")).to_be_visible()
    second.close()
    anna.refresh_from_db()
    assert not anna.is_active and anna.version == 4


def test_editing_a_contact_of_a_deactivated_account_keeps_its_account(
    page, live_server, login, alice
):
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S")
    anna = ContactFactory(
        owner_user=alice, first_name="Anna", last_name="Hansen", account=fabrikam
    )
    login(alice)
    page.goto(f"{live_server.url}{fabrikam.get_absolute_url()}")
    page.get_by_role("link", name="Deactivate").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("alert")).to_contain_text("deactivated")

    # The rep fixes the contact's job title.
    page.goto(f"{live_server.url}{anna.get_absolute_url()}")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Job title").fill("Head of Purchasing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Contact Anna Hansen saved.")
    anna.refresh_from_db()
    assert anna.job_title == "Head of Purchasing"
    assert anna.account == fabrikam, "the edit removed the contact from its account"


def test_editing_a_child_of_a_deactivated_parent_keeps_the_parent(page, live_server, login, alice):
    group = AccountFactory(owner_user=alice, name="Contoso Group")
    child = AccountFactory(owner_user=alice, name="Contoso Denmark", parent_account=group)
    Account.objects.filter(pk=group.pk).update(is_active=False)
    login(alice)
    page.goto(f"{live_server.url}/accounts/{child.pk}/edit/")
    page.get_by_label("Main phone").fill("+45 70 10 20 30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Account Contoso Denmark saved.")
    child.refresh_from_db()
    assert child.phone == "+45 70 10 20 30"
    assert child.parent_account == group, "the edit cleared the parent account"


def test_an_open_opportunity_of_a_deactivated_account_can_still_be_edited(
    page, live_server, login, alice
):
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S", is_active=False)
    deal = OpportunityFactory(owner_user=alice, account=fabrikam, topic="50 laptops")
    login(alice)
    page.goto(f"{live_server.url}/opportunities/{deal.pk}/edit/")
    page.get_by_label("Probability (%)").fill("40")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    deal.refresh_from_db()
    refusal = page.locator("form .alert-danger, form .invalid-feedback").all_inner_texts()
    assert deal.probability == 40, f"not saved ({answer.value.status}): {refusal}"
    assert deal.account == fabrikam
    expect(page.get_by_role("alert")).to_contain_text("Opportunity 50 laptops saved.")
