"""Lead scoring in the browser: a manager adds a rule on the scoring page, the open leads are
re-scored, a Danish lead's page shows the rule among its reasons, and the lead list sorted
by score puts it first."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead


def test_a_manager_adds_a_rule_and_the_danish_lead_rises_to_the_top(
    page, live_server, login, manager, alice, screenshot
):
    danish = make_lead(owner=alice, first_name="Anna", last_name="Larsen", country="Denmark")
    make_lead(owner=alice, first_name="Sven", last_name="Svensson", country="Sweden")

    login(manager)
    page.get_by_test_id("setup-menu").click()
    page.get_by_role("link", name="Lead scoring").click()
    expect(page.get_by_role("heading", name="Lead scoring")).to_be_visible()
    expect(page.get_by_test_id("scoring-model")).to_contain_text("No prediction yet")

    page.get_by_test_id("new-scoring-rule").click()
    page.get_by_label("Name").fill("Danish leads")
    page.get_by_label("Rule on").select_option(label="A lead field (fit)")
    page.get_by_label("Lead field").select_option(label="Country")
    page.get_by_label("Operator").select_option(label="equals")
    # Only the lead-field group shows for a field rule; the activity group for an activity one.
    expect(page.get_by_test_id("activity-rule-fields")).to_be_hidden()
    page.get_by_label("Rule on").select_option(label="Recent activity (engagement)")
    expect(page.get_by_test_id("field-rule-fields")).to_be_hidden()
    expect(page.get_by_test_id("activity-rule-fields")).to_be_visible()
    page.get_by_label("Rule on").select_option(label="A lead field (fit)")
    expect(page.get_by_test_id("field-rule-fields")).to_be_visible()
    # A value no lead holds: the count says none, and names what the leads say.
    page.get_by_label("Value").fill("Danmark")
    page.get_by_test_id("rule-reach-button").click()
    expect(page.get_by_test_id("rule-reach")).to_contain_text(
        "This rule holds for none of the 2 open leads you can see."
    )
    expect(page.get_by_test_id("rule-reach-suggestions")).to_contain_text("“Denmark” (1)")
    page.get_by_label("Value").fill("Denmark")
    page.get_by_test_id("rule-reach-button").click()
    expect(page.get_by_test_id("rule-reach")).to_contain_text(
        "This rule holds for 1 of the 2 open leads you can see."
    )
    page.get_by_label("Points").fill("30")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Scores are being recomputed in the background.")).to_be_visible()
    expect(page.get_by_text("“Danish leads” holds for 1 of the 2 open leads")).to_be_visible()
    row = page.get_by_test_id("scoring-rule-row")
    expect(row.get_by_test_id("scoring-rule-test")).to_have_text("Country equals Denmark")
    expect(row.get_by_test_id("scoring-rule-points")).to_have_text("+30")
    screenshot("lead-scoring")

    # The tasks run in-process here: the re-score after the rule's commit has happened.
    page.goto(f"{live_server.url}{danish.get_absolute_url()}")
    panel = page.get_by_test_id("score-panel")
    expect(panel.get_by_test_id("score-badge")).to_have_text("30 · grade C")
    expect(panel.get_by_test_id("score-points")).to_have_text("Points +30")
    expect(panel.get_by_test_id("score-raised")).to_have_text("Danish leads +30")
    expect(panel.get_by_test_id("score-predicted")).to_contain_text(
        "No prediction yet: the model needs more closed leads."
    )

    page.goto(f"{live_server.url}/leads/?view=team&sort=-score")
    rows = page.get_by_test_id("lead-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Anna Larsen")
    expect(rows.nth(0).get_by_test_id("lead-score")).to_have_text("C 30")
    expect(rows.nth(1)).to_contain_text("Sven Svensson")
    expect(rows.nth(1).get_by_test_id("lead-score")).to_have_text("D 0")
