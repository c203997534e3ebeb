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

    page.goto(f"{live_server.url}/privacy/erase/")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Why is the person erased?").fill("Asked to be forgotten")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("erase-confirm")).to_contain_text("1 record is held")
    page.get_by_role("button", name="Erase for good").click()

    expect(page.get_by_role("alert")).to_contain_text("The person's data is erased.")
    expect(page.get_by_test_id("erasures")).to_contain_text("Asked to be forgotten")
    lead.refresh_from_db()
    assert lead.email == "" and lead.last_name == "[erased]"
    assert Erasure.objects.count() == 1
    assert not Lead.objects.filter(email=EMAIL).exists()
