"""The public web-to-lead form, and the API token and docs pages."""

from playwright.sync_api import expect

from capture.models import WebForm
from leads.models import Lead, LeadSource
from leads.routing.models import AssignmentRule


def test_a_visitor_submits_the_public_form_and_the_routed_owner_sees_the_lead(
    page, live_server, login, admin_user, bob, screenshot
):
    AssignmentRule.objects.create(name="Every web lead to Bob", priority=1, target_user=bob)
    web_form = WebForm.objects.create(
        name="Contact us",
        key="contact-us",
        title="Talk to our sales team",
        fields=["first_name", "last_name", "email", "company_name", "description"],
        required_fields=["last_name", "email"],
        source=LeadSource.objects.get_or_create(name="Web")[0],
        created_by=admin_user,
        thank_you_message="Thank you, Bob will call you.",
    )

    page.goto(f"{live_server.url}/capture/{web_form.key}/?utm_source=newsletter&utm_medium=email")
    expect(page.get_by_role("heading", name="Talk to our sales team")).to_be_visible()
    page.get_by_label("Last name").fill("Holm")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # the e-mail
    page.get_by_label("First name").fill("Ida")
    page.get_by_label("E-mail").fill("ida@holm.example")
    page.get_by_label("Company name").fill("Holm Design")
    screenshot("capture-form")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("capture-message")).to_have_text("Thank you, Bob will call you.")

    lead = Lead.objects.get(email="ida@holm.example")
    assert lead.owner == bob
    assert lead.source.name == "Web"
    assert lead.web_submission.utm_source == "newsletter"

    login(bob)
    page.goto(f"{live_server.url}/leads/")
    page.get_by_role("link", name="Holm Design").first.click()
    expect(page.get_by_text("ida@holm.example").first).to_be_visible()


def test_a_rep_creates_a_token_on_the_profile_page_and_reads_the_api_docs(
    page, live_server, login, alice, screenshot
):
    errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append((page.url, message.text[:60])),
    )
    login(alice)
    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("api-token").inner_text()
    assert len(token) == 40

    page.get_by_role("link", name="Back to your profile").click()
    expect(page.get_by_text("You have an API token")).to_be_visible()

    errors.clear()  # (other pages' console messages are their own tests' business)
    page.goto(f"{live_server.url}/api/docs/")
    # Swagger UI fetches the schema, which is generated per request: allow it time.
    qualify = page.locator('[data-path="/api/v1/leads/{id}/qualify/"]').first
    expect(qualify).to_be_visible(timeout=30_000)
    screenshot("api-docs")
    assert errors == []
