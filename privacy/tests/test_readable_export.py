"""The readable export: the staff page in the app's layout, the command's printable file with
its own style; field labels, not column names; no internal columns; dates in the reader's
format. And the erasure's reason: stored in English, shown in the reader's language."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from activities.services import log_activity
from crm.history import describe_reason
from leads.tests.factories import make_lead
from privacy.handlers import ERASURE_REASON
from privacy.services import erase_person, export_person

EMAIL = "anna.hansen@fabrikam.example"
INTERNAL = ("search_text", "history_id", "Search text", "email_key", "name_key", "Version")


@pytest.fixture
def anna(alice):
    lead = make_lead(owner=alice)
    log_activity(
        regarding=lead,
        user=alice,
        kind="phone_call",
        data={"subject": "Called Anna Hansen", "direction": "outgoing", "other_party": "Anna"},
        completed=True,
    )
    return lead


def test_the_page_shows_labels_and_dates_and_leaves_out_internal_columns(as_admin, anna):
    response = as_admin.post("/privacy/", {"email": EMAIL, "format": "html"}, follow=True)
    page = response.content.decode()

    assert 'data-testid="user-menu"' in page  # the app's layout
    assert '<dt class="col-sm-4">E-mail</dt>' in page
    assert '<dt class="col-sm-4">Subject</dt>' in page
    assert '<dt class="col-sm-4">Owner (user)</dt>' in page and "Alice Adams" in page
    created = formats.date_format(timezone.localtime(anna.created_at), "SHORT_DATETIME_FORMAT")
    assert created in page
    assert anna.created_at.isoformat() not in page
    for internal in INTERNAL:
        assert f">{internal}<" not in page, internal
    assert '<dt class="col-sm-4">Changed at</dt>' in page  # the history entries say when


def test_an_item_shows_only_the_filled_in_fields_a_person_reads(anna):
    export = export_person(email=EMAIL)
    lead = next(i for s in export.sections for i in s.items if i.kind == "lead")
    labels = [label for label, _text in lead.shown]

    assert "Last name" in labels and "Middle name" not in labels  # empty: left out
    assert not {"Id", "Search text", "Version"} & set(labels)
    assert dict(lead.shown)["Owner (user)"] == "Alice Adams"  # a name, not an id
    values = {name: value for name, _label, value in lead.fields}
    assert values["owner_user_id"] == anna.owner_user_id  # the JSON keeps the id


def test_the_command_writes_a_printable_page_of_its_own(anna):
    out = StringIO()
    call_command("export_person", EMAIL, "--format", "html", stdout=out)
    html = out.getvalue()

    assert html.startswith("<!doctype html>") and "<style>" in html and "@media print" in html
    assert "<link" not in html and "<script" not in html
    assert "Personal data held about anna.hansen@fabrikam.example" in html
    assert '<dt class="col-sm-4">Subject</dt>' in html and "Called Anna Hansen" in html


def test_the_erasure_reason_is_stored_in_english_and_shown_in_the_readers_language(
    anna, admin_user, as_admin
):
    with translation.override("da"):
        erase_person(email=EMAIL, user=admin_user, reason="Asked")
        assert describe_reason(ERASURE_REASON) == gettext(ERASURE_REASON)

    assert anna.history.first().history_change_reason == "Personal data erased"
    page = as_admin.get(f"/leads/{anna.pk}/history/").content.decode()
    assert "Personal data erased" in page
