"""An administrator deletes a lead made by mistake: the Delete button on its page, the
confirmation that says what goes with it and asks why, and the lead is gone, in its history."""

from playwright.sync_api import expect

from activities.services import add_note
from leads.models import Lead
from leads.tests.factories import make_lead


def test_an_administrator_deletes_an_open_lead_through_the_confirmation(
    page, live_server, login, alice, admin_user
):
    lead = make_lead(owner=alice, topic="Typed twice by mistake")
    add_note(regarding=lead, user=alice, text="Left a message")
    login(admin_user)

    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_test_id("delete-lead").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete {lead}?")
    expect(page.get_by_test_id("delete-goes-with")).to_contain_text("1 note")
    # It asks why (the browser will not send the form without a reason).
    expect(page.get_by_label("Why is it deleted?")).to_have_attribute("required", "")
    assert Lead.objects.filter(pk=lead.pk).exists()

    page.get_by_label("Why is it deleted?").fill("Entered twice")
    page.get_by_role("button", name="Delete for good").click()

    expect(page.get_by_role("alert")).to_contain_text(f"Lead {lead} deleted.")
    assert page.url.endswith("/leads/")
    assert not Lead.objects.filter(pk=lead.pk).exists()
    history = Lead.history.get(id=lead.pk, history_type="-")
    assert history.history_change_reason == f"Deleted by {admin_user}: Entered twice"


def test_a_salesperson_sees_no_delete_button(page, live_server, login, alice):
    lead = make_lead(owner=alice)
    login(alice)

    page.goto(f"{live_server.url}/leads/{lead.pk}/")

    expect(page.get_by_test_id("lead-actions")).to_be_visible()
    expect(page.get_by_test_id("delete-lead")).to_have_count(0)
