"""No Content Security Policy violation while htmx changes a lead's page (issue 20): a field
edited in place, a note added, the status reason changed. test_csp_every_page.py opens
pages; these are the swaps in between, where htmx and the page's scripts write the DOM (htmx
copies "settled" attributes of the old element to the new one: a style attribute is refused)."""

import re

from playwright.sync_api import expect

from leads.tests.factories import make_lead

WIDE = {"width": 1366, "height": 860}


def test_htmx_actions_on_a_lead_page_break_no_csp_rule(page, live_server, login, alice):
    problems = []

    def on_console(message):
        if message.type == "error" or "Refused to" in message.text:
            problems.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    lead = make_lead(owner=alice, topic="Cold storage sensors", rating="warm")
    page.set_viewport_size(WIDE)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")

    # Disqualify opens its form below the header (a Bootstrap collapse, which leaves a style
    # attribute behind); the header swapped next must not copy that attribute over.
    page.locator('[data-bs-target="#disqualify-inline"]').click()
    expect(page.locator("#disqualify-inline")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_test_id("edit-rating").click()
    page.locator("#fact-rating").get_by_label("Rating", exact=True).select_option("hot")
    page.locator("#fact-rating").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-rating")).to_have_text("Hot")

    page.get_by_test_id("quick-add-note").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_role("textbox").first.fill("Called, wants a quote")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-timeline")).to_contain_text("Called, wants a quote")

    page.get_by_test_id("edit-status").click()
    page.locator("#fact-status").get_by_label("Status reason", exact=True).select_option(
        "contacted"
    )
    page.locator("#fact-status").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")

    page.get_by_test_id("edit-next_follow_up").click()
    page.locator("#fact-next_follow_up").get_by_label("Follow-up", exact=True).click()
    page.locator("#fact-next_follow_up").get_by_label("Follow-up", exact=True).fill("2026-12-24")
    page.locator("#fact-next_follow_up").get_by_label("Follow-up", exact=True).press("Enter")
    expect(page.get_by_test_id("lead-follow-up")).to_have_text("24 Dec 2026")
    page.wait_for_load_state("networkidle")
    assert not problems, "\n".join(problems)
