"""A rep resolves a customer inquiry from the timeline, and sees where a web lead came from."""

from playwright.sync_api import expect

from activities import services as activity_services
from activities.models import Inquiry
from capture.models import WebForm
from leads.models import Lead, LeadSource
from leads.tests.factories import make_lead


def test_a_rep_resolves_an_inquiry_on_the_timeline(page, live_server, login, alice, screenshot):
    lead = make_lead(owner=alice, topic="Shipping question")
    activity_services.add_inquiry(
        regarding=lead, user=alice, data={"title": "Do you ship to Norway?"}
    )
    activity_services.add_inquiry(regarding=lead, user=alice, data={"title": "Spare parts?"})
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    timeline = page.get_by_test_id("lead-timeline")

    norway = timeline.get_by_test_id("timeline-entry").filter(has_text="Do you ship to Norway?")
    expect(norway.get_by_test_id("inquiry-state")).to_have_text("Active")
    norway.get_by_label("Resolution").fill("Yes, weekly from Aarhus")
    norway.get_by_role("button", name="Resolve").click()
    expect(norway.get_by_test_id("inquiry-state")).to_have_text("Resolved")
    expect(norway.get_by_test_id("inquiry-resolution")).to_contain_text("weekly from Aarhus")
    expect(norway.get_by_role("button", name="Resolve")).to_have_count(0)

    parts = timeline.get_by_test_id("timeline-entry").filter(has_text="Spare parts?")
    parts.get_by_role("button", name="Cancel inquiry").click()
    expect(parts.get_by_test_id("inquiry-state")).to_have_text("Canceled")
    screenshot("inquiry-resolved")

    assert sorted(Inquiry.objects.values_list("state", flat=True)) == ["canceled", "resolved"]


def test_a_rep_sees_the_web_form_panel_with_utm_values_and_the_duplicate_badge(
    page, live_server, login, alice, screenshot
):
    earlier = make_lead(owner=alice, email="ida@holm.example", last_name="Holm")
    web_form = WebForm.objects.create(
        name="Contact us",
        key="contact-us",
        fields=["first_name", "last_name", "email", "company_name"],
        required_fields=["last_name", "email"],
        source=LeadSource.objects.get_or_create(name="Web")[0],
        created_by=alice,
        thank_you_message="Thanks.",
    )
    page.goto(
        f"{live_server.url}/capture/{web_form.key}/"
        "?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    )
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("E-mail").fill("ida@holm.example")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("capture-message")).to_have_text("Thanks.")

    login(alice)
    new_lead = Lead.objects.exclude(pk=earlier.pk).get(email="ida@holm.example")
    page.goto(f"{live_server.url}{new_lead.get_absolute_url()}")
    panel = page.get_by_test_id("web-capture-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("web-capture-form")).to_have_text("Contact us")
    expect(panel.get_by_test_id("utm-source")).to_have_text("newsletter")
    expect(panel.get_by_test_id("utm-medium")).to_have_text("email")
    expect(panel.get_by_test_id("utm-campaign")).to_have_text("spring")
    expect(panel.get_by_test_id("duplicate-badge")).to_have_text("Possible duplicate")
    screenshot("lead-web-capture-panel")

    panel.get_by_test_id("duplicate-link").first.click()
    expect(page).to_have_url(f"{live_server.url}{earlier.get_absolute_url()}")
