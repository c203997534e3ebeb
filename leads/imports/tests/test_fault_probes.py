"""Issue 17's fault probes: a UTF-8 file with one damaged byte, a header no person can map, a
300 KB field, and a value the lead form refuses; each must lose nothing and say what it did."""

import csv

import pytest
from django.urls import reverse
from django.utils.text import capfirst
from rest_framework.test import APIClient

from leads.forms import LeadForm
from leads.imports.forms import MappingForm
from leads.imports.importers import ImportOptions
from leads.imports.mapping import grouped_field_choices, match_columns
from leads.imports.models import ImportBatch
from leads.imports.services import MAX_UPLOAD_COLUMNS
from leads.imports.tests.test_views import upload
from leads.models import Lead

HEADER = b"First Name,Last Name,Company,Budget\n"


def _error_rows(path):
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


@pytest.mark.django_db
class TestADamagedUtf8File:
    def test_one_bad_byte_rejects_its_line_and_the_rest_is_read_as_utf8(
        self, tmp_path, import_leads
    ):
        path = tmp_path / "in.csv"
        path.write_bytes(
            HEADER
            + "Søren,Østergaard,Nordlys ApS,100\n".encode()
            + b"Anne,Bad\xffByte,Fabrikam,5\n"
            + "Åse,Ærø,Café Zoë,7\n".encode()
        )
        errors = tmp_path / "errors.csv"

        run = import_leads(path, "--errors", errors)

        assert run.status == 1
        assert "(utf-8, delimiter ',')" in run.output
        assert sorted(Lead.objects.values_list("last_name", "company_name")) == [
            ("Ærø", "Café Zoë"),
            ("Østergaard", "Nordlys ApS"),
        ]
        rows = _error_rows(errors)
        assert rows[1][:4] == ["Anne", "Bad\ufffdByte", "Fabrikam", "5"]
        assert rows[1][4] == "3"
        assert "bytes that are not UTF-8" in rows[1][5]
        assert ImportBatch.objects.get().options["encoding"] == "utf-8"

    def test_a_windows_1252_file_is_still_read_as_windows_1252(self, tmp_path, import_leads):
        path = tmp_path / "in.csv"
        path.write_bytes(HEADER + "Søren,Østergaard,Nordlys ApS,100\n".encode("cp1252"))

        run = import_leads(path)

        assert run.status == 0, run.output
        assert "(cp1252, delimiter ',')" in run.output
        assert Lead.objects.get().last_name == "Østergaard"

    def test_the_page_says_which_encoding_it_used(self, as_manager):
        content = HEADER + "Søren,Østergaard,Nordlys ApS,100\n".encode() + b"A,B\xff,C,1\n"

        upload(as_manager, content=content)

        batch = ImportBatch.objects.get()
        assert batch.options["encoding"] == "utf-8"
        page = as_manager.get(batch.get_absolute_url()).content.decode()
        assert "utf-8" in page and "Østergaard" in page


@pytest.mark.django_db
class TestAbsurdWidths:
    def test_an_upload_with_a_20000_column_header_is_refused_with_a_message(self, as_manager):
        header = ",".join(f"column {i}" for i in range(20_000))
        content = f"{header}\n{','.join('x' for _ in range(20_000))}\n".encode()

        response = upload(as_manager, content=content)

        assert response.status_code == 200
        assert ImportBatch.objects.count() == 0
        assert "The file has 20,000 columns; an import maps at most 300" in (
            response.content.decode()
        )

    def test_a_file_as_wide_as_the_limit_uploads_and_its_page_renders(self, as_manager):
        header = ",".join(["Last Name", *(f"extra {i}" for i in range(MAX_UPLOAD_COLUMNS - 1))])

        response = upload(as_manager, content=f"{header}\nHansen\n".encode())

        assert response.status_code == 302
        page = as_manager.get(response["Location"])
        assert page.status_code == 200
        assert page.content.decode().count('name="col_') == MAX_UPLOAD_COLUMNS


@pytest.mark.django_db
def test_a_row_with_a_300_kb_field_is_kept_whole_in_the_error_file(tmp_path, import_leads):
    big = "z" * 300_000
    path = tmp_path / "in.csv"
    path.write_text(f"First Name,Last Name,Company\nBig,Field,{big}\nBo,Berg,Contoso\n")
    errors = tmp_path / "errors.csv"

    run = import_leads(path, "--errors", errors)

    assert run.status == 1
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["Berg"]
    rows = _error_rows(errors)
    assert rows[1][:3] == ["Big", "Field", big]
    assert rows[1][4] == (
        "Company name: Ensure this value has at most 160 characters (it has 300000)."
    )


@pytest.mark.django_db
class TestOneDefinitionOfAValidLead:
    @pytest.mark.parametrize(
        ("column", "field"),
        [
            ("Budget", "budget_amount"),
            ("Annual Revenue", "annual_revenue"),
            ("Est. Value", "estimated_value"),
        ],
    )
    def test_a_negative_amount_is_refused_by_the_import_as_by_the_form(
        self, tmp_path, import_leads, admin_user, column, field
    ):
        path = tmp_path / "in.csv"
        path.write_text(f"Last Name,{column}\nHansen,-5\nBerg,5\n", encoding="utf-8")
        errors = tmp_path / "errors.csv"

        run = import_leads(path, "--errors", errors)

        assert run.status == 1
        assert list(Lead.objects.values_list("last_name", field)) == [("Berg", 5)]
        rows = _error_rows(errors)
        assert rows[1][:2] == ["Hansen", "-5"]
        label = capfirst(Lead._meta.get_field(field).verbose_name)
        assert rows[1][-1] == f"{label}: Enter an amount of 0 or more."
        form = LeadForm(data={"last_name": "Hansen", field: "-5"}, user=admin_user)
        assert not form.is_valid()
        assert form.errors[field] == ["Enter an amount of 0 or more."]

    def test_the_api_refuses_a_negative_budget_too(self, admin_user):
        client = APIClient()
        client.force_authenticate(admin_user)
        response = client.post(
            "/api/v1/leads/", {"last_name": "Hansen", "budget_amount": "-1"}, format="json"
        )
        assert response.status_code == 400, response.content
        assert "budget_amount" in response.json()  # DRF words the same rule its own way
        assert not Lead.objects.exists()


class TestTheMappingShowsLabels:
    def test_budget_and_rival_export_labels_map_to_their_fields(self):
        header = [
            "Budget",
            "Lead - Title",
            "Person - Email",
            "Organization - Name",
            "Expected close date",
            "Do Not Call",
            "Email Opt Out",
            "Preferred Method of Contact",
            "Est. Value",
        ]
        matched = {h: name for _i, h, name in match_columns(header).matched}
        assert matched == {
            "Budget": "budget_amount",
            "Lead - Title": "topic",
            "Person - Email": "email",
            "Organization - Name": "company_name",
            "Expected close date": "estimated_close_date",
            "Do Not Call": "do_not_phone",
            "Email Opt Out": "do_not_email",
            "Preferred Method of Contact": "preferred_contact_method",
            "Est. Value": "estimated_value",
        }

    @pytest.mark.django_db
    def test_the_drop_down_groups_the_form_labels_with_the_api_name_as_a_hint(self):
        form = MappingForm(header=["Budget"], options=ImportOptions(columns={}))
        html = str(form["col_0"])
        assert '<optgroup label="Qualification">' in html
        assert '<option value="budget_amount">Budget amount · budget_amount</option>' in html
        assert '<option value="company_name">Company name · company_name</option>' in html
        values = [value for _group, options in grouped_field_choices() for value, _ in options]
        assert len(values) == len(set(values))


@pytest.mark.django_db
def test_the_import_page_offers_the_grouped_labels(as_manager):
    upload(as_manager, content=b"Budget,Last Name\n10,Hansen\n")
    batch = ImportBatch.objects.get()
    assert batch.options["columns"] == {"Budget": "budget_amount", "Last Name": "last_name"}
    page = as_manager.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Budget amount · budget_amount" in page


@pytest.mark.django_db
class TestWhatTheImportDidWithEachRow:
    def test_skipped_duplicates_are_listed_with_the_lead_and_the_key(
        self, as_manager, alice, tmp_path, import_leads, django_capture_on_commit_callbacks
    ):
        existing = Lead.objects.create(
            last_name="Hansen", company_name="Fabrikam", email="anna@fabrikam.example", owner=alice
        )
        by_name = Lead.objects.create(last_name="Berg", company_name="Contoso", owner=alice)
        content = (
            b"Last Name,Company,E-mail\n"
            b"Hansen,Fabrikam,ANNA@fabrikam.example\n"
            b"Berg,Contoso,\n"
            b"New,Northwind,new@northwind.example\n"
            b"New,Northwind,new@northwind.example\n"
        )
        upload(as_manager, content=content)
        batch = ImportBatch.objects.get()
        post = {
            "col_0": "last_name",
            "col_1": "company_name",
            "col_2": "email",
            "dedupe": "skip",
            "owner": alice.username,
            "date_format": "auto",
            "action": "import",
        }
        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(batch.get_absolute_url(), post)
        batch.refresh_from_db()
        assert batch.summary() == "created=1 updated=0 skipped=3 rejected=0"

        page = as_manager.get(batch.get_absolute_url()).content.decode()

        assert "3 rows matched an existing lead" in page
        assert "1 lead created, 0 updated, 3 skipped (matched a lead), 0 rejected." in page
        assert list(batch.matches.values_list("line", "lead_id", "key", "action")) == [
            (2, existing.pk, "email", "skipped"),
            (3, by_name.pk, "name", "skipped"),
            (5, None, "email", "earlier_row"),
        ]
        assert f'href="{existing.get_absolute_url()}"' in page
        assert "e-mail address" in page and "name and company" in page
        assert "an earlier row of this file" in page
        assert "New leads per owner" in page and "Alice Adams: <strong>1</strong>" in page

        path = tmp_path / "again.csv"
        path.write_bytes(content)
        run = import_leads(path)
        assert f"line 2: matches lead #{existing.pk} on e-mail address (skipped)" in run.output
        assert f"line 3: matches lead #{by_name.pk} on name and company (skipped)" in run.output


@pytest.mark.django_db
def test_uploading_a_file_imported_before_warns(as_manager, django_capture_on_commit_callbacks):
    content = b"Last Name,Company\nHansen,Fabrikam\n"
    upload(as_manager, content=content)
    batch = ImportBatch.objects.get()
    post = {"col_0": "last_name", "col_1": "company_name", "dedupe": "skip", "owner": ""}
    with django_capture_on_commit_callbacks(execute=True):
        as_manager.post(
            batch.get_absolute_url(), {**post, "date_format": "auto", "action": "import"}
        )
    assert upload(as_manager, content=b"Last Name\nOther\n").status_code == 302

    response = upload(as_manager, content=content)

    page = as_manager.get(response["Location"]).content.decode()
    assert f"This file was imported before (import #{batch.pk} on" in page
    assert "1 lead created)" in page


@pytest.mark.django_db
def test_a_field_chosen_for_two_columns_is_refused_not_silently_dropped(as_manager):
    upload(as_manager, content=b"Last Name,Budget,Money\nHansen,5000,1200\n")
    batch = ImportBatch.objects.get()
    assert batch.options["columns"] == {"Last Name": "last_name", "Budget": "budget_amount"}
    post = {
        "col_0": "last_name",
        "col_1": "budget_amount",
        "col_2": "budget_amount",
        "dedupe": "skip",
        "owner": "",
        "date_format": "auto",
        "action": "import",
    }

    response = as_manager.post(batch.get_absolute_url(), post)

    assert response.status_code == 200
    form = response.context["form"]
    message = (
        "Budget amount is chosen for 2 columns; a field is filled from one column: choose"
        " “— ignore —” for the others."
    )
    assert form.errors["col_1"] == [message] and form.errors["col_2"] == [message]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED
    assert not Lead.objects.exists()
