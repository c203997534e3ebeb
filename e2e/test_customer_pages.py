"""A rep reactivates an account and a contact, follows an account's "see all" links and child
accounts, and bulk-qualifies a lead without a company name (the account is skipped)."""

from playwright.sync_api import expect

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from leads.models import Lead, State
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory


def test_a_rep_reactivates_and_browses_an_account(page, live_server, login, alice, monkeypatch):
    monkeypatch.setattr("accounts.views.RELATED_LIMIT", 2)  # the live server shares the process
    group = AccountFactory(owner_user=alice, name="Contoso Group", is_active=False)
    AccountFactory(owner_user=alice, name="Contoso Denmark", parent_account=group)
    ContactFactory.create_batch(3, owner_user=alice, account=group)
    anna = ContactFactory(
        owner_user=alice, account=group, first_name="Anna", last_name="Aalto", is_active=False
    )
    OpportunityFactory(owner_user=alice, account=group, parent_contact=anna, topic="Meters")
    login(alice)

    page.goto(f"{live_server.url}/accounts/{group.pk}/")
    expect(page.get_by_role("link", name="Deactivate")).to_have_count(0)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Account Contoso Group activated.")).to_be_visible()
    expect(page.get_by_role("link", name="Deactivate")).to_be_visible()

    # Child accounts, and the link past the panel's limit to every contact of the account.
    expect(page.get_by_test_id("child-accounts")).to_contain_text("Contoso Denmark")
    page.get_by_role("link", name="Showing 2 of 4 contacts: see all").click()
    expect(page.get_by_test_id("list-scope")).to_contain_text("Contacts of Contoso Group")
    expect(page.get_by_role("row")).to_have_count(5)  # header + the four contacts

    # The inactive contact comes back too; its page lists the deal it is the contact for.
    page.get_by_role("link", name="Anna Aalto").click()
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Contact Anna Aalto activated.")).to_be_visible()
    expect(page.get_by_test_id("opportunities-table")).to_contain_text("Meters")
    assert Account.objects.get(pk=group.pk).is_active
    assert Contact.objects.get(pk=anna.pk).is_active


def test_bulk_qualify_skips_the_account_of_a_lead_without_a_company(
    page, live_server, login, alice
):
    lead = make_lead(owner=alice, company_name="", topic="Solo buyer")
    login(alice)

    page.goto(f"{live_server.url}/leads/")
    page.locator(f'input[name="leads"][value="{lead.pk}"]').check()
    page.get_by_label("Action").select_option("qualify")
    page.get_by_role("button", name="Apply to selected").click()
    page.get_by_test_id("bulk-confirm").get_by_role("button", name="Confirm").click()

    expect(page.get_by_text("1 lead qualified.")).to_be_visible()
    expect(
        page.get_by_text("Qualified without an account (no company name): Solo buyer.")
    ).to_be_visible()
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.state == State.QUALIFIED
    qualification = lead.qualifications.get()
    assert qualification.account is None and qualification.opportunity.customer.last_name
