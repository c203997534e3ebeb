"""No console error and no Content Security Policy violation on the main pages, on a desktop
and a phone screen, as the user who works there."""

import pytest
from playwright.sync_api import expect

from capture.tests.factories import WebFormFactory
from leads.tests.factories import make_lead

WIDTHS = [1366, 375]


def watch(page):
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text} {message.location['url']}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    # A CSP violation is a console error too; listen to the event itself as well.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return problems


def visit(page, url, problems):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    expect(page.locator("body")).to_be_visible()
    return [f"{url}: {problem}" for problem in problems]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sales_pages_log_nothing(page, live_server, login, alice, width):
    page.set_viewport_size({"width": width, "height": 800})
    lead = make_lead(owner=alice, topic="Console check", company_name="Quiet Ltd")
    problems = watch(page)
    login(alice)
    paths = [
        "/",
        "/leads/",
        lead.get_absolute_url(),
        "/leads/new/",
        f"/leads/{lead.pk}/qualify/",
        "/accounts/",
        "/accounts/contacts/",
        "/opportunities/",
    ]
    found = []
    for path in paths:
        found = visit(page, f"{live_server.url}{path}", problems)
    # htmx's own <style> for indicators was the violation: it must not be injected.
    assert page.locator("head style").count() == 0
    assert not problems, problems or found


@pytest.mark.parametrize("width", WIDTHS)
def test_the_manager_and_admin_pages_log_nothing(
    page, live_server, login, manager, admin_user, width
):
    page.set_viewport_size({"width": width, "height": 800})
    problems = watch(page)
    login(manager)
    for path in ["/reports/lead-sources/", "/reports/funnel/", "/reports/time-in-status/"]:
        visit(page, f"{live_server.url}{path}", problems)
    page.context.clear_cookies()
    login(admin_user)
    visit(page, f"{live_server.url}/admin/", problems)
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_web_form_logs_nothing(page, live_server, admin_user, width):
    page.set_viewport_size({"width": width, "height": 800})
    web_form = WebFormFactory(created_by=admin_user, key="console-form")
    problems = watch(page)
    visit(page, f"{live_server.url}/capture/{web_form.key}/", problems)
    expect(page.get_by_test_id("capture-form")).to_be_visible()
    assert not problems, problems


def test_an_htmx_request_injects_no_style(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="Indicator", last_name="Berg")
    problems = watch(page)
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    with page.expect_response(lambda r: r.url.endswith("/status/")):
        page.get_by_role("button", name="Mark contacted").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")
    assert page.locator("style").count() == 0
    assert not problems, problems
