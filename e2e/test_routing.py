"""Routing in the browser: an admin writes a rule, a rep's "automatic" lead follows it, and
the new owner reads why the lead is theirs."""

from playwright.sync_api import expect

from leads.models import Lead
from leads.services import create_lead
from leads.tests.factories import lead_data


def test_a_rule_from_the_admin_routes_an_automatic_lead_and_explains_it(
    page, live_server, login, admin_user, alice, bob, screenshot
):
    create_lead(data=lead_data(email="old@example.com"), created_by=alice)  # Alice has 1 open

    # The admin writes the rule: Danish leads go to North, fewest open leads first.
    login(admin_user)
    page.goto(f"{live_server.url}/admin/routing/assignmentrule/add/")
    page.get_by_label("Name:").fill("Danish leads")
    page.locator("#id_target_team").select_option(label="North")
    page.locator("#id_distribution").select_option("load_balanced")
    page.locator("#id_conditions-0-field").select_option("country")
    page.locator("#id_conditions-0-operator").select_option("equals")
    page.locator("#id_conditions-0-value").fill("Denmark")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("Danish leads")
    expect(page.locator("#result_list")).to_contain_text("Country equals Denmark")

    # A rep enters a lead and leaves the owner to the rules.
    page.context.clear_cookies()
    login(alice)
    page.goto(f"{live_server.url}/leads/new/")
    page.get_by_label("Last name", exact=True).fill("Kierkegaard")
    page.get_by_label("Company name").fill("Tivoli Hotels ApS")
    page.get_by_label("Country").fill("Denmark")
    page.locator("#id_owner").select_option(label="Automatic (routing rules)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-owner")).to_have_text("Bob Berg")
    lead = Lead.objects.get(company_name="Tivoli Hotels ApS")
    assert lead.owner == bob

    # Bob opens it and reads why it is his.
    page.context.clear_cookies()
    login(bob)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    panel = page.get_by_test_id("routing-panel")
    expect(panel).to_contain_text("Why was this lead assigned to me?")
    expect(panel).to_contain_text("Rule “Danish leads” matched.")
    expect(panel).to_contain_text("Alice Adams — available, not next in turn (1 open lead)")
    expect(panel).to_contain_text("Bob Berg — got the lead")
    screenshot("routing-explanation")
