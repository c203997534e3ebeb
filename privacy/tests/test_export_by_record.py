"""A person's data asked for from a record: the lead's or contact's "Personal data" action and
`manage.py export_person --lead ID / --contact ID` export everything found by the record's
e-mail address, or, for a record without one, that record alone."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Contact
from activities.services import log_activity
from leads.tests.factories import make_lead
from privacy.services import export_person

EMAIL = "anna.hansen@fabrikam.example"


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


@pytest.fixture
def no_address(alice):
    """Two leads without an e-mail address: one asked about, one someone else's."""
    asked = make_lead(owner=alice, first_name="Ida", last_name="Holm", email="", topic="Ida")
    make_lead(owner=alice, first_name="Ole", last_name="Olsen", email="", topic="Ole")
    return asked


def _sections(export):
    return {section.key: section.items for section in export.sections}


def test_a_record_with_an_address_exports_everything_found_by_it(anna, alice):
    contact = Contact.objects.create(owner_user=alice, last_name="Hansen", email=EMAIL)

    export = export_person(record=contact)

    assert export.email == EMAIL and export.subject == EMAIL
    leads = [item.pk for item in _sections(export)["leads"] if item.kind == "lead"]
    assert leads == [anna.pk]


def test_a_record_without_an_address_exports_that_record_alone(no_address):
    export = export_person(record=no_address)

    assert export.email == "" and export.subject == str(no_address)
    assert [i.pk for i in _sections(export)["leads"] if i.kind == "lead"] == [no_address.pk]
    data = json.dumps(export.as_json(), default=str)
    assert "Olsen" not in data  # the other lead without an address is not theirs
    assert _sections(export)["import_rows"] == [] and _sections(export)["import_files"] == []


def test_the_lead_page_offers_personal_data_to_who_may_export(anna, as_admin, client, alice):
    page = as_admin.get(f"/leads/{anna.pk}/").content.decode()
    assert f'href="/privacy/lead/{anna.pk}/"' in page and 'data-testid="personal-data"' in page

    client.force_login(alice)
    assert 'data-testid="personal-data"' not in client.get(f"/leads/{anna.pk}/").content.decode()


def test_the_contact_page_offers_personal_data_to_who_may_export(as_admin, alice):
    contact = Contact.objects.create(owner_user=alice, last_name="Hansen", email=EMAIL)

    page = as_admin.get(f"/accounts/contacts/{contact.pk}/").content.decode()

    assert f'href="/privacy/contact/{contact.pk}/"' in page


def test_the_record_export_page_lists_the_activities_with_labels(as_admin, anna):
    response = as_admin.get(f"/privacy/lead/{anna.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Called Anna Hansen" in page and "<dt" in page and "Subject" in page
    assert 'data-testid="export-section-activities"' in page

    response = as_admin.get(f"/privacy/lead/{anna.pk}/?format=json")
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["sections"]["leads"][0]["id"] == anna.pk


def test_the_record_export_page_refuses_a_rep_other_methods_and_unknown_records(
    as_alice, anna, client, admin_user
):
    assert as_alice.get(f"/privacy/lead/{anna.pk}/").status_code == 403
    client.force_login(admin_user)
    assert client.post(f"/privacy/lead/{anna.pk}/").status_code == 405
    assert client.get("/privacy/lead/999999/").status_code == 404
    assert client.get("/privacy/contact/999999/").status_code == 404


def test_the_command_exports_by_lead_or_contact(anna, alice, no_address):
    out = StringIO()
    call_command("export_person", "--lead", str(anna.pk), stdout=out)
    assert json.loads(out.getvalue())["email"] == EMAIL

    contact = Contact.objects.create(owner_user=alice, last_name="Berg", email="")
    out = StringIO()
    call_command("export_person", "--contact", str(contact.pk), "--format", "html", stdout=out)
    assert "Personal data held about Berg" in out.getvalue()

    out = StringIO()
    call_command("export_person", "--lead", str(no_address.pk), stdout=out)
    assert json.loads(out.getvalue())["subject"] == str(no_address)


@pytest.mark.parametrize(
    "args",
    [[], [EMAIL, "--lead", "1"], ["--lead", "999999"], ["--contact", "999999"]],
    ids=["nothing", "two", "no-such-lead", "no-such-contact"],
)
def test_the_command_refuses_unclear_or_unknown_arguments(db, args):
    with pytest.raises(CommandError):
        call_command("export_person", *args, stdout=StringIO())
