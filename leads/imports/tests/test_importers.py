import json
from datetime import date

import pytest
from django.utils import timezone

from accounts.models import Account, Contact
from leads import services
from leads.imports.csvfile import CsvSource
from leads.imports.mapping import match_columns
from leads.imports.models import ExternalKey
from leads.imports.tests.conftest import write_csv
from leads.models import Lead, LeadSource, LeadStatusChange, State, Status
from leads.tests.factories import make_lead
from opportunities.models import Opportunity


class TestHeaderMatching:
    def test_synonyms_are_matched_ignoring_case_spacing_and_punctuation(self):
        header = ["E-mail", "Account Name", "LEAD SOURCE", "Mobile", "Zip", "first_name", "Fax"]

        mapping = match_columns(header)

        assert [(h, f) for _i, h, f in mapping.matched] == [
            ("E-mail", "email"),
            ("Account Name", "company_name"),
            ("LEAD SOURCE", "source"),
            ("Mobile", "mobile_phone"),
            ("Zip", "postal_code"),
            ("first_name", "first_name"),
        ]
        assert [h for _i, h, _why in mapping.ignored] == ["Fax"]

    def test_a_second_column_for_the_same_field_is_ignored(self):
        mapping = match_columns(["Email", "Email Address"])
        assert [h for _i, h, _f in mapping.matched] == ["Email"]
        assert mapping.ignored[0][1] == "Email Address"

    def test_address_headers_of_salesforce_and_dynamics_exports(self):
        header = ["Street 1", "Zip/Postal Code", "Country/Region", "State/Province"]

        fields = [f for _i, _h, f in match_columns(header).matched]

        assert fields == ["street", "postal_code", "country", "state_province"]

    def test_beside_a_status_reason_column_status_is_the_state(self):
        dynamics = match_columns(["Last Name", "Status", "Status Reason"])
        salesforce = match_columns(["Last Name", "Status"])

        assert [f for _i, _h, f in dynamics.matched] == ["last_name", "state", "status"]
        assert [f for _i, _h, f in salesforce.matched] == ["last_name", "status"]

    def test_the_error_files_own_columns_are_ignored(self):
        mapping = match_columns(["Last Name", "line", "error"])
        assert [f for _i, _h, f in mapping.matched] == ["last_name"]


@pytest.mark.django_db
class TestFileShapes:
    @pytest.mark.parametrize(
        ("lines", "header", "first_row"),
        [
            # A blank first line: the delimiter is sniffed on the header, not on the blank.
            (["", "First Name;Last Name", "Anna;Hansen"], ["First Name", "Last Name"], 3),
            # Excel's delimiter hint: not a header, and it names the delimiter.
            (["sep=;", "First Name;Last Name", "Anna;Hansen"], ["First Name", "Last Name"], 3),
            (["sep=,", "First Name,Last Name", "Anna,Hansen"], ["First Name", "Last Name"], 3),
        ],
    )
    def test_the_header_and_its_delimiter(self, tmp_path, lines, header, first_row):
        path = tmp_path / "in.csv"
        path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")

        with CsvSource(path, encoding="utf-8-sig") as source:
            assert source.header == header
            assert list(source.rows()) == [(first_row, ["Anna", "Hansen"], "")]


class TestMappingFile:
    def test_columns_and_values_are_mapped_and_qualified_rows_create_nothing_else(
        self, tmp_path, import_leads, admin_user
    ):
        mapping = tmp_path / "mapping.json"
        mapping.write_text(
            json.dumps(
                {
                    "columns": {
                        "Name": "last_name",
                        "Firm": "company_name",
                        "Lead Status": "status",
                        "Converted": "status",
                        "Opened": "created_at",
                    },
                    "values": {
                        "status": {
                            "Junk Lead": "disqualified:canceled",
                            "Contacted": "open:contacted",
                            "1": "qualified",
                            "0": "open:new",
                        }
                    },
                }
            )
        )
        path = write_csv(
            tmp_path / "in.csv",
            [
                ["Name", "Firm", "Lead Status", "Converted", "Opened", "Ignored"],
                ["Hansen", "Fabrikam", "Junk Lead", "0", "23 May, 2012 00:00:00", "x"],
                ["Berg", "Contoso", "contacted", "0", "2021-04-15", "x"],
                ["Cruz", "Northwind", "", "1", "15/04/2021", "x"],
                ["Dahl", "Tailspin", "", "0", "", "x"],
            ],
        )

        run = import_leads(path, "--mapping", mapping)

        assert run.status == 0, run.output
        states = dict(Lead.objects.values_list("last_name", "status"))
        assert states == {
            "Hansen": Status.CANCELED,
            "Berg": Status.CONTACTED,
            "Cruz": Status.QUALIFIED,
            "Dahl": Status.NEW,
        }
        cruz = Lead.objects.get(last_name="Cruz")
        assert cruz.state == State.QUALIFIED
        assert not (Account.objects.exists() or Contact.objects.exists())
        assert not Opportunity.objects.exists()
        assert "'Ignored' ignored (not mapped)" in run.output
        hansen = Lead.objects.get(last_name="Hansen")
        assert timezone.localtime(hansen.created_at).date() == date(2012, 5, 23)
        assert LeadStatusChange.objects.get(lead=hansen).changed_at == hansen.created_at

    def test_map_options_import_exactly_the_mapped_columns(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(
            tmp_path / "in.csv", [["Surname", "E-mail", "City"], ["Hansen", "a@b.example", "Oslo"]]
        )

        run = import_leads(path, "--map", "Surname=last_name", "--map", "E-mail=email")

        assert run.status == 0, run.output
        lead = Lead.objects.get()
        assert (lead.last_name, lead.email, lead.city) == ("Hansen", "a@b.example", "")

    def test_the_export_marks_formulas_and_the_import_strips_the_mark(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(tmp_path / "in.csv", [["last_name", "topic"], ["'=SUM(A1)", "'it's"]])

        import_leads(path)

        lead = Lead.objects.get()
        assert (lead.last_name, lead.topic) == ("=SUM(A1)", "'it's")


@pytest.mark.django_db
class TestOwnersAndSources:
    def test_owners_match_username_email_or_full_name_and_unknown_owners_are_rejected(
        self, tmp_path, import_leads, alice, bob, north
    ):
        path = write_csv(
            tmp_path / "in.csv",
            [
                ["Last Name", "Owner"],
                ["A", "alice"],
                ["B", bob.email.upper()],
                ["C", "Alice Adams"],
                ["D", "North"],
                ["E", "Nobody"],
            ],
        )

        run = import_leads(path)

        assert run.status == 1
        owners = {lead.last_name: lead.owner for lead in Lead.objects.all()}
        assert owners == {"A": alice, "B": bob, "C": alice, "D": north}

    def test_owner_option_is_the_owner_of_rows_without_one(
        self, tmp_path, import_leads, alice, bob
    ):
        path = write_csv(tmp_path / "in.csv", [["Last Name", "Owner"], ["A", ""], ["B", "bob"]])

        import_leads(path, "--owner", "alice")

        owners = {lead.last_name: lead.owner for lead in Lead.objects.all()}
        assert owners == {"A": alice, "B": bob}

    def test_unknown_sources_are_rejected_with_the_valid_names(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(
            tmp_path / "in.csv", [["Last Name", "Source"], ["A", "web"], ["B", "Fax"]]
        )

        run = import_leads(path, "--errors", tmp_path / "errors.csv")

        assert run.status == 1
        assert Lead.objects.get().source.name == "Web"
        errors = (tmp_path / "errors.csv").read_text(encoding="utf-8-sig")
        assert "unknown source Fax. Valid sources: Advertisement" in errors

    def test_create_sources_adds_them_and_source_is_the_default(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(tmp_path / "in.csv", [["Last Name", "Source"], ["A", "Fax"], ["B", ""]])

        run = import_leads(path, "--create-sources", "--source", "Trade Show")

        assert run.status == 0, run.output
        sources = dict(Lead.objects.values_list("last_name", "source__name"))
        assert sources == {"A": "Fax", "B": "Trade Show"}
        assert LeadSource.objects.filter(name="Fax").count() == 1


@pytest.mark.django_db
class TestDedupe:
    def test_rows_match_by_email_then_name_and_company(self, tmp_path, import_leads, alice):
        existing = make_lead(owner=alice, email="Anna@Fabrikam.example", last_name="Hansen")
        other = make_lead(
            owner=alice, email="", first_name="Bo", last_name="Berg", company_name="Contoso A/S"
        )
        path = write_csv(
            tmp_path / "in.csv",
            [
                ["First Name", "Last Name", "Company", "E-mail"],
                ["Anna", "Hansen", "Fabrikam", " anna@fabrikam.EXAMPLE "],
                ["bo", "BERG", "Contoso", ""],
                ["New", "Person", "Contoso", ""],
                ["New", "Person", "Contoso", ""],
            ],
        )

        run = import_leads(path)

        assert run.summary.startswith("created=1 updated=0 skipped=3 rejected=0")
        assert f"line 2: matches lead #{existing.pk} on e-mail address (skipped)" in run.output
        assert f"line 3: matches lead #{other.pk} on name and company (skipped)" in run.output
        assert Lead.objects.count() == 3

    def test_update_changes_the_existing_lead_and_create_duplicates_it(
        self, tmp_path, import_leads, alice, admin_user
    ):
        existing = make_lead(owner=alice, email="anna@fabrikam.example", city="Copenhagen")
        path = write_csv(
            tmp_path / "in.csv",
            [["Last Name", "E-mail", "City"], ["Hansen", "anna@fabrikam.example", "Aarhus"]],
        )

        updated = import_leads(path, "--dedupe", "update")
        again = import_leads(path, "--dedupe", "update")
        created = import_leads(path, "--dedupe", "create")

        assert updated.summary.startswith("created=0 updated=1 skipped=0")
        assert again.summary.startswith("created=0 updated=0 skipped=1")
        assert created.summary.startswith("created=1 updated=0 skipped=0")
        existing.refresh_from_db()
        assert (existing.city, existing.version) == ("Aarhus", 2)
        assert existing.history.first().history_user == admin_user
        assert Lead.objects.filter(email_key="anna@fabrikam.example").count() == 2

    def test_a_dry_run_counts_as_updated_only_what_the_import_will_update(
        self, tmp_path, import_leads, alice
    ):
        editable = make_lead(owner=alice, email="anna@fabrikam.example")
        closed = make_lead(owner=alice, email="tom@contoso.example")
        services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)
        path = write_csv(
            tmp_path / "in.csv",
            [
                ["Last Name", "E-mail", "City"],
                ["Hansen", "anna@fabrikam.example", "Aarhus"],
                ["Meyer", "tom@contoso.example", "Odense"],
            ],
        )

        dry = import_leads(path, "--dedupe", "update", "--dry-run")
        real = import_leads(path, "--dedupe", "update")

        # The closed lead is refused by both ("read-only"), not promised by the dry run.
        assert dry.summary.startswith("dry run: created=0 updated=1 skipped=0 rejected=1")
        assert real.summary.startswith("created=0 updated=1 skipped=0 rejected=1")
        editable.refresh_from_db()
        assert editable.city == "Aarhus"

    def test_an_external_key_matches_rows_without_email_on_a_rerun(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(
            tmp_path / "in.csv",
            [["LEADID", "Last Name", "Company"], ["2033", "Hansen", "A"], ["2034", "Hansen", "B"]],
        )
        import_leads(path, "--key", "LEADID")
        renamed = write_csv(
            tmp_path / "renamed.csv",
            [["LEADID", "Last Name", "Company"], ["2033", "Hansen-Berg", "A2"]],
        )

        run = import_leads(renamed, "--key", "LEADID")

        assert run.summary.startswith("created=0 updated=0 skipped=1")
        assert ExternalKey.objects.count() == 2
        assert Lead.objects.count() == 2
