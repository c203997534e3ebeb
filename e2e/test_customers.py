"""A salesperson creates, finds, opens and edits accounts, contacts and opportunities, meets a
duplicate warning, and closes opportunities as won and lost."""

from playwright.sync_api import expect


def test_a_rep_works_with_accounts_contacts_and_opportunities(
    page, live_server, login, alice, screenshot
):
    login(alice)

    # Create an account.
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Account name").fill("Acme Inc.")
    page.get_by_label("Main phone").fill("+45 33 88 11 00")
    page.get_by_label("City").fill("Odense")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Acme Inc.")).to_be_visible()
    expect(page.get_by_text("Account Acme Inc. created.")).to_be_visible()

    # The same company typed differently is flagged; "save anyway" still creates it.
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Account name").fill("ACME, Inc")
    page.get_by_label("Main phone").fill("33881100")
    page.get_by_role("button", name="Save").click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("Acme Inc.")
    expect(warning).to_contain_text("same phone number")
    screenshot("account-duplicate-warning")
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_role("heading", name="ACME, Inc")).to_be_visible()

    # Find the first account through the list search and open it.
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_label("Search", exact=True).fill("odense")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(2)  # header + Acme Inc.
    screenshot("account-list")
    page.get_by_role("link", name="Acme Inc.").click()

    # Edit it.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Website").fill("https://acme.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Account Acme Inc. saved.")).to_be_visible()
    expect(page.get_by_role("link", name="https://acme.example")).to_be_visible()

    # Add a contact from the account page; edit the contact.
    page.get_by_role("link", name="New contact").click()
    page.get_by_label("First name").fill("Søren")
    page.get_by_label("Last name").fill("Østergård")
    page.get_by_label("E-mail", exact=True).fill("soren@acme.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Søren Østergård")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Job title").fill("Head of Purchasing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Head of Purchasing")).to_be_visible()
    screenshot("contact-detail")

    # The contact is found in the contact list.
    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_label("Search", exact=True).fill("acme")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Søren Østergård")).to_be_visible()

    # Two opportunities for the account: one is won, one is lost.
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.get_by_role("link", name="Acme Inc.").click()
    for topic in ("Sensors for line 2", "Maintenance contract"):
        page.get_by_role("link", name="New opportunity").click()
        page.get_by_label("Topic").fill(topic)
        page.get_by_label("Estimated revenue").fill("25000")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name=topic)).to_be_visible()
        page.get_by_role("link", name="Acme Inc.").click()

    page.get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_role("link", name="Sensors for line 2").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Probability (%)").fill("80")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Close as won").click()
    page.get_by_label("Won").check()
    page.get_by_label("Actual revenue").fill("27500")
    screenshot("opportunity-close")
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_text("Opportunity closed as won.")).to_be_visible()
    expect(page.get_by_test_id("actual-value")).to_contain_text("27,500.00")

    page.get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_role("link", name="Maintenance contract").click()
    page.get_by_role("link", name="Close as lost").click()
    page.get_by_label("Lost: Out-Sold").check()
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_text("Opportunity closed as lost.")).to_be_visible()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    screenshot("opportunity-detail")

    # The home page counts the rep's own records.
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_test_id("tile-accounts")).to_contain_text("2")
    expect(page.get_by_test_id("tile-contacts")).to_contain_text("1")
    expect(page.get_by_test_id("tile-open-opportunities")).to_contain_text("0")
