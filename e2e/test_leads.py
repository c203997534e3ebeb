"""Dynamics' "qualify a lead" walk-through, in the browser."""

import re

from playwright.sync_api import expect

from accounts.models import Account, Contact
from leads.models import Lead, Qualification
from opportunities.models import Opportunity


def fill_lead(page, *, topic, first, last, company, email):
    page.get_by_label("Topic").fill(topic)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.get_by_label("Company name").fill(company)
    page.get_by_label("E-mail", exact=True).fill(email)


def test_qualify_a_lead_walk_through(page, live_server, login, alice, screenshot):
    contoso = Account(name="Contoso Ltd", owner=alice, city="Seattle")
    contoso.save()
    login(alice)

    # Create two leads through the form.
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("link", name="New lead").click()
    fill_lead(
        page,
        topic="50 laptops",
        first="Anna",
        last="Hansen",
        company="Fabrikam A/S",
        email="anna@fabrikam.example",
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    first = Lead.objects.get(email="anna@fabrikam.example")

    page.goto(f"{live_server.url}/leads/new/")
    fill_lead(
        page,
        topic="Support contract renewal",
        first="Tom",
        last="Meyer",
        company="Contoso Ltd",
        email="tom@contoso.example",
    )
    page.get_by_label("Rating").select_option(label="Hot")
    page.get_by_label("Existing account").fill("contoso")  # a lookup: type, then pick
    page.get_by_role("radio", name="Contoso Ltd").check()
    page.get_by_role("button", name="Save").click()
    # The company matches an existing account: the warning shows, the user saves anyway.
    expect(page.get_by_test_id("duplicate-warning")).to_contain_text("Contoso Ltd")
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    second = Lead.objects.get(email="tom@contoso.example")
    expect(page.get_by_test_id("company-section")).to_contain_text("Contoso Ltd")

    # Qualify the first into a new account and contact, no opportunity.
    page.goto(f"{live_server.url}{first.get_absolute_url()}")
    page.get_by_role("link", name="Qualify", exact=True).click()
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Create a new account")
    page.get_by_label("Create an opportunity").uncheck()
    expect(page.get_by_test_id("qualify-preview")).not_to_contain_text("Create a new opportunity")
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Fabrikam A/S")
    screenshot("lead-qualify")
    page.get_by_role("button", name="Qualify", exact=True).click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Qualified")
    expect(page.get_by_test_id("qualifications")).to_contain_text("Fabrikam A/S")
    expect(page.get_by_test_id("lead-actions")).not_to_contain_text("Edit")
    screenshot("lead-qualified")

    new_account = Account.objects.get(name="Fabrikam A/S")
    new_contact = Contact.objects.get(email="anna@fabrikam.example")
    assert new_contact.account == new_account
    assert not Opportunity.objects.exists()
    # Links both ways: from the lead's page to the account, and back from the account.
    page.get_by_test_id("qualifications").get_by_role("link", name="Fabrikam A/S").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{new_account.pk}/$"))
    assert [q.lead for q in new_account.lead_qualifications.filter(created_account=True)] == [
        first
    ]
    assert [q.lead for q in new_contact.lead_qualifications.all()] == [first]

    # Qualify the second into an opportunity only, for its existing account.
    page.goto(f"{live_server.url}{second.get_absolute_url()}")
    page.get_by_role("link", name="Qualify", exact=True).click()
    expect(page.get_by_label("Create an account")).not_to_be_checked()
    page.get_by_label("Create a contact").uncheck()
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Use Contoso Ltd")
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Create a new opportunity")
    page.get_by_role("button", name="Qualify", exact=True).click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Qualified")

    for lead in (first, second):
        lead.refresh_from_db()
        assert lead.state == "qualified" and lead.status == "qualified"
    opportunity = Opportunity.objects.get()
    assert opportunity.customer == contoso and opportunity.topic == "Support contract renewal"
    # The existing account gained exactly the new opportunity and its link to the lead.
    assert list(contoso.opportunities.all()) == [opportunity]
    assert list(contoso.contacts.all()) == []
    assert [(q.lead, q.created_account) for q in contoso.lead_qualifications.all()] == [
        (second, False)
    ]
    assert [q.lead for q in opportunity.lead_qualifications.all()] == [second]
    assert Account.objects.count() == 2 and Contact.objects.count() == 1
    assert Qualification.objects.count() == 2
    expect(page.get_by_test_id("qualifications")).to_contain_text("Support contract renewal")
    # The opportunity carries the lead's rating.
    page.get_by_test_id("qualifications").get_by_role(
        "link", name="Support contract renewal"
    ).click()
    expect(page.get_by_test_id("opportunity-rating")).to_have_text("Hot")

    # Both leads are closed: they leave "My open leads" and show under "Qualified leads".
    page.get_by_role("link", name="Leads", exact=True).click()
    expect(page.get_by_test_id("lead-table")).to_contain_text("No leads match.")
    page.get_by_role("link", name="Qualified leads", exact=True).click()
    expect(page.get_by_test_id("lead-table")).to_contain_text("50 laptops")
    expect(page.get_by_test_id("lead-table")).to_contain_text("Support contract renewal")
    screenshot("lead-list")


def test_inline_status_change_and_disqualify_with_htmx(page, live_server, login, alice):
    from leads.services import create_lead

    lead = create_lead(
        data={"last_name": "Berg", "company_name": "Blåvand Fisk", "email": "jb@example.com"},
        created_by=alice,
    )
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")

    page.get_by_role("button", name="Mark contacted").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")
    # The status log is on the timeline, refreshed with the status panel.
    expect(
        page.get_by_test_id("lead-timeline").get_by_test_id("status-change").first
    ).to_contain_text("New → Contacted")

    page.get_by_role("link", name="Disqualify").click()
    expect(page.locator("#disqualify-inline.show")).to_be_visible()  # the collapse has opened
    page.get_by_test_id("disqualify-form").get_by_label("Reason").select_option(
        label="No Longer Interested"
    )
    page.get_by_label("Note").fill("Went with a competitor")
    with page.expect_response(
        lambda r: r.url.endswith("/disqualify/") and r.request.method == "POST"
    ) as answer:
        page.get_by_test_id("disqualify-form").get_by_role("button", name="Disqualify").click()
    # If this ever fails, say what the server answered (status and any message in the panel).
    assert answer.value.status == 200, answer.value.text()[:3000]
    # The panel's message names the outcome (a refusal would show its reason here).
    expect(page.get_by_test_id("status-panel").get_by_role("status")).to_have_text(
        "Lead disqualified."
    )
    expect(page.get_by_test_id("lead-state")).to_have_text("Disqualified")
    expect(page.get_by_test_id("lead-timeline")).to_contain_text("Went with a competitor")

    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    lead.refresh_from_db()
    assert (lead.state, lead.status) == ("open", "new")
