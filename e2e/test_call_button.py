"""'Call' on a lead (issue 19): a tel: link that also opens 'Log a call' filled in with the
number, the person and the start time; the rep types the outcome and saves."""

from playwright.sync_api import expect

from activities.models import Activity
from leads.tests.factories import make_lead

# Headless Chromium has no dialer: following the tel: link leaves the page stuck in a
# navigation that never ends, and later requests wait on it. The test checks the link's
# address and keeps the browser on the page, as a phone does when it hands the number over.
NO_DIALER = """document.addEventListener("click", function (event) {
  if (event.target.closest('a[href^="tel:"]')) event.preventDefault();
});"""


def test_call_opens_a_filled_in_log_a_call(page, live_server, login, alice):
    lead = make_lead(
        owner=alice, first_name="Åse", last_name="Bøgh", mobile_phone="+45 20 30 40 50"
    )
    page.set_viewport_size({"width": 375, "height": 740})
    page.add_init_script(NO_DIALER)
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    call = page.get_by_test_id("call-button").last
    expect(call).to_have_attribute("href", "tel:+4520304050")
    call.click()
    form = page.get_by_test_id("timeline").locator("form")
    expect(form.get_by_label("Subject")).to_have_value("Call to +45 20 30 40 50")
    expect(form.get_by_label("Other party")).to_have_value("Åse Bøgh")
    expect(form.get_by_label("When")).not_to_have_value("")
    expect(form.get_by_label("Already happened (log it as completed)")).to_be_checked()
    form.get_by_label("Description").fill("Wants a quote by Friday.")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Call to +45 20 30 40 50")
    logged = Activity.objects.get(kind="phone_call")
    assert logged.other_party == "Åse Bøgh" and logged.state == "completed"
    assert logged.description == "Wants a quote by Friday." and logged.direction == "outgoing"
