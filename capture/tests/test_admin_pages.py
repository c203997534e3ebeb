"""The web form's admin pages: safe defaults and what to paste into a website."""

import html

import pytest
from django.urls import reverse

from capture.models import WebForm
from capture.tests.factories import WebFormFactory
from leads.models import Lead

pytestmark = pytest.mark.django_db


def test_a_new_web_form_creates_leads_as_the_administrator(as_admin, admin_user):
    response = as_admin.get(reverse("admin:capture_webform_add"))
    assert response.status_code == 200
    field = response.context["adminform"].form["created_by"]
    assert str(field.value()) == str(admin_user.pk)
    # No publishing section before the form exists.
    assert b'data-testid="embed-iframe"' not in response.content


def test_the_key_is_explained_as_part_of_the_public_url(as_admin, settings):
    settings.SITE_URL = "https://crm.example.com"
    response = as_admin.get(reverse("admin:capture_webform_add"))
    help_text = response.context["adminform"].form.fields["key"].help_text
    assert "public URL" in help_text
    assert "https://crm.example.com/capture/&lt;key&gt;/" in help_text
    # The admin shows help text as HTML: the placeholder must be escaped to be seen.
    assert "capture/&lt;key&gt;/" in response.content.decode()


def test_adding_a_form_with_the_default_owner(as_admin, admin_user):
    response = as_admin.post(
        reverse("admin:capture_webform_add"),
        {
            "name": "Contact us",
            "key": "contact-us",
            "is_active": "on",
            "fields": ["last_name", "email"],
            "required_fields": ["email"],
            "created_by": str(admin_user.pk),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert WebForm.objects.get(key="contact-us").created_by == admin_user


def test_the_change_page_shows_the_public_url_preview_and_embed_snippets(
    as_admin, admin_user, settings, client
):
    settings.SITE_URL = "https://crm.example.com"
    web_form = WebFormFactory(created_by=admin_user, key="spring-fair", title="Spring fair")
    response = as_admin.get(reverse("admin:capture_webform_change", args=[web_form.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    url = "https://crm.example.com/capture/spring-fair/"
    assert f'<code data-testid="public-url">{url}</code>' in page
    assert 'data-testid="preview-link">' in page
    assert 'href="/capture/spring-fair/"' in page

    def snippet(testid):
        start = page.index(f'data-testid="{testid}"><code>') + len(testid) + 21
        return html.unescape(page[start : page.index("</code>", start)])

    # Shown as text to copy, never as a live iframe or form inside the admin's own form.
    assert "&lt;iframe src=" in page and "<iframe" not in page
    assert "&lt;form method=" in page and 'name="fax_number_confirm"' not in page
    iframe = snippet("embed-iframe")
    assert iframe.startswith(f'<iframe src="{url}" title="Spring fair"')
    markup = snippet("embed-form")
    assert markup.startswith(f'<form method="post" action="{url}">')
    for name in web_form.fields:
        assert f'name="{name}"' in markup
    assert 'name="fax_number_confirm"' in markup  # the honeypot, hidden (as text on the page)
    assert "<script" not in page.split('data-testid="embed-form"')[1].split("</pre>")[0]

    # The markup really posts: the public view accepts exactly these fields.
    client.logout()
    answer = client.post(
        "/capture/spring-fair/",
        {"last_name": "Holm", "email": "holm@example.com", "fax_number_confirm": ""},
    )
    assert answer.status_code in (200, 302)
    assert Lead.objects.filter(email="holm@example.com").exists()


def test_the_list_still_links_the_public_address(as_admin, admin_user):
    WebFormFactory(created_by=admin_user, key="list-form")
    response = as_admin.get(reverse("admin:capture_webform_changelist"))
    assert b'href="/capture/list-form/"' in response.content
