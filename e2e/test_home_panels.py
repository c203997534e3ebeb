"""A rep's home: the leads routed to her lately, and her team's queue to claim from."""

from playwright.sync_api import expect

from leads.routing.models import Distribution, LeadField, Operator
from leads.routing.tests.factories import make_rule
from leads.services import create_lead
from leads.tests.factories import lead_data, web_source


def test_a_rep_sees_her_new_leads_and_claims_one_from_the_team_queue(
    page, live_server, login, alice, bob, north, screenshot
):
    make_rule(
        "Swedes to North's queue",
        north,
        (LeadField.COUNTRY, Operator.EQUALS, "Sweden"),
        priority=1,
        distribution=Distribution.TEAM_OWNS,
    )
    make_rule("Danes to Alice", alice, (LeadField.COUNTRY, Operator.EQUALS, "Denmark"), priority=2)
    create_lead(
        data=lead_data(topic="Web form: 40 tablets", source=web_source()),
        created_by=bob,
        route=True,
    )
    create_lead(
        data=lead_data(topic="Stockholm office chairs", country="Sweden"),
        created_by=bob,
        route=True,
    )
    login(alice)

    panel = page.get_by_test_id("panel-recently-assigned")
    expect(panel.get_by_test_id("recently-assigned-lead")).to_have_count(1)
    expect(panel).to_contain_text("Web form: 40 tablets")
    expect(panel).to_contain_text("Web")
    expect(panel).to_contain_text("Routed on creation")
    # The new-leads tile agrees: the one lead routing gave her is "given to you".
    expect(page.get_by_test_id("tile-new-leads-split")).to_have_text(
        "0 created by you · 1 given to you"
    )
    queues = page.get_by_test_id("tile-my-team-queues")
    expect(queues).to_contain_text("North")
    screenshot("home-rep-recently-assigned")

    queues.get_by_role("link", name="1").click()
    expect(page).to_have_url(
        f"{live_server.url}/leads/?view=any&state=open&owner=team%3A{north.pk}"
    )
    page.get_by_role("link", name="Stockholm office chairs").click()
    page.get_by_test_id("claim-lead").click()
    expect(page.get_by_text("You now own this lead.")).to_be_visible()

    page.goto(f"{live_server.url}/")
    queues = page.get_by_test_id("tile-my-team-queues")
    expect(queues.get_by_role("link", name="0")).to_be_visible()
