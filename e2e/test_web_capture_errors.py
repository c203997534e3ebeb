"""The public web-to-lead form when visitors (and bots) get it wrong: missing required data,
an invalid e-mail, a form with nothing identifying filled in, bad numbers, the honeypot, and
broken JSON posts. Every case: a clear message, no lead, never a 500."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from capture.models import Submission, WebForm
from leads.models import Lead, LeadSource


@pytest.fixture(autouse=True)
def _fresh_limits():
    # The per-IP rate limit and the idempotency guard live in the (process-wide) cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(admin_user):
    return WebForm.objects.create(
        name="Demo request",
        key="demo-request",
        title="Book a demo",
        fields=[
            "first_name",
            "last_name",
            "email",
            "company_name",
            "number_of_employees",
            "website",
        ],
        required_fields=["last_name", "email", "company_name"],
        source=LeadSource.objects.get_or_create(name="Web")[0],
        created_by=admin_user,
        thank_you_message="Thanks, we will call you within a day.",
    )


def send(page):
    """Click Send; the response to the POST (its status code is checked: never a 500)."""
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Send").click()
    return response.value


def test_missing_required_data_and_an_invalid_email_are_explained_and_nothing_is_stored(
    page, live_server, web_form
):
    page.goto(f"{live_server.url}/capture/{web_form.key}/?utm_source=linkedin&utm_campaign=q3")
    expect(page.get_by_role("heading", name="Book a demo")).to_be_visible()

    # Nothing filled in.
    assert send(page).status == 400
    form = page.get_by_test_id("capture-form")
    expect(form.get_by_text("This field is required.")).to_have_count(3)
    assert not Lead.objects.exists()

    # An invalid e-mail: that one field is explained, what was typed is kept.
    page.get_by_label("First name").fill("Ida")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("E-mail").fill("ida@holm")
    page.get_by_label("Company name").fill("Holm Design")
    page.get_by_label("Website").fill("not a web site")
    assert send(page).status == 400
    expect(form.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(form.get_by_text("Enter a valid URL.")).to_be_visible()
    expect(form.get_by_text("This field is required.")).to_have_count(0)
    expect(page.get_by_label("Last name")).to_have_value("Holm")
    expect(page.get_by_label("Company name")).to_have_value("Holm Design")
    assert not Lead.objects.exists()
    assert not Submission.objects.exists()

    # Negative head count, then fixed: one lead, and the campaign link's UTM values survived
    # the failed attempts.
    page.get_by_label("E-mail").fill("ida@holm.example")
    page.get_by_label("Number of employees").fill("-3")
    page.get_by_label("Website").fill("holm.example")
    assert send(page).status == 400
    expect(form.get_by_text("greater than or equal to 0")).to_be_visible()
    page.get_by_label("Number of employees").fill("40")
    assert send(page).status == 200
    expect(page.get_by_test_id("capture-message")).to_have_text(
        "Thanks, we will call you within a day."
    )
    lead = Lead.objects.get()
    assert (lead.email, lead.number_of_employees) == ("ida@holm.example", 40)
    assert lead.website == "https://holm.example"
    assert (lead.web_submission.utm_source, lead.web_submission.utm_campaign) == ("linkedin", "q3")


def test_a_form_with_no_required_field_still_needs_a_name_a_company_or_an_email(
    page, live_server, admin_user
):
    web_form = WebForm.objects.create(
        name="Newsletter",
        key="newsletter",
        fields=["first_name", "last_name", "email", "company_name"],
        required_fields=[],
        created_by=admin_user,
    )
    page.goto(f"{live_server.url}/capture/{web_form.key}/")
    page.get_by_label("First name").fill("Only")
    assert send(page).status == 400
    expect(page.get_by_test_id("capture-form")).to_contain_text(
        "Enter at least a last name, a company name or an e-mail address."
    )
    assert not Lead.objects.exists()
    page.get_by_label("Company name").fill("Only Ltd")
    assert send(page).status == 200
    expect(page.get_by_test_id("capture-message")).to_have_text(
        "Thank you! We will be in touch soon."
    )
    assert Lead.objects.get().company_name == "Only Ltd"


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(page, live_server, web_form):
    page.goto(f"{live_server.url}/capture/{web_form.key}/")
    # People never see the field (off-screen, out of the tab order); bots fill it.
    honeypot = page.locator("#id_fax_number_confirm")
    assert honeypot.get_attribute("tabindex") == "-1"
    assert honeypot.bounding_box()["x"] < 0
    page.get_by_label("Last name").fill("Bot")
    page.get_by_label("E-mail").fill("bot@spam.example")
    page.get_by_label("Company name").fill("Spam Inc")
    honeypot.fill("+1 555 0100")
    assert send(page).status == 200
    expect(page.get_by_test_id("capture-message")).to_have_text(
        "Thanks, we will call you within a day."
    )
    assert not Lead.objects.exists()
    assert not Submission.objects.exists()


def test_json_posts_with_bad_data_get_a_400_with_reasons_never_a_500(
    playwright, live_server, web_form
):
    api = playwright.request.new_context(base_url=live_server.url)
    url = f"/capture/{web_form.key}/"
    try:
        broken = api.post(url, headers={"Content-Type": "application/json"}, data="{not json")
        assert broken.status == 400
        assert broken.json() == {"detail": "The body is not a JSON object."}
        a_list = api.post(url, headers={"Content-Type": "application/json"}, data="[1, 2]")
        assert a_list.status == 400

        invalid = api.post(
            url,
            data={
                "last_name": "Holm",
                "email": "ida@holm",
                "company_name": ["not", "text"],  # ignored, so missing
                "number_of_employees": "about 40",
                "website": True,  # ignored: not text
            },
        )
        assert invalid.status == 400
        errors = invalid.json()
        assert errors["email"][0]["message"] == "Enter a valid email address."
        assert errors["company_name"][0]["code"] == "required"
        assert errors["number_of_employees"][0]["message"] == "Enter a whole number."
        assert "website" not in errors

        bot = api.post(
            url,
            data={
                "last_name": "Bot",
                "email": "bot@spam.example",
                "company_name": "Spam Inc",
                "fax_number_confirm": "1",
            },
        )
        assert bot.status == 201
        assert not Lead.objects.exists()

        other_site = api.post(
            url,
            headers={"Origin": "https://evil.example"},
            data={"last_name": "X", "email": "x@x.example", "company_name": "X"},
        )
        assert other_site.status == 403
        assert not Lead.objects.exists()
    finally:
        api.dispose()


def test_the_description_stops_at_its_limit_and_a_body_too_large_brings_the_form_back(
    page, live_server, web_form
):
    web_form.fields = [*web_form.fields, "description"]
    web_form.save()
    page.goto(f"{live_server.url}/capture/{web_form.key}/")
    description = page.get_by_label("Description")
    expect(page.get_by_text("Up to 10,000 characters.")).to_be_visible()
    description.fill("x" * 12_000)
    assert len(description.input_value()) == 10_000  # Chromium keeps to the maxlength

    # A page that lost its maxlength (an old copy of an embed) sends 3 MB: the form's own page.
    description.evaluate("element => element.removeAttribute('maxlength')")
    description.fill("x" * 3_000_000)
    page.get_by_label("Last name").fill("Holm")
    assert send(page).status == 400
    expect(page.get_by_role("heading", name="Book a demo")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "The submission is too large: at most 2.5\xa0MB can be sent."
    )
    assert not Lead.objects.exists()

    # The form is there again: the visitor sends what fits.
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("E-mail").fill("ida@holm.example")
    page.get_by_label("Company name").fill("Holm Design")
    page.get_by_label("Description").fill("A demo for ten people, please.")
    assert send(page).status == 200
    expect(page.get_by_test_id("capture-message")).to_have_text(
        "Thanks, we will call you within a day."
    )
    assert Lead.objects.get().description == "A demo for ten people, please."
