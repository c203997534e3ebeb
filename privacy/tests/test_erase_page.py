"""The erase page's confirmation: what is held, section by section with the export's counts,
and which fields the erasure empties, as the erasers do it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Contact
from activities.services import add_note, log_activity
from leads.services import update_lead
from leads.tests.factories import make_lead
from privacy.handlers import LEAD_ERASED
from privacy.services import export_person

EMAIL = "anna.hansen@fabrikam.example"


@pytest.fixture
def anna(alice):
    lead = make_lead(owner=alice)
    lead = update_lead(lead=lead, user=alice, data={"job_title": "Buyer"})
    log_activity(
        regarding=lead,
        user=alice,
        kind="phone_call",
        data={"subject": "Called Anna Hansen", "direction": "outgoing", "other_party": "Anna"},
        completed=True,
    )
    add_note(
        regarding=lead,
        user=alice,
        text="Met at the fair",
        upload=SimpleUploadedFile("cv.txt", b"Anna Hansen"),
        content_type="text/plain",
    )
    Contact.objects.create(owner_user=alice, first_name="Anna", last_name="Hansen", email=EMAIL)
    return lead


def _confirm(as_admin):
    response = as_admin.post("/privacy/erase/", {"email": EMAIL, "reason": "Asked"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_confirmation_counts_each_section_as_the_export_does(as_admin, anna):
    page = _confirm(as_admin)

    shown = dict(re.findall(r'data-testid="erase-section-(\w+)">[^<]*: <strong>(\d+)<', page))
    export = {s.key: len(s.items) for s in export_person(email=EMAIL).sections if s.items}
    assert {key: int(count) for key, count in shown.items()} == export
    assert export["leads"] == 1 and export["contacts"] == 1 and export["activities"] == 2
    assert export["history"] >= 5  # the lead's two, the contact's, the call's, the note's
    assert "Leads: <strong>1</strong>" in page
    assert "record is held" not in page  # the old count of leads and contacts alone


def test_the_confirmation_lists_the_fields_the_erasure_empties_the_topic_too(
    as_admin, anna, admin_user
):
    page = _confirm(as_admin)

    leads = re.search(r'data-testid="erase-fields-item">Leads: ([^<]*)</li>', page).group(1)
    assert leads.startswith("topic, salutation, first name, middle name, job title,")
    assert "e-mail" in leads and "mobile phone" in leads and "street" in leads
    assert "last name becomes “[erased]”" in leads
    assert 'data-testid="erase-fields-item">Contacts: ' in page
    assert "note attachments are deleted" in page

    # What it says is what is done: every lead field it names is empty after the erasure.
    data = {"email": EMAIL, "reason": "Asked", "confirmed": "1", "confirmed_email": EMAIL}
    assert as_admin.post("/privacy/erase/", data).status_code == 302
    anna.refresh_from_db()
    assert anna.topic == ""
    for name, value in LEAD_ERASED.items():
        assert getattr(anna, name) == value, name
