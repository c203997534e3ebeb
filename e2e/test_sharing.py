"""Sharing (issue 21): the owner shares a lead with a rep of another team, who then finds it
and works on it; ending the share takes it away again."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead

PHONE = {"width": 375, "height": 740}


def test_share_a_lead_and_see_it_as_the_other_user(page, live_server, login, alice, carol):
    lead = make_lead(
        owner=alice, topic="Shared cold room", last_name="Delingsen", company_name="Deltager ApS"
    )
    page.set_viewport_size({"width": 1280, "height": 860})
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    panel = page.get_by_test_id("shares-panel")
    expect(panel).to_contain_text("Only its owner's team and managers see it.")
    panel.get_by_test_id("share-record").click()
    page.get_by_label("Share with").select_option(label="Carol Cruz")
    page.get_by_label("Read and write").check()
    page.get_by_test_id("share-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("shared with Carol Cruz")
    expect(page.get_by_test_id("share-item")).to_have_text("Carol Cruz · Read and write")
    expect(page.get_by_test_id("share-entry").first).to_contain_text("With Carol Cruz")

    # Carol, of another team, now finds it in her list and on its page, on a phone.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login(carol)
    page.goto(f"{live_server.url}/leads/?view=shared")
    page.get_by_role("link", name="Shared cold room").click()
    expect(page.get_by_test_id("shares-panel")).to_contain_text("Carol Cruz")
    expect(page.get_by_test_id("share-record")).to_have_count(0)

    # Alice ends the share; Carol's next look is a 404.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 860})
    login(alice)
    page.goto(f"{live_server.url}/share/lead/{lead.pk}/")
    page.get_by_test_id("revoke-share").click()
    expect(page.get_by_test_id("share-row")).to_contain_text("ended")
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    expect(page.get_by_test_id("shares-panel")).to_contain_text(
        "Only its owner's team and managers see it."
    )
    page.context.clear_cookies()
    login(carol)
    response = page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    assert response.status == 404
