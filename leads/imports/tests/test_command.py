import codecs
import csv
import io

import pytest
from django.core.management.base import CommandError

from leads.imports.models import ImportBatch
from leads.imports.tests.conftest import write_csv
from leads.models import Lead, LeadStatusChange

HEADER = [
    "First Name",
    "Last Name",
    "Company",
    "Email Address",
    "Phone",
    "Rating",
    "Annual Revenue",
    "Next Follow-up",
    "Lead Source",
    "Lead Status",
    "Owner",
    "Description",
]


def good_row(n):
    # Every 7th row has a two-line description, so physical lines and records differ.
    description = "First line\nsecond line, with a comma" if n % 7 == 0 else f"Row {n}"
    return [
        "Anna",
        f"Hansen {n}",
        f"Fabrikam {n} A/S",
        f"anna{n}@fabrikam.example",
        f"+45 33 88 {n:04d}",
        "hot",
        "125000.50",
        "2031-04-15",
        "Web",
        "open:new",
        "alice",
        description,
    ]


# (column, bad value): one kind of error each, each appearing five times in the file.
BAD_KINDS = [
    ("Email Address", "not-an-address"),
    ("Phone", "+45 " + "3" * 50),  # longer than the field (free text is a valid phone)
    ("Rating", "scorching"),
    ("First Name", "x" * 51),
    ("Annual Revenue", "lots"),
    ("Next Follow-up", "31/31/2031"),
    ("Lead Source", "Carrier pigeon"),
    ("Lead Status", "open:lost"),
    ("Owner", "nobody-by-this-name"),
    ("ragged", None),
]


def bad_row(n, kind):
    row = good_row(n)
    column, value = BAD_KINDS[kind]
    if column == "ragged":
        return [*row, "an extra cell"]
    row[HEADER.index(column)] = value
    return row


def thousand_rows(path):
    """1,000 rows, every 20th bad (50): returns the file, the bad rows' line numbers and the
    good version of each bad row (for the corrected error file)."""
    rows, bad_lines, fixes = [HEADER], [], {}
    line = 2
    for n in range(1000):
        if n % 20 == 19:
            rows.append(bad_row(n, (n // 20) % len(BAD_KINDS)))
            bad_lines.append(line)
            fixes[f"Hansen {n}"] = good_row(n)
        else:
            rows.append(good_row(n))
        line += 2 if n % 7 == 0 else 1
    write_csv(path, rows)
    return path, bad_lines, fixes


@pytest.fixture
def crm_users(alice, admin_user):
    return alice


@pytest.mark.django_db
class TestTheThousandRowFile:
    def test_imports_950_rejects_50_with_their_lines_and_exits_1(
        self, tmp_path, import_leads, crm_users
    ):
        path, bad_lines, _fixes = thousand_rows(tmp_path / "leads.csv")
        errors = tmp_path / "errors.csv"

        run = import_leads(path, "--errors", errors)

        assert run.status == 1
        assert run.summary.startswith("created=950 updated=0 skipped=0 rejected=50 in ")
        assert "rows/s" in run.summary
        assert Lead.objects.count() == 950
        with errors.open(encoding="utf-8-sig", newline="") as stream:
            rejected = list(csv.DictReader(stream))
        assert [int(row["line"]) for row in rejected] == bad_lines
        assert all(row["error"] for row in rejected)
        messages = " ".join(row["error"] for row in rejected)
        for fragment in (
            "E-mail:",
            "Business phone: Ensure this value has at most 50",
            "Rating:",
            "First name: Ensure this value has at most 50",
            "Annual revenue:",
            "Next follow-up:",
            "Lead source: unknown source Carrier pigeon",
            "Status reason:",
            "Owner: no user or team",
            "fields where the header has 12",
        ):
            assert fragment in messages
        lead = Lead.objects.get(email="anna7@fabrikam.example")
        assert lead.description == "First line\nsecond line, with a comma"
        assert lead.owner == crm_users
        assert str(lead.annual_revenue) == "125000.50"

    def test_a_rerun_adds_nothing_and_a_corrected_error_file_adds_the_rest(
        self, tmp_path, import_leads, crm_users
    ):
        path, _bad_lines, fixes = thousand_rows(tmp_path / "leads.csv")
        errors = tmp_path / "errors.csv"
        import_leads(path, "--errors", errors)

        rerun = import_leads(path)
        assert rerun.status == 1
        assert rerun.summary.startswith("created=0 updated=0 skipped=950 rejected=50")
        assert Lead.objects.count() == 950

        # The user fixes the rows in the error file; its line and error columns stay.
        with errors.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            header = next(reader)
            fixed = [header]
            for row in reader:
                good = fixes[row[1]]
                padding = [""] * (len(header) - 2 - len(good))  # the ragged row's extra column
                fixed.append([*good, *padding, *row[-2:]])
        corrected = write_csv(tmp_path / "corrected.csv", fixed)

        final = import_leads(corrected)
        assert final.status == 0
        assert final.summary.startswith("created=50 updated=0 skipped=0 rejected=0")
        assert Lead.objects.count() == 1000
        assert Lead.objects.values("email_key").distinct().count() == 1000


@pytest.mark.django_db
class TestFileFormats:
    ROWS = [
        ["First Name", "Last Name", "Company", "E-mail"],
        ["Søren", "Ærø-Øster", "Café Zoë", "soren@cafe.example"],
        ["Chloé", "Müller", "Straße & Co", "chloe@strasse.example"],
    ]

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    @pytest.mark.parametrize("newline", ["\n", "\r\n"])
    def test_encodings_delimiters_and_line_ends_are_detected(
        self, tmp_path, import_leads, admin_user, encoding, delimiter, newline
    ):
        path = write_csv(
            tmp_path / "in.csv", self.ROWS, encoding=encoding, delimiter=delimiter, newline=newline
        )

        run = import_leads(path)

        assert run.status == 0, run.output
        assert sorted(Lead.objects.values_list("last_name", "company_name")) == [
            ("Müller", "Straße & Co"),
            ("Ærø-Øster", "Café Zoë"),
        ]

    def test_blank_lines_and_trailing_commas_are_ignored_and_ragged_rows_rejected(
        self, tmp_path, import_leads, admin_user
    ):
        path = tmp_path / "in.csv"
        path.write_text(
            "First Name,Last Name,Company,E-mail,,\n"
            "Anna,Hansen,Fabrikam,anna@fabrikam.example,,\n"
            "\n"
            ",,,,,\n"
            "Bo,Berg,Contoso,bo@contoso.example\n"
            "Cy,Cruz,Northwind,cy@northwind.example,oops\n"
            "Di,Dahl,Tailspin\n"
            "Ed,Eng,Litware,ed@litware.example,\n",
            encoding="utf-8",
        )

        run = import_leads(path, "--errors", tmp_path / "errors.csv")

        assert run.status == 1
        assert run.summary.startswith("created=3 updated=0 skipped=0 rejected=2")
        errors = (tmp_path / "errors.csv").read_text(encoding="utf-8-sig")
        assert "Cy,Cruz,Northwind,cy@northwind.example,oops,6,The row has 5 fields" in errors
        assert errors.startswith("First Name,Last Name,Company,E-mail,,line,error")
        assert "Di,Dahl,Tailspin,,,7,The row has 3 fields where the header has 4." in errors

    @pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
    def test_excels_unicode_text_utf16_with_a_bom_and_tabs_is_read(
        self, tmp_path, import_leads, admin_user, encoding
    ):
        bom = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
        path = tmp_path / "unicode.txt"
        text = io.StringIO()
        csv.writer(text, delimiter="\t", lineterminator="\r\n").writerows(self.ROWS)
        path.write_bytes(bom + text.getvalue().encode(encoding))

        run = import_leads(path)

        assert run.status == 0, run.output
        assert "(utf-16, delimiter '\\t')" in run.output
        assert sorted(Lead.objects.values_list("first_name", "last_name", "company_name")) == [
            ("Chloé", "Müller", "Straße & Co"),
            ("Søren", "Ærø-Øster", "Café Zoë"),
        ]
        assert ImportBatch.objects.get().options["lines"] == 3

    def test_an_explicit_encoding_and_delimiter_win(self, tmp_path, import_leads, admin_user):
        path = write_csv(
            tmp_path / "in.csv",
            [["Last Name", "Company"], ["Ærø", "Café; Bar"]],
            encoding="latin-1",
            delimiter="|",
        )

        run = import_leads(path, "--encoding", "latin-1", "--delimiter", "|")

        assert run.status == 0, run.output
        assert Lead.objects.get().company_name == "Café; Bar"


@pytest.mark.django_db
class TestUsageErrors:
    def test_a_missing_file_exits_2(self, tmp_path, import_leads):
        with pytest.raises(CommandError) as error:
            import_leads(tmp_path / "missing.csv")
        assert error.value.returncode == 2
        assert not ImportBatch.objects.exists()

    def test_a_mapping_naming_an_unknown_field_exits_2_and_writes_nothing(
        self, tmp_path, import_leads
    ):
        path = write_csv(tmp_path / "in.csv", [["Name"], ["Anna"]])
        with pytest.raises(CommandError) as error:
            import_leads(path, "--map", "Name=full_name")
        assert error.value.returncode == 2
        assert "Unknown field full_name" in str(error.value)
        assert not Lead.objects.exists()
        assert not ImportBatch.objects.exists()

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            (["--map", "Surname=last_name"], "names the column Surname"),
            (["--source", "Fax"], "unknown source Fax. Valid sources:"),
            (["--owner", "nobody"], "Unknown owner nobody"),
            (["--key", "Customer No"], "key column Customer No is not in the file"),
        ],
    )
    def test_options_that_cannot_work_exit_2_before_any_batch_is_recorded(
        self, tmp_path, import_leads, options, message
    ):
        path = write_csv(tmp_path / "in.csv", [["Last Name"], ["Hansen"]])
        with pytest.raises(CommandError) as error:
            import_leads(path, *options)
        assert error.value.returncode == 2
        assert message in str(error.value)
        assert not ImportBatch.objects.exists()
        assert not Lead.objects.exists()

    def test_an_empty_file_exits_2(self, tmp_path, import_leads):
        path = tmp_path / "empty.csv"
        path.write_bytes(b"\r\n\r\n")
        with pytest.raises(CommandError) as error:
            import_leads(path)
        assert error.value.returncode == 2
        assert "no header" in str(error.value)


@pytest.mark.django_db
class TestReportAndDryRun:
    def test_the_command_lists_matched_and_ignored_columns(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(
            tmp_path / "in.csv",
            [
                ["Email Address", "Account Name", "Zip", "Shoe size"],
                ["a@b.example", "Acme", "2100", "42"],
            ],
        )

        run = import_leads(path)

        assert "'Email Address' -> email" in run.output
        assert "'Account Name' -> company_name" in run.output
        assert "'Zip' -> postal_code" in run.output
        assert "'Shoe size' ignored (no matching field)" in run.output

    def test_a_dry_run_reports_everything_and_writes_no_lead(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(
            tmp_path / "in.csv",
            [
                ["Last Name", "E-mail"],
                ["Hansen", "a@b.example"],
                ["Berg", "bad"],
                ["Hansen", "A@B.example"],
            ],
        )

        run = import_leads(path, "--dry-run")

        assert run.status == 1
        assert "dry run: created=1 updated=0 skipped=1 rejected=1" in run.output
        assert not Lead.objects.exists()

    def test_matches_are_listed_with_the_existing_lead(self, tmp_path, import_leads, admin_user):
        path = write_csv(tmp_path / "in.csv", [["Last Name", "E-mail"], ["Hansen", "a@b.example"]])
        import_leads(path)
        lead = Lead.objects.get()

        run = import_leads(path)

        assert f"line 2: matches lead #{lead.pk} on e-mail address (skipped)" in run.output

    def test_history_and_status_log_name_the_user_and_the_batch(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(
            tmp_path / "in.csv",
            [["Last Name", "E-mail"], ["A", "a@b.example"], ["B", "b@b.example"]],
        )
        import_leads(path)
        batch = ImportBatch.objects.get()

        for lead in Lead.objects.all():
            (record,) = lead.history.all()
            assert record.history_user == admin_user
            assert record.history_change_reason == f"Import batch #{batch.pk}"
            (entry,) = LeadStatusChange.objects.filter(lead=lead)
            assert entry.changed_by == admin_user
        assert batch.status == ImportBatch.Status.DONE
        assert (batch.created, batch.rows, batch.created_by) == (2, 2, admin_user)
