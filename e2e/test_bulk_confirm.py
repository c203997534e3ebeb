"""The lead list's bulk action: nothing chosen at first, and a confirmation that says what
will happen to how many leads, before anything happens."""

from playwright.sync_api import expect

from leads.models import Lead, State
from leads.tests.factories import make_lead


def open_list(page, live_server, login, user):
    login(user)
    page.goto(f"{live_server.url}/leads/")
    return page.get_by_test_id("bulk-form")


def tick(page, *leads):
    for lead in leads:
        page.locator(f'input[name="leads"][value="{lead.pk}"]').check()


def test_bulk_qualify_asks_first_and_names_the_records(page, live_server, login, alice):
    leads = [
        make_lead(owner=alice, topic=f"Deal {n}", last_name=f"Buyer{n}", company_name=f"Firm {n}")
        for n in range(3)
    ]
    other = make_lead(owner=alice, topic="Untouched", company_name="Other")
    bulk = open_list(page, live_server, login, alice)
    # No action preselected: "Apply" alone does nothing but say so.
    expect(bulk.get_by_label("Action")).to_have_value("")
    tick(page, *leads)
    bulk.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose an action.")
    expect(page.get_by_test_id("bulk-confirm")).to_have_count(0)
    assert not Lead.objects.filter(state=State.QUALIFIED).exists()

    tick(page, *leads)
    bulk.get_by_label("Action").select_option(label="Qualify (default options)")
    bulk.get_by_role("button", name="Apply to selected").click()
    confirm = page.get_by_test_id("bulk-confirm")
    expect(confirm.get_by_test_id("bulk-summary")).to_have_text(
        "Qualify 3 leads, creating an account, a contact and an opportunity for each."
    )
    expect(confirm.get_by_test_id("bulk-leads").locator("li")).to_have_count(3)
    assert not Lead.objects.filter(state=State.QUALIFIED).exists()  # nothing yet

    # Cancel goes back to the list, nothing changed.
    confirm.get_by_role("link", name="Cancel").click()
    expect(page.get_by_test_id("bulk-form")).to_be_visible()
    assert not Lead.objects.filter(state=State.QUALIFIED).exists()

    tick(page, *leads)
    page.get_by_test_id("bulk-form").get_by_label("Action").select_option(
        label="Qualify (default options)"
    )
    page.get_by_role("button", name="Apply to selected").click()
    page.get_by_test_id("bulk-confirm").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert").first).to_contain_text("3 leads qualified.")
    assert Lead.objects.filter(state=State.QUALIFIED).count() == 3
    other.refresh_from_db()
    assert other.state == State.OPEN


def test_bulk_disqualify_and_assign_say_what_and_how_many(page, live_server, login, alice, bob):
    one = make_lead(owner=alice, topic="One", last_name="Uno")
    two = make_lead(owner=alice, topic="Two", last_name="Dos")
    bulk = open_list(page, live_server, login, alice)
    tick(page, one, two)
    bulk.get_by_label("Action").select_option(label="Disqualify")
    page.locator("#bulk_status").select_option(label="Cannot Contact")
    bulk.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_test_id("bulk-summary")).to_have_text(
        "Disqualify 2 leads as “Cannot Contact”."
    )
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert").first).to_contain_text("2 leads disqualified.")
    assert Lead.objects.filter(state=State.DISQUALIFIED).count() == 2

    three = make_lead(owner=alice, topic="Three", last_name="Tres")
    page.goto(f"{live_server.url}/leads/")
    tick(page, three)
    page.get_by_test_id("bulk-form").get_by_label("Action").select_option(label="Assign to")
    page.locator("#bulk_owner").select_option(value=f"user:{bob.pk}")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_test_id("bulk-summary")).to_have_text(f"Give 1 lead to {bob}.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert").first).to_contain_text("1 lead assigned.")
    three.refresh_from_db()
    assert three.owner == bob
