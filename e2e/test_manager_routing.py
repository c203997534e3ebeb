"""A manager keeps their team's routing rule in the app: changes a condition and the target,
tries the rules, and the next lead typed in follows the changed rule."""

from playwright.sync_api import expect

from leads.models import Lead
from leads.routing.models import LeadField, Operator
from leads.routing.tests.factories import make_rule


def test_a_manager_edits_a_rule_previews_it_and_the_next_lead_follows_it(
    page, live_server, login, manager, alice, bob, carol, screenshot
):
    rule = make_rule("Nordic leads", alice, (LeadField.COUNTRY, Operator.EQUALS, "Denmark"))
    make_rule("Swedish leads", carol, (LeadField.COUNTRY, Operator.EQUALS, "Sweden"))

    login(manager)
    page.get_by_test_id("setup-menu").click()
    page.get_by_role("link", name="Routing rules").click()
    rules = page.get_by_test_id("rule-list")
    expect(rules).to_contain_text("Country equals Denmark")
    expect(rules).not_to_contain_text("Swedish leads")  # South's rule is not Maria's
    screenshot("routing-rules-manager")

    rules.get_by_role("link", name="Nordic leads").click()
    page.get_by_label("Assign to").select_option(label="Bob Berg")
    page.locator("#id_conditions-0-value").fill("Norway")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("rule-conditions")).to_have_text("Country equals Norway")

    page.get_by_test_id("try-rules").click()
    page.get_by_label("Country").fill("Norway")
    page.get_by_role("button", name="Preview").click()
    result = page.get_by_test_id("routing-preview-result")
    expect(result).to_contain_text("Rule “Nordic leads” matched.")
    expect(result.get_by_test_id("routing-owner")).to_have_text("Bob Berg")
    assert not Lead.objects.exists()  # a preview assigns nothing

    page.goto(f"{live_server.url}{rule.get_absolute_url()}")
    expect(page.get_by_test_id("rule-history")).to_contain_text(
        "Country equals Denmark → Country equals Norway"
    )

    page.goto(f"{live_server.url}/leads/new/")
    page.get_by_label("Last name", exact=True).fill("Nordmann")
    page.get_by_label("Company name").fill("Fjord Shipping AS")
    page.get_by_label("Country").fill("Norway")
    page.locator("#id_owner").select_option(label="Automatic (routing rules)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-owner")).to_have_text("Bob Berg")
    assert Lead.objects.get(company_name="Fjord Shipping AS").owner == bob
