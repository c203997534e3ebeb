"""A person's data on request and their erasure: every item about them and nothing about
another person with a similar name; after erasure no row holds their e-mail, phone or
name (history and merges included), the counts of reports stay, and a tombstone is kept."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models

from accounts.models import Contact
from activities.merge import undo_merge
from activities.models import Activity
from activities.services import add_inquiry, add_note, log_activity
from leads.merge import merge_leads
from leads.models import Lead
from leads.search import INDEX
from leads.tests.factories import make_lead
from privacy.models import Erasure
from privacy.services import erase_person, export_person

EMAIL = "anna.hansen@fabrikam.example"
PHONE = "+45 33 88 11 00"
OTHER = "anne.hansen@contoso.example"


@pytest.fixture
def anna(alice):
    lead = make_lead(owner=alice, topic="Anna Hansen wants laptops")
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
        text=f"Her mobile is {PHONE}",
        upload=SimpleUploadedFile("cv.txt", b"Anna Hansen"),
        content_type="text/plain",
    )
    add_inquiry(regarding=lead, user=alice, data={"title": "Anna asks for a quote"})
    Contact.objects.create(
        owner_user=alice, first_name="Anna", last_name="Hansen", email=EMAIL.upper()
    )
    return lead


@pytest.fixture
def anne(alice):
    """Another person with a similar name."""
    return make_lead(
        owner=alice, first_name="Anne", last_name="Hansen", email=OTHER, business_phone="+45 1"
    )


def _texts_with(value):
    """(table, column) of every project row whose text holds `value` (history included)."""
    found = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in {"leads", "accounts", "activities", "capture"}:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                rows = model._base_manager.all()
                for stored in rows.values_list(field.attname, flat=True):
                    if value.lower() in json.dumps(stored).lower():
                        found.append((model._meta.db_table, field.attname))
    return found


def test_the_export_lists_every_item_about_the_person_and_nothing_about_another(anna, anne):
    export = export_person(email=EMAIL)
    data = json.dumps(export.as_json(), default=str)

    sections = {s.key: s.items for s in export.sections}
    assert [i.pk for i in sections["leads"] if i.kind == "lead"] == [anna.pk]
    assert len([i for i in sections["contacts"] if i.kind == "contact"]) == 1
    kinds = {i.kind for i in sections["activities"]}
    assert {"activity", "note", "customer inquiry"} <= kinds
    assert not any(i.is_history for i in sections["leads"])  # history has its own section
    assert any(i.kind == "historical lead" for i in sections["history"])
    assert "cv.txt" in data  # the attachment list
    assert OTHER not in data and "Anne" not in data


def test_erasure_leaves_no_email_phone_or_name_and_keeps_the_counts(anna, anne, admin_user):
    by_state = list(Lead.objects.values_list("state", "source").order_by("pk"))
    assert ("leads_historicallead", "email") in _texts_with(EMAIL)

    erasure = erase_person(email=EMAIL, user=admin_user, reason="Asked to be forgotten")

    for value in (EMAIL, PHONE, "Anna Hansen", "33881100"):
        assert _texts_with(value) == [], value
    assert list(Lead.objects.values_list("state", "source").order_by("pk")) == by_state
    anna.refresh_from_db()
    assert anna.last_name == "[erased]" and anna.email == ""
    assert not INDEX.filter(Lead.objects.all(), ["hansen@fabrikam"]).exists()
    assert Lead.objects.get(pk=anne.pk).email == OTHER  # the other person stays
    assert erasure.erased_by == admin_user and erasure.reason == "Asked to be forgotten"
    assert erasure.counts["leads"] == 1 and erasure.counts["contacts"] == 1
    assert erasure.counts["attachments"] == 1
    assert erasure.matches(EMAIL) and not erasure.matches(OTHER)
    assert EMAIL not in erasure.email_hash
    assert not Activity.objects.filter(subject__icontains="Anna").exists()


def test_a_merge_undone_after_erasure_brings_nothing_back(alice, admin_user):
    master = make_lead(owner=alice, email="master@example.com", first_name="Mia", last_name="M")
    other = make_lead(owner=alice)
    merge = merge_leads(user=alice, master=master, others=[other], take={"email": other.pk})

    erase_person(email=EMAIL, user=admin_user, reason="Asked")
    undo_merge(user=admin_user, merge=merge)

    assert _texts_with(EMAIL) == []
    assert _texts_with("Anna Hansen") == []


def test_the_commands_export_and_erase_asking_first(anna, admin_user, monkeypatch):
    out = StringIO()
    call_command("export_person", EMAIL, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["sections"]["leads"][0]["fields"]["email"] == EMAIL
    html = StringIO()
    call_command("export_person", EMAIL, "--format", "html", stdout=html)
    assert "Anna" in html.getvalue()

    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(Exception, match="Not erased"):
        call_command("erase_person", EMAIL, "--reason", "Asked", stdout=StringIO())
    assert not Erasure.objects.exists()

    call_command("erase_person", EMAIL, "--reason", "Asked", "--yes", stdout=StringIO())
    assert Erasure.objects.count() == 1
    assert not Lead.objects.filter(email__iexact=EMAIL).exists()


def test_the_export_page_gives_json_and_a_readable_page(as_admin, anna, alice):
    # A note without a file: its empty file column was a FieldFile JSON could not write (500).
    add_note(regarding=anna, user=alice, text="Met Anna at the fair")
    assert as_admin.get("/privacy/").status_code == 200
    response = as_admin.post("/privacy/", {"email": EMAIL, "format": "json"})
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["email"] == EMAIL
    response = as_admin.post("/privacy/", {"email": EMAIL, "format": "html"}, follow=True)
    assert b"Called Anna Hansen" in response.content
    assert as_admin.put("/privacy/").status_code == 405


def test_a_rep_may_neither_export_nor_erase(as_alice, anna):
    assert as_alice.get("/privacy/").status_code == 403
    assert as_alice.post("/privacy/", {"email": EMAIL, "format": "json"}).status_code == 403
    assert as_alice.post("/privacy/erase/", {"email": EMAIL, "reason": "x"}).status_code == 403
    assert Lead.objects.filter(email=EMAIL).exists()


def test_the_erase_page_asks_for_confirmation_first(as_admin, anna):
    response = as_admin.post("/privacy/erase/", {"email": EMAIL, "reason": "Asked"})
    assert b'data-testid="erase-confirm"' in response.content
    assert not Erasure.objects.exists()

    assert b'name="confirmed_email" value="' + EMAIL.encode() in response.content
    assert b"readonly" in response.content

    # An address changed on the confirmation page is shown with its own count, not erased.
    changed = {"email": "x" + EMAIL, "reason": "Asked", "confirmed": "1", "confirmed_email": EMAIL}
    response = as_admin.post("/privacy/erase/", changed)
    assert response.status_code == 200 and not Erasure.objects.exists()
    assert b'data-testid="erase-nothing"' in response.content  # nothing held: no Erase button
    assert b"Erase for good" not in response.content

    data = {"email": EMAIL, "reason": "Asked", "confirmed": "1", "confirmed_email": EMAIL}
    response = as_admin.post("/privacy/erase/", data)
    assert response.status_code == 302
    assert Erasure.objects.get().reason == "Asked"
    assert as_admin.delete("/privacy/erase/").status_code == 405


def test_a_web_form_submission_is_exported_and_erased(client, alice, admin_user):
    from capture.models import Submission, SubmissionGuard
    from capture.tests.factories import WebFormFactory

    web_form = WebFormFactory(created_by=alice)
    data = {
        "last_name": "Holm",
        "email": "ida@holm.example",
        "referrer_url": "https://x.example/?e=ida@holm.example",
    }
    assert client.post(f"/capture/{web_form.key}/", data).status_code == 200
    export = {s.key: s.items for s in export_person(email="ida@holm.example").sections}
    assert len(export["web_submissions"]) == 1

    erasure = erase_person(email="ida@holm.example", user=admin_user, reason="Asked")

    submission = Submission.objects.get()
    assert (submission.fingerprint, submission.referrer_url) == ("", "")
    assert not SubmissionGuard.objects.exists()
    assert erasure.counts["web_submissions"] == 1
    assert _texts_with("ida@holm.example") == []


def test_a_rejected_import_row_and_its_error_file_are_exported_and_scrubbed(
    alice, admin_user, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from leads.imports.models import ImportBatch, ImportRowError

    settings.MEDIA_ROOT = tmp_path
    batch = ImportBatch.objects.create(file_name="people.csv", checksum="x", created_by=alice)
    batch.error_file.save("e.csv", ContentFile(f"Hansen,{EMAIL},1,bad\nOther,o@x.example,2,bad\n"))
    ImportRowError.objects.create(batch=batch, line=1, cells=["Hansen", EMAIL], error="bad")
    ImportRowError.objects.create(batch=batch, line=2, cells=["Other", "o@x.example"], error="bad")
    export = {s.key: s.items for s in export_person(email=EMAIL).sections}
    assert [item.title for item in export["import_rows"]] == ["people.csv: 1"]

    erasure = erase_person(email=EMAIL, user=admin_user, reason="Asked")

    assert erasure.counts["import_rows"] == 1 and erasure.counts["import_files"] == 1
    assert ImportRowError.objects.get(line=1).cells == ["Hansen", "[erased]"]
    assert ImportRowError.objects.get(line=2).cells == ["Other", "o@x.example"]
    batch.refresh_from_db()
    with batch.error_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert EMAIL not in text and "o@x.example" in text
