"""Browser imports of messy CSV files, as a sales manager brings them from other CRMs: a
semicolon-separated UTF-8 file with a BOM and Salesforce status labels, Excel-style dates, rows
with an unknown owner or source, a UTF-16 tab-separated file (Excel's "Unicode Text") holding a
duplicate of an existing lead, the same file uploaded again, and Dynamics / European quirks.

Every fixture file is written here, in the test (tmp_path): no real export is copied."""

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from leads.imports.models import ImportBatch
from leads.models import Lead, LeadSource, State, Status
from leads.services import create_lead

BOM = "\ufeff"


def write_csv(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def upload(page, live_server, path):
    """Upload on the Imports page; lands on the batch's mapping page."""
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("CSV file").set_input_files(path)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_test_id("mapping-form")).to_be_visible()
    return ImportBatch.objects.latest("pk")


def mapped_field(page, header):
    """The field the mapping page proposes for a CSV column (its select's value)."""
    return page.get_by_test_id("mapping-form").get_by_label(header, exact=True).input_value()


def download_error_rows(page, tmp_path, delimiter):
    with page.expect_download() as download:
        page.get_by_test_id("error-file").click()
    target = tmp_path / "errors.csv"
    download.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


# A European (semicolon) export: UTF-8 with a BOM, CRLF, Salesforce's status picklist, dates as
# Excel writes them in several locales, an owner given by full name, an unknown source and an
# unknown owner.
SALESFORCE_SEMICOLON = (
    BOM + "First Name;Last Name;Company;Email;Lead Status;Lead Source;Lead Owner;Created Date\r\n"
    "Viggo;Østergaard;Fjord Analytics;viggo@fjord.example;Open - Not Contacted;Web;bob;"
    "15.04.2021 14:30\r\n"
    "Maja;Lind;Lind & Co;maja@lind.example;Working - Contacted;partner;Alice Adams;"
    "4/15/2021 2:30 PM\r\n"
    "Pia;Holm;Holm ApS;pia@holm.example;Closed - Not Converted;WEB;bob;2023-01-31\r\n"
    "Ole;Krag;Krag IT;ole@krag.example;Working - Contacted;Carrier Pigeon;bob;01.06.2021\r\n"
    "\r\n"
    "Eva;Dahl;Dahl Data;eva@dahl.example;Open - Not Contacted;Web;zorro;01.06.2021\r\n"
)


def test_a_semicolon_file_with_a_bom_and_salesforce_labels_maps_dry_runs_and_imports(
    page, live_server, login, manager, alice, bob, tmp_path
):
    LeadSource.objects.get_or_create(name="Web")
    LeadSource.objects.get_or_create(name="Partner")
    source = write_csv(tmp_path, "salesforce-eu.csv", SALESFORCE_SEMICOLON)
    login(manager)
    batch = upload(page, live_server, source)

    # The BOM is not part of the first header, and every column is proposed to the right field.
    assert batch.options["delimiter"] == ";"
    assert batch.options["encoding"] == "utf-8-sig"
    assert batch.options["header"][0] == "First Name"
    proposed = {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "company_name",
        "Email": "email",
        "Lead Status": "status",
        "Lead Source": "source",
        "Lead Owner": "owner",
        "Created Date": "created_at",
    }
    for header, field in proposed.items():
        assert mapped_field(page, header) == field, header
    # Salesforce's status labels are recognised without a value map.
    statuses = page.get_by_test_id("value-map-status")
    expect(statuses.get_by_label("Open - Not Contacted")).to_have_value("open:new")
    expect(statuses.get_by_label("Working - Contacted")).to_have_value("open:contacted")
    expect(statuses.get_by_label("Closed - Not Converted")).to_have_value("disqualified:lost")
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Østergaard")
    expect(preview).to_contain_text("unknown source Carrier Pigeon")
    expect(preview).to_contain_text("no user or team zorro")

    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=3 updated=0 skipped=0 rejected=2"
    )
    expect(page.get_by_test_id("import-result")).to_contain_text("nothing was written")
    assert not Lead.objects.exists()
    assert not LeadSource.objects.filter(name__iexact="Carrier Pigeon").exists()

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=3 updated=0 skipped=0 rejected=2"
    )
    assert Lead.objects.count() == 3
    viggo = Lead.objects.get(email="viggo@fjord.example")
    assert (viggo.last_name, viggo.owner, viggo.source.name) == ("Østergaard", bob, "Web")
    assert (viggo.state, viggo.status) == (State.OPEN, Status.NEW)
    assert viggo.created_at == datetime(2021, 4, 15, 14, 30, tzinfo=UTC)
    maja = Lead.objects.get(email="maja@lind.example")
    assert (maja.owner, maja.source.name, maja.status) == (alice, "Partner", Status.CONTACTED)
    assert maja.created_at == datetime(2021, 4, 15, 14, 30, tzinfo=UTC)  # US, AM/PM
    pia = Lead.objects.get(email="pia@holm.example")
    assert (pia.state, pia.status) == (State.DISQUALIFIED, Status.LOST)

    # The rejected rows are listed on the page and in the error file, in the file's own
    # delimiter, with their physical line (the blank line 6 counts) and the reason.
    result = page.get_by_test_id("import-result")
    expect(result.locator("tbody tr")).to_have_count(2)
    rows = download_error_rows(page, tmp_path, ";")
    assert rows[0] == [*proposed, "line", "error"]
    assert [row[1] for row in rows[1:]] == ["Krag", "Dahl"]
    assert rows[1][-2] == "5"
    assert "Lead source: unknown source Carrier Pigeon" in rows[1][-1]
    assert rows[2][-2] == "7"
    assert rows[2][-1] == "Owner: no user or team zorro."

    # "The leads of this import" lists exactly the three created leads.
    page.get_by_test_id("created-leads").click()
    expect(page).to_have_url(re.compile(rf"[?&]import={batch.pk}(&|$)"))
    table = page.get_by_test_id("lead-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    for name in ("Østergaard", "Lind", "Holm"):
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text("Krag")


# Excel's "Unicode Text": UTF-16 with its BOM, tab-separated. The first row is a lead the CRM
# already has (the e-mail differs only by case), with a new job title.
UNICODE_TEXT = (
    "Salutation\tFirst Name\tLast Name\tAccount Name\tE-Mail Address\tJob Title\r\n"
    "Ms.\tAnna\tHansen\tFabrikam A/S\tANNA.Hansen@Fabrikam.example\tHead of purchasing\r\n"
    "Mr.\tJørgen\tBlå\tBlåbær ApS\tjorgen@blaabaer.example\tCEO\r\n"
    "Dr.\tZoë\tCafé\tCafé Zoë\tzoe@cafe.example\tOwner\r\n"
)


def test_a_duplicate_is_skipped_and_the_same_file_uploaded_again_creates_nothing_twice(
    page, live_server, login, manager, alice, tmp_path
):
    anna = create_lead(
        data={
            "first_name": "Anna",
            "last_name": "Hansen",
            "company_name": "Fabrikam A/S",
            "email": "anna.hansen@fabrikam.example",
            "job_title": "Buyer",
        },
        created_by=alice,
        owner=alice,
    )
    source = write_csv(tmp_path, "unicode-text.txt", UNICODE_TEXT, encoding="utf-16")
    login(manager)
    batch = upload(page, live_server, source)
    assert batch.options["delimiter"] == "\t"
    assert mapped_field(page, "Account Name") == "company_name"
    assert mapped_field(page, "E-Mail Address") == "email"
    expect(page.get_by_test_id("preview")).to_contain_text("Blåbær ApS")
    expect(page.get_by_label("Rows matching an existing lead")).to_have_value("skip")

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=2 updated=0 skipped=1 rejected=0"
    )
    expect(page.get_by_test_id("error-file")).to_have_count(0)
    assert Lead.objects.count() == 3
    anna.refresh_from_db()
    assert anna.job_title == "Buyer"  # skipped: untouched
    assert Lead.objects.get(email="zoe@cafe.example").salutation == "Dr."

    page.get_by_test_id("created-leads").click()
    table = page.get_by_test_id("lead-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Blåbær ApS")
    expect(table).to_contain_text("Café Zoë")
    expect(table).not_to_contain_text("Fabrikam")

    # The same file again, this time updating the leads it matches: nothing is created twice;
    # Anna's lead (alice's, in the manager's team) gets the new job title.
    second = upload(page, live_server, source)
    assert second.pk != batch.pk and second.checksum == batch.checksum
    page.get_by_label("Rows matching an existing lead").select_option("update")
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=0 updated=1 skipped=2 rejected=0"
    )
    anna.refresh_from_db()
    assert anna.job_title == "Buyer"
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=0 updated=1 skipped=2 rejected=0"
    )
    expect(page.get_by_test_id("created-leads")).to_have_count(0)
    expect(page.get_by_role("link", name="See the leads")).to_be_visible()
    assert Lead.objects.count() == 3
    anna.refresh_from_db()
    assert anna.job_title == "Head of purchasing"
    assert anna.owner == alice  # an update never changes the owner

    # A finished import cannot be started again from its page.
    page.goto(f"{live_server.url}/imports/")
    listing = page.get_by_test_id("import-list")
    expect(listing.locator("tbody tr")).to_have_count(2)
    expect(listing.locator("tbody tr").first).to_contain_text("unicode-text.txt")


def test_unknown_sources_are_mapped_or_created_and_rows_without_owner_get_the_default(
    page, live_server, login, manager, bob, tmp_path
):
    LeadSource.objects.get_or_create(name="Partner")
    source = write_csv(
        tmp_path,
        "fair.csv",
        "Company,Email,Lead Source\r\n"
        "Messe GmbH,info@messe.example,Messe Hannover\r\n"
        "Webinar Ltd,hi@webinar.example,Webinar 2024\r\n",
    )
    login(manager)
    upload(page, live_server, source)
    sources = page.get_by_test_id("value-map-source")
    expect(sources.get_by_label("Messe Hannover")).to_have_value("")
    sources.get_by_label("Messe Hannover").select_option("Partner")
    page.get_by_label("Create unknown sources").check()
    page.get_by_label("Owner of rows without one").select_option("bob")
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=2 updated=0 skipped=0 rejected=0"
    )
    assert not LeadSource.objects.filter(name="Webinar 2024").exists()  # a dry run
    expect(page.get_by_test_id("value-map-source").get_by_label("Messe Hannover")).to_have_value(
        "Partner"
    )
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    messe = Lead.objects.get(email="info@messe.example")
    webinar = Lead.objects.get(email="hi@webinar.example")
    assert (messe.source.name, messe.owner) == ("Partner", bob)
    assert (webinar.source.name, webinar.owner) == ("Webinar 2024", bob)
    assert not LeadSource.objects.filter(name="Messe Hannover").exists()


def test_a_file_that_is_not_a_csv_or_is_empty_is_refused_with_a_message(
    page, live_server, login, manager, tmp_path
):
    login(manager)
    empty = write_csv(tmp_path, "empty.csv", "")
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("CSV file").set_input_files(empty)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_test_id("upload-form")).to_contain_text("The submitted file is empty.")

    blank = write_csv(tmp_path, "blank.csv", "\r\n  \r\n\r\n")
    page.get_by_label("CSV file").set_input_files(blank)
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_test_id("upload-form")).to_contain_text("there is no header line")
    assert not ImportBatch.objects.exists()

    # Headers that match no field: the mapping page says what to do, nothing is imported.
    odd = write_csv(tmp_path, "odd.csv", "Foo,Bar\r\n1,2\r\n")
    upload(page, live_server, odd)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("mapping-form")).to_contain_text(
        "Map at least one column to a field."
    )
    assert ImportBatch.objects.get().status == ImportBatch.Status.UPLOADED
    assert not Lead.objects.exists()


def test_european_amounts_in_a_semicolon_file_are_read_with_a_decimal_comma(
    page, live_server, login, manager, tmp_path
):
    source = write_csv(
        tmp_path,
        "messe.csv",
        BOM + "Nachname;Firma;E-Mail;Annual Revenue\r\n"
        "Becker;Becker GmbH;becker@becker.example;1.234.567,50\r\n"
        "Weber;Weber AG;weber@weber.example;2500,75\r\n"
        "Fischer;Fischer KG;fischer@fischer.example;1.234,50\r\n",
    )
    login(manager)
    upload(page, live_server, source)
    page.get_by_test_id("mapping-form").get_by_label("Nachname").select_option("last_name")
    page.get_by_test_id("mapping-form").get_by_label("Firma").select_option("company_name")
    page.get_by_test_id("mapping-form").get_by_label("E-Mail").select_option("email")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    assert Lead.objects.get(email="weber@weber.example").annual_revenue == Decimal("2500.75")
    becker = Lead.objects.filter(email="becker@becker.example").first()
    assert becker is not None, ImportBatch.objects.get().row_errors.get().error
    assert becker.annual_revenue == Decimal("1234567.50")
    fischer = Lead.objects.filter(email="fischer@fischer.example").first()
    assert fischer is not None and fischer.annual_revenue == Decimal("1234.50")


def test_a_dynamics_export_with_status_and_status_reason_keeps_the_reason(
    page, live_server, login, manager, tmp_path
):
    source = write_csv(
        tmp_path,
        "dynamics.csv",
        "Topic,Last Name,Company Name,Email,Status,Status Reason\r\n"
        "Sensors,Nilsen,Bergen Shipping,astrid@bergen.example,Open,Contacted\r\n"
        "Pumps,Wei,Shenzhen Pumps,wei@pumps.example,Disqualified,No Longer Interested\r\n",
    )
    login(manager)
    upload(page, live_server, source)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=2 updated=0 skipped=0 rejected=0"
    )
    contacted = Lead.objects.get(email="astrid@bergen.example")
    lost_interest = Lead.objects.get(email="wei@pumps.example")
    assert (contacted.state, contacted.status) == (State.OPEN, Status.CONTACTED)
    assert lost_interest.status == Status.NO_LONGER_INTERESTED


def test_the_address_headers_of_salesforce_and_dynamics_exports_are_proposed(
    page, live_server, login, manager, tmp_path
):
    source = write_csv(
        tmp_path,
        "addresses.csv",
        "Last Name,Company,Street 1,City,State/Province,Zip/Postal Code,Country/Region\r\n"
        "Laurent,Lyon Digital,12 rue Mercière,Lyon,Rhône,69002,France\r\n",
    )
    login(manager)
    upload(page, live_server, source)
    assert mapped_field(page, "City") == "city"
    assert mapped_field(page, "State/Province") == "state_province"
    proposals = {
        header: mapped_field(page, header)
        for header in ("Street 1", "Zip/Postal Code", "Country/Region")
    }
    assert proposals == {
        "Street 1": "street",
        "Zip/Postal Code": "postal_code",
        "Country/Region": "country",
    }


@pytest.mark.parametrize(
    ("name", "first_line"),
    [
        # The delimiter is sniffed on the header, not on a blank first line.
        ("blank-first.csv", ""),
        # Excel's delimiter hint line is not the header.
        ("excel-sep.csv", "sep=;"),
    ],
)
def test_the_header_is_found_after_a_blank_or_excel_sep_line(
    page, live_server, login, manager, tmp_path, name, first_line
):
    source = write_csv(
        tmp_path,
        name,
        f"{first_line}\r\nFirst Name;Last Name;Email\r\nIda;Holm;ida@holm.example\r\n",
    )
    login(manager)
    batch = upload(page, live_server, source)
    assert batch.options["header"] == ["First Name", "Last Name", "Email"]


def test_the_dry_run_predicts_the_updates_that_the_import_will_refuse(
    page, live_server, login, manager, alice, carol, tmp_path
):
    from leads.services import disqualify_lead

    create_lead(
        data={"last_name": "Svensson", "company_name": "South AB", "email": "sven@south.example"},
        created_by=carol,
        owner=carol,
    )
    closed = create_lead(
        data={
            "last_name": "Lukket",
            "company_name": "Closed ApS",
            "email": "lukket@closed.example",
        },
        created_by=alice,
        owner=alice,
    )
    disqualify_lead(lead=closed, user=alice, status=Status.LOST)
    source = write_csv(
        tmp_path,
        "updates.csv",
        "Last Name,Company,Email,Job Title\r\n"
        "Svensson,South AB,sven@south.example,CTO\r\n"
        "Lukket,Closed ApS,lukket@closed.example,CEO\r\n"
        "Ny,New Co,ny@new.example,COO\r\n",
    )
    login(manager)
    upload(page, live_server, source)
    page.get_by_label("Rows matching an existing lead").select_option("update")
    page.get_by_role("button", name="Dry run").click()
    dry_run = page.get_by_test_id("import-summary-text").get_attribute("data-summary")
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=1 updated=0 skipped=0 rejected=2"
    )
    errors = page.get_by_test_id("import-result").locator("tbody")
    expect(errors).to_contain_text("which you cannot edit")
    expect(errors).to_contain_text("read-only")
    assert dry_run == "created=1 updated=0 skipped=0 rejected=2"
