"""An administrator exports a person's data, then erases them, confirming."""

from playwright.sync_api import expect

from leads.models import Lead
from leads.tests.factories import make_lead
from privacy.models import Erasure

EMAIL = "anna.hansen@fabrikam.example"


def test_an_administrator_exports_a_person_then_erases_them(
    page, live_server, login, alice, admin_user
):
    lead = make_lead(owner=alice)
    login(admin_user)

    page.goto(f"{live_server.url}/leads/")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="A person's data").click()
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_role("button", name="Show readable page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EMAIL)
    expect(page.get_by_test_id("export-section-leads")).to_contain_text("Anna")
    # Reached by GET (POST, redirect, GET): a reload asks nothing and sends nothing again.
    expect(page).to_have_url(f"{live_server.url}/privacy/?show=export")
    with page.expect_request(lambda r: "/privacy/" in r.url) as reload:
        page.reload()
    assert reload.value.method == "GET"
    expect(page.get_by_role("heading", level=1)).to_contain_text(EMAIL)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    assert download.value.suggested_filename.startswith("personal-data-anna-hansen-fabrikam-")

    page.goto(f"{live_server.url}/privacy/erase/")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Why is the person erased?").fill("Asked to be forgotten")
    page.get_by_role("button", name="Continue").click()
    confirm = page.get_by_test_id("erase-confirm")
    expect(confirm.get_by_test_id("erase-section-leads")).to_have_text("Leads: 1")
    expect(confirm.get_by_test_id("erase-section-history")).to_have_text("History entries: 1")
    expect(confirm.get_by_test_id("erase-fields")).to_contain_text("Leads: topic, salutation")
    page.get_by_role("button", name="Erase for good").click()

    expect(page.get_by_role("alert")).to_contain_text("The person's data is erased.")
    expect(page.get_by_test_id("erasures")).to_contain_text("Asked to be forgotten")
    lead.refresh_from_db()
    assert lead.email == "" and lead.last_name == "[erased]"
    assert Erasure.objects.count() == 1
    assert not Lead.objects.filter(email=EMAIL).exists()

    # The lead's History tab says what the erasure did.
    page.goto(f"{live_server.url}/leads/{lead.pk}/history/")
    erased = page.get_by_test_id("history-entry").first
    expect(erased.get_by_test_id("history-summary")).to_have_text("Personal data erased (GDPR)")
    expect(erased).not_to_contain_text("No field you can read changed.")
