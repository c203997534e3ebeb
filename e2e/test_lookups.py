"""Picking a record in a form by typing: the lookup widget (crm/lookup.py) instead of a
<select> of every account."""

from decimal import Decimal

from playwright.sync_api import expect

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from leads import services
from leads.models import Lead, Qualification
from leads.tests.factories import make_lead
from opportunities.models import Opportunity


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


# Every lookup on every form it appears on (issue 15): typed letter by letter as a person
# does (press_sequentially fires the input events htmx listens to), the results waited for,
# one chosen, the form submitted and the saved record checked.


def pick(page, label, letters, choice):
    """Type `letters` into the lookup labelled `label`, wait for `choice`, choose it."""
    search = page.get_by_label(label, exact=True)
    search.press_sequentially(letters, delay=40)
    options = page.locator(f"#{search.get_attribute('id')}-options")
    expect(options.get_by_role("radio", name=choice)).to_be_visible()
    options.get_by_role("radio", name=choice).check()
    expect(options.get_by_role("radio", name=choice)).to_be_checked()


def test_the_lead_forms_lookups_pick_an_existing_account_and_contact(
    page, live_server, login, alice
):
    contoso = AccountFactory(owner_user=alice, name="Contoso Ltd")
    tom = ContactFactory(owner_user=alice, first_name="Tom", last_name="Meyer", account=contoso)
    login(alice)

    page.goto(f"{live_server.url}/leads/new/")
    page.get_by_label("Topic").fill("Support renewal")
    page.get_by_label("Last name").fill("Zimmer")
    pick(page, "Existing account", "cont", "Contoso Ltd")
    pick(page, "Existing contact", "mey", "Tom Meyer")
    page.get_by_role("button", name="Save").click()
    if page.get_by_role("button", name="Save anyway").count():
        page.get_by_role("button", name="Save anyway").click()

    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    lead = Lead.objects.get(last_name="Zimmer")
    assert (lead.existing_account, lead.existing_contact) == (contoso, tom)


def test_the_lead_pages_link_lookups_link_an_account_and_a_contact(
    page, live_server, login, alice
):
    AccountFactory(owner_user=alice, name="Contoso Ltd")
    ContactFactory(owner_user=alice, first_name="Tom", last_name="Meyer")
    lead = make_lead(owner=alice, company_name="Northwind", email="x@northwind.example")
    login(alice)

    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    links = page.get_by_test_id("lead-links")
    pick(page, "Account", "conto", "Contoso Ltd")
    links.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_test_id("lead-links")).to_contain_text("Contoso Ltd")
    pick(page, "Contact", "meye", "Tom Meyer")
    page.get_by_test_id("lead-links").get_by_role("button", name="Link", exact=True).click()

    expect(page.get_by_test_id("lead-links")).to_contain_text("Tom Meyer")
    assert {str(link.account or link.contact) for link in lead.links.all()} == {
        "Contoso Ltd",
        "Tom Meyer",
    }


def test_the_opportunity_forms_lookups_pick_customer_and_contact_person(
    page, live_server, login, alice
):
    contoso = AccountFactory(owner_user=alice, name="Contoso Ltd")
    tom = ContactFactory(owner_user=alice, first_name="Tom", last_name="Meyer", account=contoso)
    login(alice)

    page.goto(f"{live_server.url}/opportunities/new/")
    page.get_by_label("Topic").fill("Fleet of bikes")
    pick(page, "Account", "contos", "Contoso Ltd")
    pick(page, "Contact person", "meyer", "Tom Meyer")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Fleet of bikes")).to_be_visible()
    opportunity = Opportunity.objects.get(topic="Fleet of bikes")
    assert (opportunity.account, opportunity.parent_contact) == (contoso, tom)


def test_the_opportunity_forms_contact_lookup_picks_a_person_as_customer(
    page, live_server, login, alice
):
    tom = ContactFactory(owner_user=alice, first_name="Tom", last_name="Meyer")
    login(alice)

    page.goto(f"{live_server.url}/opportunities/new/")
    page.get_by_label("Topic").fill("Private bike")
    pick(page, "Contact", "tom m", "Tom Meyer")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Private bike")).to_be_visible()
    assert Opportunity.objects.get(topic="Private bike").contact == tom


def test_the_account_forms_parent_lookup(page, live_server, login, alice):
    contoso = AccountFactory(owner_user=alice, name="Contoso Ltd")
    login(alice)

    page.goto(f"{live_server.url}/accounts/new/")
    page.get_by_label("Account name").fill("Contoso Nordic")
    pick(page, "Parent account", "contoso l", "Contoso Ltd")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Contoso Nordic")).to_be_visible()
    assert Account.objects.get(name="Contoso Nordic").parent_account == contoso


def test_the_qualify_pages_account_and_contact_lookups(page, live_server, login, alice):
    contoso = AccountFactory(owner_user=alice, name="Contoso Ltd")
    tom = ContactFactory(owner_user=alice, first_name="Tom", last_name="Meyer", account=contoso)
    lead = make_lead(owner=alice, company_name="Northwind", email="anna@northwind.example")
    login(alice)

    page.goto(f"{live_server.url}/leads/{lead.pk}/qualify/")
    expect(page.get_by_label("Create an account")).to_be_checked()
    pick(page, "…or use this existing account", "conto", "Contoso Ltd")
    # Choosing it unticks "Create an account" and the preview says what will happen.
    expect(page.get_by_label("Create an account")).not_to_be_checked()
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Use Contoso Ltd")
    pick(page, "…or use this existing contact", "meye", "Tom Meyer")
    expect(page.get_by_label("Create a contact")).not_to_be_checked()
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Use Tom Meyer")
    page.get_by_role("button", name="Qualify", exact=True).click()

    expect(page.get_by_test_id("lead-state")).to_have_text("Qualified")
    qualification = Qualification.objects.get(lead=lead)
    assert (qualification.account, qualification.contact) == (contoso, tom)
    assert not (qualification.created_account or qualification.created_contact)
    assert Account.objects.count() == 1 and Contact.objects.count() == 1


def test_a_second_lead_of_the_company_qualifies_into_the_first_ones_opportunity(
    page, live_server, login, alice, screenshot
):
    first = make_lead(owner=alice, estimated_value=Decimal("30000"))  # Fabrikam A/S
    services.qualify_lead(
        lead=first, user=alice, create_account=True, create_contact=True, create_opportunity=True
    )
    opportunity = Opportunity.objects.get()
    second = make_lead(
        owner=alice,
        topic="More laptops",
        first_name="Jens",
        last_name="Jensen",
        email="jens@fabrikam.example",
        business_phone="",
        estimated_value=Decimal("12000"),
    )
    login(alice)

    page.goto(f"{live_server.url}{second.get_absolute_url()}")
    page.get_by_role("link", name="Qualify", exact=True).click()
    # The account of the same name is a sure match: used, not created again.
    expect(page.get_by_label("Create an account")).not_to_be_checked()
    expect(page.get_by_label("Create an opportunity")).to_be_checked()
    pick(page, "…or qualify into this open opportunity", "50 lap", str(opportunity))
    expect(page.get_by_label("Create an opportunity")).not_to_be_checked()
    expect(page.get_by_label("Create an account")).not_to_be_checked()
    preview = page.get_by_test_id("qualify-preview")
    expect(preview).to_contain_text(f"Use {opportunity.account}")
    expect(preview).to_contain_text(f"Use {opportunity}")
    expect(preview).to_contain_text(
        f"Adds EUR 12,000.00 to {opportunity}: EUR 30,000.00 → EUR 42,000.00"
    )
    expect(
        page.get_by_label("Add the lead's estimated value to the opportunity's")
    ).to_be_checked()
    screenshot("lead-qualify-into-existing")
    page.get_by_role("button", name="Qualify", exact=True).click()

    expect(page.get_by_test_id("lead-state")).to_have_text("Qualified")
    expect(
        page.get_by_text(f"Added EUR 12,000.00 to {opportunity}: EUR 30,000.00 → EUR 42,000.00.")
    ).to_be_visible()
    assert Account.objects.count() == 1 and Opportunity.objects.count() == 1
    opportunity.refresh_from_db()
    assert opportunity.estimated_value == Decimal("42000")
    qualification = Qualification.objects.get(lead=second)
    assert qualification.opportunity == opportunity
    assert qualification.account == opportunity.account and not qualification.created_account
