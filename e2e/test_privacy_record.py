"""From a lead's page, an administrator opens the lead's personal data: the readable export
lists the activities about the person, each field under its label."""

from playwright.sync_api import expect

from activities.services import log_activity
from leads.tests.factories import make_lead

EMAIL = "anna.hansen@fabrikam.example"


def test_an_administrator_opens_a_leads_personal_data_from_its_page(
    page, live_server, login, alice, admin_user
):
    lead = make_lead(owner=alice)
    log_activity(
        regarding=lead,
        user=alice,
        kind="phone_call",
        data={"subject": "Called Anna Hansen", "direction": "outgoing", "other_party": "Anna"},
        completed=True,
    )
    login(admin_user)

    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_test_id("personal-data").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(EMAIL)
    activities = page.get_by_test_id("export-section-activities")
    expect(activities).to_contain_text("Called Anna Hansen")
    call = activities.get_by_test_id("export-item").filter(has_text="Called Anna Hansen").first
    expect(call.locator("dt", has_text="Subject")).to_be_visible()
    expect(call.locator("dt", has_text="Direction")).to_be_visible()
    expect(page.get_by_test_id("export-section-leads")).not_to_contain_text("search_text")
    expect(page.get_by_role("link", name="Download JSON")).to_be_visible()
