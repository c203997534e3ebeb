"""Danish files and a Danish uploader (the Danish QA walk, issue 20): numbers as the file's
locale writes them (Danish Excel's ";" file: "3.000" is three thousand, "2.500,75" has a
decimal comma; an English "," file's "12.50" stays twelve and a half); Danish headers and
values mapped whatever the language; the wizard and the error file in the uploader's
language, a cell's error named by its field's label."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from leads.imports.cells import decimal_comma_file, parse_decimal
from leads.imports.mapping import match_columns
from leads.imports.models import ImportBatch
from leads.imports.tests.conftest import write_csv
from leads.models import Lead, State


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("3.000", True, "3000"),
        ("1.250.000", True, "1250000"),
        ("2.500,75", True, "2500.75"),
        ("12,5", True, "12.5"),
        ("12.5", True, "12.5"),  # not grouped in threes: a decimal point still
        ("12.50", False, "12.50"),
        ("3.000", False, "3.000"),
        ("1,234.50", False, "1234.50"),
    ],
)
def test_a_point_between_thousands_in_a_decimal_comma_file(text, decimal_comma, expected):
    assert str(parse_decimal(text, decimal_comma)) == expected


def test_the_delimiter_or_else_the_uploaders_language_says_the_convention():
    assert decimal_comma_file(";", "en") is True
    assert decimal_comma_file(",", "da") is False
    assert decimal_comma_file("\t", "da") is True
    assert decimal_comma_file("\t", "en") is False


@pytest.mark.django_db
def test_a_danish_semicolon_file_imports_thousands(tmp_path, import_leads):
    path = write_csv(
        tmp_path / "da.csv",
        [
            ["Last Name", "Company", "Budget Amount", "Number of employees"],
            ["Jensen", "Jensen ApS", "3.000", "1.200"],
            ["Hansen", "Hansen A/S", "2.500,75", "12"],
        ],
        delimiter=";",
    )

    run = import_leads(path)

    assert run.status == 0, run.output
    budgets = dict(Lead.objects.values_list("last_name", "budget_amount"))
    assert budgets == {"Jensen": Decimal("3000"), "Hansen": Decimal("2500.75")}
    assert Lead.objects.get(last_name="Jensen").number_of_employees == 1200


@pytest.mark.django_db
def test_an_english_comma_file_keeps_its_decimal_points(tmp_path, import_leads):
    path = write_csv(
        tmp_path / "en.csv",
        [["Last Name", "Company", "Budget Amount"], ["Smith", "Smith Ltd", "12.50"]],
    )

    run = import_leads(path)

    assert run.status == 0, run.output
    assert Lead.objects.get().budget_amount == Decimal("12.50")


@pytest.mark.parametrize("language", ["da", "en"])
def test_danish_and_english_headers_are_mapped_in_either_language(language):
    header = ["Efternavn", "Kilde", "Telefon", "Statusårsag", "Status", "E-mail", "Mobil"]

    with translation.override(language):
        mapping = match_columns(header)

    assert {h: name for _i, h, name in mapping.matched} == {
        "Efternavn": "last_name",
        "Kilde": "source",
        "Telefon": "business_phone",
        "Statusårsag": "status",
        "Status": "state",
        "E-mail": "email",
        "Mobil": "mobile_phone",
    }


DANISH_FILE = (
    "Efternavn;Firmanavn;Mail;Status;Statusårsag;Budgetbeløb\r\n"
    "Jensen;Jensen ApS;jensen@example.dk;Åben;Kontaktet;3.000\r\n"
    "Berg;Berg A/S;ikke-en-adresse;Åben;Ny;10\r\n"
).encode("utf-8-sig")


def test_a_danish_upload_reads_danish_values_and_writes_danish_errors(
    as_manager, django_capture_on_commit_callbacks
):
    as_manager.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("da.csv", DANISH_FILE, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    batch = ImportBatch.objects.get()
    page = as_manager.get(batch.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Status (åben, kvalificeret, diskvalificeret)" in page

    with django_capture_on_commit_callbacks(execute=True):
        as_manager.post(reverse("imports:start", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="da")
    batch.refresh_from_db()

    assert batch.summary() == "created=1 updated=0 skipped=0 rejected=1", batch.message
    jensen = Lead.objects.get()
    assert (jensen.state, jensen.status, jensen.budget_amount) == (
        State.OPEN,
        "contacted",
        Decimal("3000"),
    )
    page = as_manager.get(batch.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "created=" not in page.replace('data-summary="created=', "")
    assert "1 kundeemne oprettet" in page
    assert "Mail: Angiv en gyldig mailadresse." in page
    rows = list(
        csv.reader(
            io.StringIO(batch.error_file.open("rb").read().decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[0][-2:] == ["linje", "fejl"]
    assert rows[1][-1] == "Mail: Angiv en gyldig mailadresse."


def test_an_error_file_with_danish_columns_imports_again_without_them():
    mapping = match_columns(["Efternavn", "Mail", "linje", "fejl"])

    assert [name for _i, _h, name in mapping.matched] == ["last_name", "email"]
    assert {h for _i, h, _why in mapping.ignored} == {"linje", "fejl"}
