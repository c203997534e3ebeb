"""After Reactivate, the earlier "Lead disqualified." message is gone."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead


def test_reactivate_removes_the_disqualified_message(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="Comeback", last_name="Berg")
    login(alice)
    # Disqualified on its own page (no JS needed): the detail page shows the message on top.
    page.goto(f"{live_server.url}/leads/{lead.pk}/disqualify/")
    page.get_by_label("Reason").select_option(label="Lost")
    page.locator("form.record-form").get_by_role("button", name="Disqualify").click()
    expect(page.get_by_text("Lead disqualified.")).to_be_visible()

    with page.expect_response(lambda r: r.url.endswith("/reactivate/")):
        page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Open")
    expect(page.get_by_test_id("status-panel").get_by_role("status")).to_have_text(
        "Lead reactivated."
    )
    expect(page.get_by_text("Lead disqualified.")).to_have_count(0)


def test_disqualify_inline_then_reactivate_leaves_one_message(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="Twice", last_name="Holm")
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    page.get_by_role("link", name="Disqualify").click()
    expect(page.locator("#disqualify-inline.show")).to_be_visible()  # the collapse has opened
    page.get_by_test_id("disqualify-form").get_by_label("Reason").select_option(label="Lost")
    page.get_by_test_id("disqualify-form").get_by_role("button", name="Disqualify").click()
    expect(page.get_by_text("Lead disqualified.")).to_be_visible()
    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_text("Lead reactivated.")).to_be_visible()
    expect(page.get_by_text("Lead disqualified.")).to_have_count(0)
