"""A rep's everyday lead work in the browser: a lost update refused, the list's bulk Disqualify
and Assign with the row checkboxes, and linking a lead to an account and a contact."""

import re

from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory, ContactFactory
from leads.models import Lead, LeadLink, State, Status
from leads.tests.factories import make_lead


def lead_table(page):
    return page.get_by_test_id("lead-table")


def select_row(page, lead):
    lead_table(page).get_by_role("checkbox", name=f"Select {lead.display_topic}").check()


def bulk_select(page, name):
    """The bulk bar's select by its field name."""
    return page.get_by_test_id("bulk-form").locator(f"select[name={name}]")


def apply_bulk(page):
    bulk = page.get_by_test_id("bulk-form")
    with page.expect_navigation():
        bulk.get_by_role("button", name="Apply to selected").click()
    # A valid choice asks first, on its own page ("Disqualify 2 leads as …"); a refused one
    # (no reason, no owner) is back on the list with its message.
    if page.get_by_test_id("bulk-confirm").count():
        with page.expect_navigation():
            page.get_by_test_id("bulk-confirm").get_by_role("button", name="Confirm").click()


def test_a_lost_update_on_a_lead_is_refused_with_a_message(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="50 laptops", job_title="Buyer")
    login(alice)
    second = page.context.new_page()
    page.goto(f"{live_server.url}/leads/{lead.pk}/edit/")
    second.goto(f"{live_server.url}/leads/{lead.pk}/edit/")

    page.get_by_label("Job title").fill("Head of Purchasing")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Lead 50 laptops saved.")

    second.get_by_label("Job title").fill("Office manager")
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.get_by_role("button", name="Save").click()
    assert answer.value.status == 409
    message = second.locator("form .alert-danger")
    expect(message).to_contain_text("Alice Adams changed this record")
    expect(message).to_contain_text("Nothing was saved: reload the page")
    # The refused form keeps what the rep typed, so it can be re-entered after a reload.
    expect(second.get_by_label("Job title")).to_have_value("Office manager")
    lead.refresh_from_db()
    assert lead.job_title == "Head of Purchasing" and lead.version == 2

    # After reloading the edit form, the same change goes through.
    second.goto(f"{live_server.url}/leads/{lead.pk}/edit/")
    expect(second.get_by_label("Job title")).to_have_value("Head of Purchasing")
    second.get_by_label("Job title").fill("Office manager")
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("alert")).to_contain_text("Lead 50 laptops saved.")
    lead.refresh_from_db()
    assert lead.job_title == "Office manager" and lead.version == 3
    second.close()


def test_bulk_disqualify_several_leads(page, live_server, login, alice):
    laptops = make_lead(owner=alice, topic="Laptops", email="a@example.com")
    desks = make_lead(owner=alice, topic="Desks", email="b@example.com")
    chairs = make_lead(owner=alice, topic="Chairs", email="c@example.com")
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    expect(lead_table(page).locator("tbody tr")).to_have_count(3)
    bulk = page.get_by_test_id("bulk-form")

    # Disqualify without a reason: refused, nothing changes.
    select_row(page, laptops)
    bulk.get_by_label("Action").select_option(label="Disqualify")
    apply_bulk(page)
    expect(page.get_by_role("alert")).to_contain_text("Choose the reason for disqualifying.")
    assert Lead.objects.filter(state=State.OPEN).count() == 3

    # Two leads, with a reason.
    select_row(page, laptops)
    select_row(page, desks)
    bulk.get_by_label("Action").select_option(label="Disqualify")
    bulk_select(page, "status").select_option(label="Cannot Contact")
    apply_bulk(page)
    expect(page.get_by_role("alert")).to_contain_text("2 leads disqualified.")
    expect(lead_table(page).locator("tbody tr")).to_have_count(1)
    expect(lead_table(page)).to_contain_text("Chairs")
    for lead in (laptops, desks):
        lead.refresh_from_db()
        assert (lead.state, lead.status) == (State.DISQUALIFIED, Status.CANNOT_CONTACT)
    chairs.refresh_from_db()
    assert chairs.state == State.OPEN

    page.get_by_role("link", name="Disqualified leads").click()
    expect(lead_table(page).locator("tbody tr")).to_have_count(2)
    expect(lead_table(page)).to_contain_text("Cannot Contact")


def test_bulk_apply_with_no_lead_ticked_says_what_is_missing(page, live_server, login, alice):
    make_lead(owner=alice, topic="Laptops")
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_test_id("bulk-form").get_by_label("Action").select_option(label="Disqualify")
    bulk_select(page, "status").select_option(label="Lost")
    apply_bulk(page)
    expect(page.locator(".alert-danger")).to_be_visible()
    assert Lead.objects.get().state == State.OPEN
    # The message names what is missing (a lead to apply the action to), not just "a field".
    message = page.locator(".alert-danger").inner_text()
    assert re.search(r"\blead", message, re.I), message


def test_the_bulk_bars_labels_name_its_own_selects(page, live_server, login, alice):
    make_lead(owner=alice, topic="Laptops")
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    duplicated = page.evaluate(
        """() => { const seen = {}; document.querySelectorAll("[id]").forEach(
               e => { seen[e.id] = (seen[e.id] || 0) + 1; });
           return Object.keys(seen).filter(id => seen[id] > 1).sort(); }"""
    )
    assert duplicated == []
    bulk = page.get_by_test_id("bulk-form")
    expect(bulk.get_by_label("Reason")).to_have_count(1)
    expect(bulk.get_by_label("Owner")).to_have_count(1)


def test_bulk_assign_without_choosing_an_owner_is_refused(
    page, live_server, login, alice, admin_user
):
    lead = make_lead(owner=alice, topic="Laptops")
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    select_row(page, lead)
    page.get_by_test_id("bulk-form").get_by_label("Action").select_option(label="Assign to")
    apply_bulk(page)  # the rep forgot to pick the new owner
    expect(page.get_by_role("alert")).to_be_visible()
    lead.refresh_from_db()
    assert lead.owner == alice, f"the lead went to {lead.owner} without being asked"
    assert "Choose the new owner." in page.get_by_role("alert").inner_text()


def test_bulk_assign_several_leads_to_a_teammate(page, live_server, login, alice, bob, carol):
    leads = [
        make_lead(owner=alice, topic=topic, email=f"{n}@example.com")
        for n, topic in enumerate(["Laptops", "Desks", "Chairs"])
    ]
    login(alice)
    page.get_by_role("link", name="Leads", exact=True).click()
    bulk = page.get_by_test_id("bulk-form")

    # "Select all" ticks every row; untick one; assign the other two to bob.
    lead_table(page).get_by_role("checkbox", name="Select all").check()
    for lead in leads:
        expect(lead_table(page).get_by_role("checkbox", name=f"Select {lead}")).to_be_checked()
    lead_table(page).get_by_role("checkbox", name="Select Chairs").uncheck()
    bulk.get_by_label("Action").select_option(label="Assign to")
    bulk_select(page, "owner").select_option(label="Bob Berg")
    apply_bulk(page)
    expect(page.get_by_role("alert")).to_contain_text("2 leads assigned.")
    expect(lead_table(page).locator("tbody tr")).to_have_count(1)
    expect(lead_table(page)).to_contain_text("Chairs")
    assert sorted(Lead.objects.filter(owner_user=bob).values_list("topic", flat=True)) == [
        "Desks",
        "Laptops",
    ]

    # In the team's view the two show with bob as their owner.
    page.get_by_role("link", name="My teams' open leads").click()
    for topic in ("Laptops", "Desks"):
        row = lead_table(page).locator("tbody tr", has_text=topic)
        expect(row).to_contain_text("Bob Berg")


def test_link_a_lead_to_an_account_and_a_contact_then_remove_a_link(
    page, live_server, login, alice
):
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S", city="Odense")
    anna = ContactFactory(owner_user=alice, first_name="Anna", last_name="Hansen")
    lead = make_lead(owner=alice, topic="50 laptops")
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    links = page.get_by_test_id("lead-links")
    expect(links).to_contain_text("No links.")

    # Link without choosing anything: a message, no link.
    links.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an account or a contact.")

    links.get_by_label("Account", exact=True).fill("fabrik")
    links.get_by_role("radio", name="Fabrikam A/S").check()
    links.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Linked to Fabrikam A/S.")

    links.get_by_label("Contact", exact=True).fill("hansen")
    links.get_by_role("radio", name="Anna Hansen").check()
    links.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Linked to Anna Hansen.")
    expect(links.locator("li")).to_have_count(2)
    expect(links).to_contain_text("Account: Fabrikam A/S")
    expect(links).to_contain_text("Contact: Anna Hansen")
    assert LeadLink.objects.filter(lead=lead).count() == 2

    # The account's page lists the linked lead.
    links.get_by_role("link", name="Fabrikam A/S").click()
    expect(page.get_by_test_id("record-leads")).to_contain_text("50 laptops")
    page.go_back()

    # Remove the account link: only the contact link stays.
    links.locator("li", has_text="Fabrikam A/S").get_by_role("button", name="Remove link").click()
    expect(page.get_by_role("alert")).to_contain_text("Link removed.")
    expect(links.locator("li")).to_have_count(1)
    expect(links).to_contain_text("Contact: Anna Hansen")
    assert list(LeadLink.objects.filter(lead=lead).values_list("account", "contact")) == [
        (None, anna.pk)
    ]
    assert fabrikam.pk  # still there: removing a link deletes no record


def test_a_stale_tab_gets_messages_for_a_lead_closed_in_another(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="50 laptops")
    login(alice)
    second = page.context.new_page()
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    second.goto(f"{live_server.url}{lead.get_absolute_url()}")

    # Tab 1 disqualifies the lead (the inline form). The second tab was opened last: bring the
    # first to the front, as a person clicking in it does (a background tab's timers and
    # animation frames are throttled, and the collapse and htmx wait on them).
    page.bring_to_front()
    page.get_by_role("link", name="Disqualify").click()
    expect(page.locator("#disqualify-inline.show")).to_be_visible()
    page.get_by_test_id("disqualify-form").get_by_label("Reason").select_option(label="Lost")
    page.get_by_test_id("disqualify-form").get_by_role("button", name="Disqualify").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Disqualified")

    # Tab 2 still shows it open: "Mark contacted" is refused in its status panel, which
    # then shows the real state.
    second.get_by_role("button", name="Mark contacted").click()
    panel = second.get_by_test_id("status-panel")
    expect(panel.get_by_role("status")).to_have_text(
        "This lead is disqualified and read-only: reactivate it first."
    )
    expect(second.get_by_test_id("lead-state")).to_have_text("Disqualified")

    # Its Edit and Assign forms, opened before, are refused too.
    second.goto(f"{live_server.url}/leads/{lead.pk}/edit/")
    expect(second).to_have_url(f"{live_server.url}{lead.get_absolute_url()}")
    expect(second.get_by_role("alert")).to_contain_text(
        "This lead is closed and read-only: reactivate it first."
    )
    lead.refresh_from_db()
    assert (lead.state, lead.status, lead.version) == (State.DISQUALIFIED, Status.LOST, 2)

    # Reactivating in both tabs: the second says it is open already.
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    second.get_by_role("button", name="Reactivate").click()
    expect(second.get_by_test_id("status-panel").get_by_role("status")).to_have_text(
        "This lead is already open."
    )
    lead.refresh_from_db()
    assert (lead.state, lead.status, lead.version) == (State.OPEN, Status.NEW, 3)
    second.close()
