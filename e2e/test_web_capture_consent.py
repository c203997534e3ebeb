"""The public web form on a phone: a required consent box left unticked is the last field, below
the fold at 390 px; the form comes back focused on it, its error on the screen."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from capture.models import WebForm
from leads.models import Lead, LeadSource

CONSENT = "I agree that Fabrikam may write to me about its products."


@pytest.fixture(autouse=True)
def _fresh_limits():
    # The per-IP rate limit and the idempotency guard live in the (process-wide) cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(admin_user):
    return WebForm.objects.create(
        name="Newsletter",
        key="newsletter",
        title="Get our newsletter",
        introduction="Tell us who you are and what you do.\n" * 6,
        fields=["first_name", "last_name", "email", "company_name", "job_title", "description"],
        required_fields=["last_name", "email"],
        ask_consent=True,
        consent_text=CONSENT,
        source=LeadSource.objects.get_or_create(name="Web")[0],
        created_by=admin_user,
    )


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


def test_an_unticked_consent_box_is_focused_and_its_error_in_view_on_a_phone(
    page, live_server, web_form
):
    page.goto(f"{live_server.url}/capture/{web_form.key}/")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_role("textbox", name="E-mail").fill("ida@holm.example")
    page.get_by_label("Description").fill("We are a small design studio.")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Send").click()
    assert response.value.status == 400

    expect(page.get_by_label(CONSENT)).to_be_focused()
    expect(page.get_by_text("Tick the box to give your consent.")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # below the fold: the page scrolled to it
    assert not Lead.objects.exists()


def test_the_first_field_with_an_error_is_focused_not_a_later_one(page, live_server, web_form):
    page.goto(f"{live_server.url}/capture/{web_form.key}/")
    page.get_by_role("textbox", name="E-mail").fill("ida@holm")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_label("Last name")).to_be_focused()
    expect(page.get_by_label("Last name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(CONSENT)).not_to_be_focused()
