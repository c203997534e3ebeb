import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from activities.models import Note
from capture.forms import HONEYPOT_FIELD
from capture.models import Submission
from capture.tests.factories import WebFormFactory
from leads.models import Lead, LeadSource
from leads.tests.factories import CampaignFactory, make_lead

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Ida", "last_name": "Holm", "email": "ida@holm.example"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(alice):
    return WebFormFactory(
        created_by=alice,
        source=LeadSource.objects.get(name="Web"),
        campaign=CampaignFactory(),
        allowed_origins="https://www.example.com",
    )


def url(web_form):
    return f"/capture/{web_form.key}/"


def test_the_form_is_public_and_shows_the_chosen_fields(client, web_form):
    response = client.get(url(web_form), {"utm_source": "newsletter", "utm_medium": "email"})
    assert response.status_code == 200
    html = response.text
    for name in ("first_name", "last_name", "email", "company_name", "description"):
        assert f'name="{name}"' in html
    assert 'name="business_phone"' not in html
    assert 'name="utm_source" value="newsletter"' in html
    assert f'name="{HONEYPOT_FIELD}"' in html
    assert "<script" not in html
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.example.com" in policy
    assert "X-Frame-Options" not in response


def test_an_unknown_or_inactive_form_is_a_404(client, web_form):
    assert client.get("/capture/no-such-key/").status_code == 404
    web_form.is_active = False
    web_form.save()
    assert client.get(url(web_form)).status_code == 404


def test_other_methods_are_refused(client, web_form):
    assert client.put(url(web_form), {}).status_code == 405
    assert client.delete(url(web_form)).status_code == 405


def test_a_submission_creates_a_lead_with_source_campaign_and_tracking(client, web_form, alice):
    response = client.post(
        url(web_form),
        {
            **PERSON,
            "utm_source": "newsletter",
            "utm_medium": "email",
            "utm_campaign": "spring",
            "utm_term": "crm",
            "utm_content": "banner",
            "referrer_url": "https://www.example.com/pricing",
        },
    )
    assert response.status_code == 200
    assert "Thanks, we will call you." in response.text
    lead = Lead.objects.get()
    assert (lead.last_name, lead.email) == ("Holm", "ida@holm.example")
    assert lead.source == web_form.source
    assert lead.campaign == web_form.campaign
    assert lead.created_by == alice
    assert lead.owner == alice  # no routing rule matches: the form's user is the fallback
    submission = lead.web_submission
    assert (submission.utm_source, submission.utm_medium) == ("newsletter", "email")
    assert (submission.utm_campaign, submission.utm_term) == ("spring", "crm")
    assert submission.utm_content == "banner"
    assert submission.referrer_url == "https://www.example.com/pricing"


def test_routing_applies_to_web_leads(client, web_form, monkeypatch):
    from leads import services

    calls, create_lead = [], services.create_lead
    monkeypatch.setattr(
        "capture.services.create_lead",
        lambda **kwargs: calls.append(kwargs) or create_lead(**kwargs),
    )
    client.post(url(web_form), PERSON)
    assert calls[0]["route"] is True
    assert "owner" not in calls[0]


def test_a_json_submission(client, web_form):
    response = client.post(
        url(web_form),
        {**PERSON, "utm_source": "ads"},
        content_type="application/json",
        HTTP_ORIGIN="https://www.example.com",
    )
    assert response.status_code == 201
    assert response.json()["ok"] is True
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert Lead.objects.get().web_submission.utm_source == "ads"


def test_invalid_json_input_is_a_400_and_stores_nothing(client, web_form):
    response = client.post(
        url(web_form), {"first_name": "X", "email": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert {"last_name", "email"} <= set(response.json())
    response = client.post(url(web_form), "[1", content_type="application/json")
    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_a_deeply_nested_json_body_is_the_forms_own_400(client, web_form):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(url(web_form), body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Lead.objects.exists()


def _multipart(boundary, *parts):
    body = b""
    for name, value in parts:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        # Past DATA_UPLOAD_MAX_MEMORY_SIZE (settings.py keeps Django's 2.5 MB).
        ("first_name=" + "x" * 2_700_000, "application/x-www-form-urlencoded", "is too large"),
        (_multipart("b0", ("first_name", b"x" * 2_700_000)), "multipart/form-data; boundary=b0",
         "is too large"),
        # Past DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000).
        ("&".join(f"f{n}=1" for n in range(1_001)), "application/x-www-form-urlencoded",
         "has too many fields"),
        (_multipart("b1", *((f"f{n}", b"1") for n in range(1_001))),
         "multipart/form-data; boundary=b1", "has too many fields"),
        # Multipart without a boundary, and with one that is not ASCII.
        (b"first_name=Ida", "multipart/form-data", "could not be read"),
        (b"--\xff\r\n", "multipart/form-data; boundary=\xff", "could not be read"),
    ],
)  # fmt: skip
def test_a_body_django_cannot_read_is_the_forms_own_400_page(
    client, web_form, body, content_type, message
):
    response = client.post(url(web_form), body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'data-testid="capture-message"' in response.text  # the form's page, not Django's
    assert f"The submission {message}" in response.text
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"first_name": "' + "x" * 2_700_000 + '"}',  # past DATA_UPLOAD_MAX_MEMORY_SIZE
        '{"first_name": "Ida", "last_name": [' * 50_000,  # nested, and never closed
        '{"first_name": ' + "1" * 5_000 + "}",  # an integer longer than Python reads
        b'{"first_name": "\xff"}',  # not UTF-8
    ],
)
def test_a_json_body_it_cannot_read_is_a_json_400(client, web_form, body):
    response = client.post(url(web_form), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        ("The submission is too large: at most 2.5\xa0MB", "The body is not a JSON object.")
    )
    assert not Lead.objects.exists()


def test_a_huge_field_under_the_size_limit_is_a_form_error(client, web_form):
    response = client.post(url(web_form), {**PERSON, "first_name": "x" * 1_000_000})
    assert response.status_code == 400
    assert "at most" in response.text  # the field's max_length message
    response = client.post(
        url(web_form), {**PERSON, "last_name": "x" * 1_000_000}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "last_name" in response.json()
    assert not Lead.objects.exists()


def test_invalid_form_input_re_renders_with_messages(client, web_form):
    response = client.post(url(web_form), {"first_name": "Ida", "utm_source": "ads"})
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert 'name="utm_source" value="ads"' in response.text
    assert 'value="Ida"' in response.text
    assert not Lead.objects.exists()


def test_the_honeypot_pretends_success_and_stores_nothing(client, web_form):
    response = client.post(url(web_form), {**PERSON, HONEYPOT_FIELD: "http://spam.example"})
    assert response.status_code == 200
    assert "Thanks" in response.text
    assert not Lead.objects.exists()


def test_a_double_submit_makes_one_lead(client, web_form):
    client.post(url(web_form), PERSON)
    response = client.post(url(web_form), {**PERSON, "email": " IDA@holm.example "})
    assert response.status_code == 200
    assert Lead.objects.count() == 1
    client.post(url(web_form), {**PERSON, "description": "Something else"})
    assert Lead.objects.count() == 2


def test_the_same_submission_after_the_window_makes_a_new_lead(client, web_form, settings):
    import time_machine

    with time_machine.travel("2026-06-01 10:00", tick=False):
        client.post(url(web_form), PERSON)
    cache.clear()
    with time_machine.travel("2026-06-01 10:11", tick=False):
        client.post(url(web_form), PERSON)
    assert Lead.objects.count() == 2


def test_the_idempotency_window_is_configurable(client, web_form, settings):
    settings.CAPTURE_IDEMPOTENCY_WINDOW = 0
    client.post(url(web_form), PERSON)
    client.post(url(web_form), PERSON)
    assert Lead.objects.count() == 2


def test_the_rate_limit_answers_429_past_the_limit_per_ip(client, web_form, settings):
    settings.CAPTURE_RATE_LIMIT_PER_MINUTE = 3
    for index in range(3):
        response = client.post(url(web_form), {**PERSON, "email": f"p{index}@x.example"})
        assert response.status_code == 200
    response = client.post(url(web_form), {**PERSON, "email": "p9@x.example"})
    assert response.status_code == 429
    response = client.post(
        url(web_form), {**PERSON, "email": "p9@x.example"}, content_type="application/json"
    )
    assert response.status_code == 429
    assert "detail" in response.json()
    # Another address is not affected.
    response = client.post(
        url(web_form), {**PERSON, "email": "q@x.example"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert Lead.objects.count() == 4


def test_a_client_written_x_forwarded_for_does_not_dodge_the_limit(client, web_form, settings):
    settings.CAPTURE_RATE_LIMIT_PER_MINUTE = 1
    client.post(url(web_form), PERSON, HTTP_X_FORWARDED_FOR="1.1.1.1")
    response = client.post(url(web_form), PERSON, HTTP_X_FORWARDED_FOR="2.2.2.2")
    assert response.status_code == 429


def test_behind_our_proxy_the_last_forwarded_address_counts(client, web_form, settings):
    settings.CAPTURE_RATE_LIMIT_PER_MINUTE = 1
    settings.CAPTURE_TRUST_X_FORWARDED_FOR = True
    client.post(url(web_form), PERSON, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1")
    response = client.post(url(web_form), PERSON, HTTP_X_FORWARDED_FOR="9.9.9.9, 2.2.2.2")
    assert response.status_code == 200


def test_posts_from_a_site_not_allowed_are_refused(client, web_form):
    response = client.post(url(web_form), PERSON, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Lead.objects.exists()
    response = client.post(url(web_form), PERSON, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200


def test_the_cors_preflight_for_an_allowed_site(client, web_form):
    response = client.options(url(web_form), HTTP_ORIGIN="https://www.example.com")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert client.options(url(web_form), HTTP_ORIGIN="https://evil.example").status_code == 403


def test_a_thank_you_page_redirects_and_is_allowed_as_form_action(client, web_form):
    web_form.thank_you_url = "https://www.example.com/thanks"
    web_form.save()
    response = client.post(url(web_form), PERSON)
    assert response.status_code == 302
    assert response["Location"] == "https://www.example.com/thanks"
    assert "form-action 'self' https://www.example.com" in response["Content-Security-Policy"]


def test_possible_duplicates_are_flagged_on_the_lead(client, web_form, alice):
    existing = make_lead(owner=alice, email="ida@holm.example", last_name="Holm")
    client.post(url(web_form), PERSON)
    lead = Lead.objects.exclude(pk=existing.pk).get()
    flags = lead.web_submission.possible_duplicates
    assert flags[0]["type"] == "lead"
    assert flags[0]["id"] == existing.pk
    note = Note.objects.regarding(lead).get()
    assert "Possible duplicates" in note.text
    assert f"#{existing.pk}" in note.text


def test_a_web_form_checks_its_fields_and_origins(alice):
    form = WebFormFactory.build(created_by=alice, fields=["first_name", "password"])
    with pytest.raises(ValidationError) as error:
        form.full_clean()
    assert "fields" in error.value.message_dict
    form = WebFormFactory.build(
        created_by=alice,
        fields=["first_name"],
        required_fields=["email"],
        allowed_origins="www.example.com",
    )
    with pytest.raises(ValidationError) as error:
        form.full_clean()
    assert set(error.value.message_dict) == {"fields", "required_fields", "allowed_origins"}


def test_the_admin_creates_a_web_form(as_admin, admin_user):
    response = as_admin.post(
        "/admin/capture/webform/add/",
        {
            "name": "Demo request",
            "key": "demo-request",
            "is_active": "on",
            "fields": ["email", "last_name", "company_name"],
            "required_fields": ["email"],
            "created_by": admin_user.pk,
            "thank_you_message": "Thanks",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    from capture.models import WebForm

    web_form = WebForm.objects.get(key="demo-request")
    assert web_form.fields == ["last_name", "email", "company_name"]
    assert as_admin.get("/admin/capture/webform/").status_code == 200
    assert as_admin.get("/admin/capture/submission/").status_code == 200


def test_submissions_are_kept_per_form(client, web_form):
    client.post(url(web_form), PERSON)
    assert Submission.objects.filter(web_form=web_form).count() == 1


def test_the_demo_web_form_is_seeded_once(db):
    from django.core.management import call_command

    from capture.models import WebForm

    call_command("seed_demo")
    call_command("seed_demo")
    web_form = WebForm.objects.get(key="contact-us")
    web_form.full_clean()
    assert web_form.source.name == "Web"
