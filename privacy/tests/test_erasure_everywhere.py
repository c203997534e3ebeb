"""Erasure reaches every copy: after erasing a person who has been through everything the
product does (a lead with activities, a note with a file, an inquiry, a merge, a web form, an
import with a rejected row, qualification into an account, a contact and an opportunity, a
background task, the admin's log), no column of any table (history and task results
included) and no stored file holds their e-mail address, phone number or name; the reports
count the same; the tombstone is kept."""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django_tasks_db.models import DBTaskResult

from accounts.models import Account, Contact
from activities.services import add_inquiry, add_note, log_activity
from capture.tests.factories import WebFormFactory
from crm.search_index import INDEXES
from crm.tasks import send_email
from leads.imports.models import ImportBatch, ImportRowError
from leads.imports.services import start_import, upload_import
from leads.merge import merge_leads
from leads.models import Lead
from leads.services import qualify_lead
from leads.tests.factories import make_lead
from opportunities.models import Opportunity
from privacy.models import Erasure
from privacy.services import erase_person, export_person
from reports.lead_sources import CSV_COLUMNS, lead_source_report
from reports.queries import Criteria

EMAIL = "anna.hansen@fabrikam.example"
PHONE = "+45 33 88 11 00"
MOBILE = "+45 20 11 22 33"
FULL_NAME = "Anna Hansen"
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
}


def _digits(text):
    return re.sub(r"\D", "", text)


def _file_text(stored):
    try:
        with stored.open("rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except (FileNotFoundError, ValueError):
        return ""


def leaks():
    """(table, column) of every row of every model (historical ones and django-tasks-db's
    results included) whose text, JSON or stored file holds the e-mail address, the phone
    numbers' digits or the full name."""
    needles = [EMAIL.lower(), FULL_NAME.lower()]
    phones = [_digits(PHONE)[-8:], _digits(MOBILE)[-8:]]
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            kinds = models.CharField | models.TextField | models.JSONField | models.FileField
            if not isinstance(field, kinds):
                continue
            for row in model._base_manager.all().iterator():
                value = getattr(row, field.attname)
                if isinstance(field, models.FileField):
                    value = _file_text(value) if value else ""
                text = json.dumps(value, ensure_ascii=False).lower()
                if any(n in text for n in needles) or any(p in _digits(text) for p in phones):
                    found.add((model._meta.db_table, field.attname))
    return sorted(found)


def report_table():
    report = lead_source_report(user=None, criteria=Criteria())
    rows = {row.label: [row.cell(c) for c in CSV_COLUMNS] for row in report.rows}
    return rows, [report.totals.cell(c) for c in CSV_COLUMNS]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def anna(alice, bob, manager, admin_user, media, settings, django_capture_on_commit_callbacks):
    """Anna Hansen, everywhere."""
    lead = make_lead(owner=alice, topic=f"{FULL_NAME} wants laptops")
    log_activity(
        regarding=lead,
        user=alice,
        kind="phone_call",
        data={"subject": f"Called {FULL_NAME}", "direction": "outgoing", "other_party": "Anna"},
        completed=True,
    )
    add_note(
        regarding=lead,
        user=alice,
        text=f"Her mobile is {MOBILE}",
        upload=SimpleUploadedFile("cv.txt", f"{FULL_NAME}, {EMAIL}".encode()),
        content_type="text/plain",
    )
    add_inquiry(regarding=lead, user=alice, data={"title": f"{FULL_NAME} asks for a quote"})
    # A duplicate of hers merged into the first, taking its mobile number.
    duplicate = make_lead(owner=alice, mobile_phone=MOBILE, topic="Laptops")
    merge_leads(user=alice, master=lead, others=[duplicate], take={"mobile_phone": duplicate.pk})
    # A web form she filled in.
    web_form = WebFormFactory(created_by=alice)
    data = {"last_name": "Hansen", "first_name": "Anna", "email": EMAIL}
    data["referrer_url"] = f"https://x.example/?e={EMAIL}"
    assert Client().post(f"/capture/{web_form.key}/", data).status_code == 200
    # An import whose row of hers was rejected (a status it cannot map), another's taken.
    csv = (
        "First Name,Last Name,Company,E-mail,Lead Status\r\n"
        f"Anna,Hansen,Fabrikam A/S,{EMAIL},Junk Lead\r\n"
        "Ole,Olsen,Contoso,ole@contoso.example,\r\n"
    ).encode()
    batch = upload_import(
        uploaded_file=SimpleUploadedFile("people.csv", csv, "text/csv"), user=manager
    )
    with django_capture_on_commit_callbacks(execute=True):
        start_import(batch=batch, dry_run=False)
    assert ImportRowError.objects.filter(cells__icontains=EMAIL).exists()
    # Qualified into an account (the company, where a colleague of hers is a contact too),
    # a contact and an opportunity.
    lead.refresh_from_db()
    qualification = qualify_lead(
        lead=lead, user=alice, create_account=True, create_contact=True, create_opportunity=True
    )
    Contact.objects.create(
        owner_user=alice, first_name="Bo", last_name="Berg", account=qualification.account
    )
    # A background task with her address in its arguments, one whose result and traceback
    # name her.
    settings.TASKS = DATABASE_TASKS
    send_email.enqueue(to=EMAIL, subject=f"Hello {FULL_NAME}", body="...")
    failed = send_email.enqueue(to="sales@example.com", subject="Daily list", body="...")
    DBTaskResult.objects.filter(pk=failed.id).update(
        return_value={"lead": FULL_NAME}, traceback=f"ValueError: {EMAIL} bounced"
    )
    # The admin's log of a change to her lead.
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=str(lead.pk),
        object_repr=str(lead),
        action_flag=CHANGE,
        change_message=f"Changed e-mail to {EMAIL}",
    )
    return qualification


@pytest.fixture
def anne(alice):
    """Someone else with a similar name, who stays."""
    return make_lead(
        owner=alice,
        first_name="Anne",
        last_name="Hansen",
        email="anne@x.example",
        business_phone="",
    )


def test_after_erasure_no_table_or_file_holds_her_address_phone_or_name(anna, anne, admin_user):
    before = report_table()
    assert ("leads_historicallead", "email") in leaks()
    assert ("django_tasks_database_dbtaskresult", "args_kwargs") in leaks()
    assert ("imports_importbatch", "file") in leaks()

    erasure = erase_person(email=EMAIL, user=admin_user, reason="Asked to be forgotten")

    remaining = leaks()
    assert remaining == [], remaining
    assert report_table() == before
    assert Erasure.objects.get() == erasure and erasure.matches(EMAIL)
    assert erasure.counts["opportunities"] == 1 and erasure.counts["company_accounts"] == 1
    assert erasure.counts["task_results"] == 2 and erasure.counts["log_entries"] == 1
    assert erasure.counts["import_files"] >= 1
    for label, index in INDEXES.items():
        model = apps.get_model(label)
        assert not index.filter(model.objects.all(), ["hansen@fabrikam"]).exists(), label
        assert not index.filter(model.objects.all(), ["anna", "hansen"]).exists(), label
    # The company account stays as the company's; her number it had from her lead does not.
    account = Account.objects.get(pk=anna.account.pk)
    assert (account.name, account.phone) == ("Fabrikam A/S", "")
    assert Contact.objects.get(last_name="Berg").account == account
    # The opportunity stays, for the reports, its topic without her.
    deal = Opportunity.objects.get(pk=anna.opportunity.pk)
    assert deal.topic == "[erased] wants laptops"
    assert deal.estimated_value == anna.opportunity.estimated_value
    assert Lead.objects.get(pk=anne.pk).email == "anne@x.example"
    # The other row of the import, and the other task, are as they were.
    with ImportBatch.objects.get().file.open("rb") as handle:
        assert b"ole@contoso.example" in handle.read()
    assert DBTaskResult.objects.filter(args_kwargs__icontains="sales@example.com").exists()


def test_an_account_that_is_the_person_is_erased_as_the_person(alice, admin_user):
    lead = make_lead(owner=alice, company_name=FULL_NAME)  # a sole trader: her name
    qualification = qualify_lead(lead=lead, user=alice, create_account=True, create_contact=True)

    sections = {s.key: s.items for s in export_person(email=EMAIL).sections}
    assert [i.pk for i in sections["accounts"] if i.kind == "account"] == [
        qualification.account.pk
    ]
    erasure = erase_person(email=EMAIL, user=admin_user, reason="Asked")

    account = Account.objects.get(pk=qualification.account.pk)
    assert (account.name, account.phone, account.city) == ("[erased]", "", "")
    assert erasure.counts["accounts"] == 1
    remaining = leaks()
    assert remaining == [], remaining


def test_a_company_account_with_her_address_but_other_contacts_stays(alice, admin_user):
    account = Account.objects.create(owner_user=alice, name="Fabrikam A/S", email=EMAIL)
    Contact.objects.create(owner_user=alice, last_name="Berg", account=account)
    make_lead(owner=alice)

    erasure = erase_person(email=EMAIL, user=admin_user, reason="Asked")

    account.refresh_from_db()
    assert (account.name, account.email) == ("Fabrikam A/S", "")
    assert erasure.counts["company_accounts"] == 1 and erasure.counts["accounts"] == 0
    assert not account.history.filter(email__iexact=EMAIL).exists()


def test_the_export_lists_the_copies_and_nothing_about_others(anna, anne):
    export = export_person(email=EMAIL)
    sections = {s.key: s.items for s in export.sections}

    assert [i.pk for i in sections["opportunities"] if i.kind == "opportunity"] == [
        anna.opportunity.pk
    ]
    assert [i.title for i in sections["import_files"]] == [str(ImportBatch.objects.get())]
    assert len(sections["task_results"]) == 2
    assert len(sections["web_submissions"]) == 1
    data = json.dumps(export.as_json(), default=str)
    assert "anne@x.example" not in data and "Anne" not in data
