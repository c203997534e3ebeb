"""The Web forms pages: a manager keeps the web forms of their teams (those that create their
leads as a member of a team they manage), never another team's; a rep is refused."""

import html

import pytest
from django.urls import reverse

from capture.models import WebForm
from capture.tests.factories import WebFormFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def north_form(alice):
    return WebFormFactory(name="North fair", key="north-fair", created_by=alice)


@pytest.fixture
def south_form(carol):
    return WebFormFactory(name="South fair", key="south-fair", created_by=carol)


def form_post(web_form, **changes):
    data = {
        "name": web_form.name,
        "key": web_form.key,
        "is_active": "on",
        "language": "",
        "title": web_form.title,
        "introduction": "",
        "fields": web_form.fields,
        "required_fields": web_form.required_fields,
        "source": "",
        "campaign": "",
        "created_by": web_form.created_by_id,
        "thank_you_url": "",
        "thank_you_message": web_form.thank_you_message,
        "allowed_origins": "",
        "expected_version": web_form.version,
    }
    return {**data, **changes}


def test_a_manager_lists_the_forms_of_their_teams_only(as_manager, north_form, south_form):
    response = as_manager.get(reverse("webforms:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "North fair" in text and "/capture/north-fair/" in text
    assert "South fair" not in text


def test_an_administrator_lists_every_form(as_admin, north_form, south_form):
    text = as_admin.get(reverse("webforms:list")).content.decode()
    assert "North fair" in text and "South fair" in text


def test_a_salesperson_is_refused(as_alice, north_form):
    assert as_alice.get(reverse("webforms:list")).status_code == 403
    assert as_alice.get(reverse("webforms:edit", args=[north_form.pk])).status_code == 403
    assert as_alice.get(reverse("webforms:new")).status_code == 403
    assert reverse("webforms:list") not in as_alice.get(reverse("leads:list")).content.decode()


def test_the_menu_offers_the_page_to_the_manager(as_manager):
    assert reverse("webforms:list") in as_manager.get(reverse("leads:list")).content.decode()


def test_the_wrong_method_is_refused(as_manager):
    assert as_manager.post(reverse("webforms:list")).status_code == 405


def test_the_public_form_stays_where_it_was(client, north_form):
    assert reverse("capture:form", args=["north-fair"]) == "/capture/north-fair/"
    assert client.get("/capture/north-fair/").status_code == 200


def test_a_manager_edits_their_teams_form(as_manager, manager, north_form, bob):
    response = as_manager.post(
        reverse("webforms:edit", args=[north_form.pk]),
        form_post(
            north_form,
            created_by=bob.pk,
            language="da",
            allowed_origins="https://www.example.com",
            thank_you_message="Tak!",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    north_form.refresh_from_db()
    assert (north_form.created_by, north_form.language, north_form.version) == (bob, "da", 2)
    assert north_form.origins == ["https://www.example.com"]
    record = north_form.history.first()
    assert record.history_user == manager and record.history_change_reason == "Changed in the app"


def test_the_edit_page_shows_the_public_url_and_the_embed_snippets(
    as_manager, north_form, settings
):
    settings.SITE_URL = "https://crm.example.com"
    page = as_manager.get(reverse("webforms:edit", args=[north_form.pk])).content.decode()
    url = "https://crm.example.com/capture/north-fair/"
    assert f'<code data-testid="public-url">{url}</code>' in page
    assert html.escape(f'<iframe src="{url}"', quote=True) in page  # shown, never rendered
    assert html.escape(f'<form method="post" action="{url}">', quote=True) in page
    assert 'name="fax_number_confirm"' not in page  # the honeypot only as text


def test_a_new_form_creates_leads_as_the_manager_by_default(as_manager, manager):
    response = as_manager.get(reverse("webforms:new"))
    assert str(response.context["form"]["created_by"].value()) == str(manager.pk)
    data = form_post(
        WebForm(name="Spring", key="spring", fields=["last_name"], created_by=manager),
        expected_version="",
    )
    assert as_manager.post(reverse("webforms:new"), data).status_code == 302
    assert WebForm.objects.get(key="spring").created_by == manager


def test_a_manager_cannot_open_another_teams_form(as_manager, south_form, alice):
    url = reverse("webforms:edit", args=[south_form.pk])
    assert as_manager.get(url).status_code == 404
    assert as_manager.post(url, form_post(south_form, created_by=alice.pk)).status_code == 404
    south_form.refresh_from_db()
    assert south_form.created_by.username == "carol"


def test_a_manager_cannot_create_leads_as_someone_outside_their_teams(
    as_manager, north_form, carol
):
    response = as_manager.post(
        reverse("webforms:edit", args=[north_form.pk]), form_post(north_form, created_by=carol.pk)
    )
    assert response.status_code == 200
    assert "created_by" in response.context["form"].errors
    north_form.refresh_from_db()
    assert north_form.created_by.username == "alice"


def test_a_stale_edit_is_refused(as_manager, north_form):
    url = reverse("webforms:edit", args=[north_form.pk])
    as_manager.post(url, form_post(north_form, name="First"))
    response = as_manager.post(url, form_post(north_form, name="Second", expected_version=1))
    assert "after this page was opened" in response.content.decode()
    north_form.refresh_from_db()
    assert north_form.name == "First"


def test_the_query_count_of_the_list(as_manager, alice, bob, django_assert_num_queries):
    for n in range(4):
        WebFormFactory(created_by=[alice, bob][n % 2])
    as_manager.get(reverse("webforms:list"))
    # session, user (with their permissions), the scope, the forms with source, campaign and
    # creator
    with django_assert_num_queries(4):
        response = as_manager.get(reverse("webforms:list"))
    assert response.content.decode().count('data-testid="web-form-row"') == 4


def test_the_edit_page_shows_who_changed_the_form(as_manager, north_form):
    url = reverse("webforms:edit", args=[north_form.pk])
    as_manager.post(url, form_post(north_form, name="North fair 2027"))
    (newest, *_older) = as_manager.get(url).context["history"].entries
    assert (newest.who, newest.reason) == ("Maria Manning", "Changed in the app")
    assert [(c.label, c.old, c.new) for c in newest.changes] == [
        ("Name", "North fair", "North fair 2027")
    ]


def test_the_key_is_explained_with_its_placeholder_shown(as_manager, settings):
    settings.SITE_URL = "https://crm.example.com"
    page = as_manager.get(reverse("webforms:new")).content.decode()
    assert "https://crm.example.com/capture/&lt;key&gt;/" in page
