"""What the public form says when a submission goes wrong: a body it cannot read comes back
as the form's own page (heading, reason, limit, the form again); the description has a limit
the browser and the server agree on; the one-of-three rule is said once, never beside a
"required" that already says it; the demo form's origins follow SITE_URL."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from capture.models import WebForm
from capture.tests.factories import WebFormFactory
from leads.models import Lead

pytestmark = pytest.mark.django_db

RULE = "Enter at least a last name, a company name or an e-mail address."
REQUIRED = "This field is required."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(alice):
    # As the demo form: last name and e-mail required, company name and description optional.
    return WebFormFactory(created_by=alice, title="Talk to our sales team")


def url(web_form):
    return f"/capture/{web_form.key}/"


def errors_of(html, name):
    """The error messages crispy renders inside one field's block."""
    block = html.split(f'id="div_id_{name}"', 1)[1].split('id="div_id_', 1)[0]
    return re.findall(r'<p id="error_\d+_id_[a-z_]+"><strong>(.*?)</strong></p>', block)


def assert_the_form_again_with(response, message):
    html = response.text.replace("\xa0", " ")  # filesizeformat keeps "2.5 MB" on one line
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert '<h1 class="h4">Talk to our sales team</h1>' in html
    assert 'role="alert" data-testid="capture-message"' in html
    assert message in html
    assert 'data-testid="capture-form"' in html
    assert 'name="last_name"' in html and "Send</button>" in html
    assert 'href="/static/css/crm.css"' in html
    assert not Lead.objects.exists()


def test_a_broken_multipart_body_shows_the_form_again_with_the_reason(client, web_form):
    response = client.post(url(web_form), b"last_name=Holm", content_type="multipart/form-data")
    assert_the_form_again_with(
        response,
        "The submission could not be read. Please fill in the form and send it again.",
    )


@pytest.mark.parametrize("content_type", ["form", "multipart"])
def test_a_body_past_the_size_limit_shows_the_form_again_with_the_limit(
    client, web_form, content_type
):
    description = "x" * 3_000_000
    if content_type == "form":
        response = client.post(
            url(web_form),
            f"last_name=Holm&description={description}",
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post(url(web_form), {"last_name": "Holm", "description": description})
    assert_the_form_again_with(
        response, "The submission is too large: at most 2.5 MB can be sent."
    )


def test_the_size_limit_said_follows_the_setting(client, web_form, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = client.post(url(web_form), {"last_name": "Holm", "description": "x" * 1_100_000})
    assert_the_form_again_with(response, "at most 1.0 MB can be sent.")


def test_too_many_fields_says_how_many_are_allowed(client, web_form):
    body = "&".join(f"f{n}=1" for n in range(1_001))
    response = client.post(url(web_form), body, content_type="application/x-www-form-urlencoded")
    assert_the_form_again_with(response, "The submission has too many fields: at most 1,000.")


def test_a_json_body_past_the_limit_says_the_limit(client, web_form):
    body = '{"last_name": "' + "x" * 2_700_000 + '"}'
    response = client.post(url(web_form), body, content_type="application/json")
    assert response.status_code == 400
    detail = response.json()["detail"].replace("\xa0", " ")
    assert detail == "The submission is too large: at most 2.5 MB can be sent."


def test_the_description_states_its_limit_and_the_textarea_stops_there(client, web_form):
    html = client.get(url(web_form)).text
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'name="description"' in textarea
    assert 'maxlength="10000"' in textarea
    assert "Up to 10,000 characters." in html


def test_the_server_refuses_a_description_past_the_limit(client, web_form):
    person = {"last_name": "Holm", "email": "ida@holm.example"}
    response = client.post(url(web_form), {**person, "description": "x" * 10_001})
    assert response.status_code == 400
    assert errors_of(response.text, "description") == [
        "Ensure this value has at most 10000 characters (it has 10001)."
    ]
    response = client.post(
        url(web_form), {**person, "description": "x" * 10_001}, content_type="application/json"
    )
    assert response.json()["description"][0]["code"] == "max_length"
    assert not Lead.objects.exists()


def test_line_breaks_count_once_as_in_the_browser_and_are_kept(client, web_form):
    # 10,000 characters as the textarea counts them; the browser sends each break as CR LF.
    typed = "\n".join(["line"] * 2_000)[:10_000].ljust(10_000, "x")
    assert len(typed) == 10_000
    sent = typed.replace("\n", "\r\n")
    response = client.post(
        url(web_form), {"last_name": "Holm", "email": "ida@holm.example", "description": sent}
    )
    assert response.status_code == 200
    assert Lead.objects.get().description == typed


def test_an_empty_multipart_body_says_required_once_per_field_without_the_rule(client, web_form):
    response = client.post(
        url(web_form), b"--b0--\r\n", content_type="multipart/form-data; boundary=b0"
    )
    assert response.status_code == 400
    html = response.text
    assert errors_of(html, "last_name") == [REQUIRED]
    assert errors_of(html, "email") == [REQUIRED]
    assert errors_of(html, "company_name") == []
    assert RULE not in html
    json = client.post(url(web_form), {}, content_type="application/json").json()
    assert json["last_name"] == [{"message": REQUIRED, "code": "required"}]


def test_with_none_of_the_three_required_the_rule_is_said_once_on_the_first(client, alice):
    web_form = WebFormFactory(created_by=alice, required_fields=[], title="Newsletter")
    response = client.post(url(web_form), {"first_name": "Only"})
    assert response.status_code == 400
    assert errors_of(response.text, "last_name") == [RULE]
    assert response.text.count(RULE) == 1
    response = client.post(url(web_form), {"first_name": "Only", "company_name": "Only Ltd"})
    assert response.status_code == 200
    assert Lead.objects.get().company_name == "Only Ltd"


def test_a_form_without_a_last_name_names_only_the_fields_it_shows(client, alice):
    web_form = WebFormFactory(
        created_by=alice, fields=["first_name", "email", "company_name"], required_fields=[]
    )
    response = client.post(url(web_form), {"first_name": "Only"})
    assert response.status_code == 400  # was a 500: the rule was put on a field not shown
    assert errors_of(response.text, "email") == ["Enter a company name or an e-mail address."]
    assert RULE not in response.text
    json = client.post(url(web_form), {"first_name": "Only"}, content_type="application/json")
    assert json.status_code == 400
    assert set(json.json()) == {"email"}


def test_an_invalid_email_is_explained_alone(client, alice):
    web_form = WebFormFactory(created_by=alice, required_fields=[])
    response = client.post(url(web_form), {"email": "ida@holm"})
    assert response.status_code == 400
    assert errors_of(response.text, "email") == ["Enter a valid email address."]
    assert RULE not in response.text


def test_the_only_one_of_the_three_shown_is_required_and_starred(client, alice):
    web_form = WebFormFactory(
        created_by=alice, fields=["first_name", "company_name"], required_fields=[]
    )
    html = client.get(url(web_form)).text
    label = html.split('id="div_id_company_name"', 1)[1].split("</label>", 1)[0]
    assert 'class="asteriskField"' in label
    response = client.post(url(web_form), {"first_name": "Only"})
    assert errors_of(response.text, "company_name") == [REQUIRED]
    assert RULE not in response.text


def test_the_demo_form_allows_the_sites_own_address_on_its_port(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8765"
    call_command("seed_demo", verbosity=0)
    web_form = WebForm.objects.get(key="contact-us")
    assert web_form.origins == ["http://127.0.0.1:8765", "http://localhost:8765"]
    web_form.full_clean()
    policy = client.get(url(web_form))["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://127.0.0.1:8765 http://localhost:8765" in policy
    assert ":8000" not in policy


def test_a_public_site_url_is_the_demo_forms_one_origin(settings):
    settings.SITE_URL = "https://crm.example.com"
    call_command("seed_demo", verbosity=0)
    assert WebForm.objects.get(key="contact-us").origins == ["https://crm.example.com"]


def test_a_demo_seeded_with_the_old_fixed_origins_follows_the_port(settings):
    settings.SITE_URL = "http://127.0.0.1:8765"
    call_command("seed_demo", verbosity=0)
    WebForm.objects.filter(key="contact-us").update(
        allowed_origins="http://127.0.0.1:8000\nhttp://localhost:8000"
    )
    call_command("seed_demo", verbosity=0)
    assert WebForm.objects.get(key="contact-us").origins[0] == "http://127.0.0.1:8765"
    # An origin someone chose in the admin is theirs: seeding again leaves it.
    WebForm.objects.filter(key="contact-us").update(allowed_origins="https://www.example.com")
    call_command("seed_demo", verbosity=0)
    assert WebForm.objects.get(key="contact-us").origins == ["https://www.example.com"]
