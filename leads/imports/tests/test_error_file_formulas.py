"""The error file is a CSV a person opens in a spreadsheet: a rejected cell that looks like a
formula is marked as text there, as in the lead export (reference B.3, S10), and the mark
is stripped again when the corrected file is imported."""

import csv

import pytest

from leads.models import Lead

FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.django_db
def test_a_rejected_formula_is_text_in_the_error_file_and_imports_back_as_it_was(
    tmp_path, import_leads
):
    path = tmp_path / "in.csv"
    too_long = "z" * 200
    with path.open("w", newline="") as stream:
        csv.writer(stream).writerows(
            [["First Name", "Last Name", "Company"], [FORMULA, "Berg", too_long]]
        )
    errors = tmp_path / "errors.csv"

    assert import_leads(path, "--errors", errors).status == 1
    with errors.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[1][0] == "'" + FORMULA  # was the bare formula

    rows[1][2] = "Contoso"  # corrected; the file's line and error columns are ignored
    with errors.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    assert import_leads(errors).status == 0
    assert Lead.objects.get().first_name == FORMULA
