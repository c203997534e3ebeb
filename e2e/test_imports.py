import re

from playwright.sync_api import expect

from leads.models import Lead

CSV = (
    "First Name,Last Name,Company,Email Address,Lead Status\r\n"
    "Søren,Ærø,Café Zoë,soren@cafe.example,Junk Lead\r\n"
    "Bo,Berg,Contoso,not-an-address,Contacted\r\n"
    "Cy,Cruz,Northwind,cy@northwind.example,Contacted\r\n"
)


def test_a_manager_uploads_maps_dry_runs_imports_and_downloads_the_errors(
    page, live_server, login, manager, tmp_path, screenshot
):
    source = tmp_path / "trade-show.csv"
    source.write_bytes(CSV.encode("cp1252"))
    login(manager)

    page.get_by_role("link", name="Imports").click()
    page.get_by_label("CSV file").set_input_files(source)
    page.get_by_role("button", name="Upload and map columns").click()

    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Café Zoë")
    expect(preview).to_contain_text("Enter a valid e-mail address")
    expect(page.get_by_label("Email Address")).to_have_value("email")
    # Each distinct status of the file gets a select; "Contacted" is recognised already.
    values = page.get_by_test_id("value-map-status")
    expect(values.get_by_label("Contacted")).to_have_value("open:contacted")
    values.get_by_label("Junk Lead").select_option("disqualified:canceled")
    page.get_by_role("button", name="Apply the mapping").click()
    expect(page.get_by_test_id("value-map-status").get_by_label("Junk Lead")).to_have_value(
        "disqualified:canceled"
    )
    expect(page.get_by_test_id("preview")).not_to_contain_text("Unknown status")
    screenshot("imports-mapping")

    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=2 updated=0 skipped=0 rejected=1"
    )
    expect(page.get_by_test_id("import-result")).to_contain_text("nothing was written")
    assert not Lead.objects.exists()

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=2 updated=0 skipped=0 rejected=1"
    )
    screenshot("imports-result")
    assert Lead.objects.filter(email="soren@cafe.example", status="canceled").exists()

    page.get_by_test_id("created-leads").click()
    expect(page).to_have_url(re.compile(r"[?&]import=\d+"))
    expect(page.locator("tbody")).to_contain_text("Ærø")
    expect(page.locator("tbody")).to_contain_text("Cruz")
    expect(page.locator("tbody tr")).to_have_count(2)
    page.go_back()

    with page.expect_download() as download:
        page.get_by_test_id("error-file").click()
    download.value.save_as(tmp_path / "errors.csv")
    content = (tmp_path / "errors.csv").read_text(encoding="utf-8-sig")
    assert content.splitlines()[0].endswith(",line,error")
    assert "not-an-address" in content
    assert ",3,E-mail: Enter a valid e-mail address." in content


def test_mapping_by_label_the_duplicates_skipped_and_where_the_leads_went(
    page, live_server, login, manager, alice, tmp_path
):
    """Issue 17: a column is mapped by the label people know ("Budget amount"), the dry run
    says who the rows go to, and the result lists each skipped duplicate with its lead."""
    existing = Lead.objects.create(last_name="Hansen", email="anna@fabrikam.example", owner=alice)
    source = tmp_path / "fair.csv"
    source.write_text(
        "Surname,E-mail,Money\nHansen,anna@fabrikam.example,100\nBerg,bo@contoso.example,250\n",
        encoding="utf-8",
    )
    login(manager)
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("CSV file").set_input_files(source)
    page.get_by_role("button", name="Upload and map columns").click()

    money = page.get_by_label("Money")
    expect(money).to_have_value("")
    # The drop-down offers the lead form's labels, grouped, with the API name as a hint.
    expect(money.locator("optgroup[label='Qualification']")).to_have_count(1)
    money.select_option(label="Budget amount · budget_amount")
    page.get_by_role("button", name="Apply the mapping").click()
    expect(page.get_by_label("Money")).to_have_value("budget_amount")
    expect(page.get_by_test_id("preview")).to_contain_text("budget_amount")

    page.get_by_role("button", name="Dry run").click()
    result = page.get_by_test_id("import-result")
    expect(result).to_contain_text("Where the new leads would go")
    expect(page.get_by_test_id("import-owners")).to_contain_text(f"{manager}: 1")
    expect(page.get_by_test_id("import-unrouted")).to_have_text(
        "Routing rules: 1 row matches no rule and goes to you."
    )

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-summary-text")).to_have_attribute(
        "data-summary", "created=1 updated=0 skipped=1 rejected=0"
    )
    expect(page.get_by_test_id("import-owners")).to_contain_text(f"{manager}: 1")
    matches = page.get_by_test_id("import-matches")
    expect(matches).to_contain_text("e-mail address")
    matches.get_by_role("link", name=re.compile(rf"#{existing.pk}")).click()
    expect(page).to_have_url(re.compile(rf"/leads/{existing.pk}/"))
    assert Lead.objects.get(email="bo@contoso.example").budget_amount == 250
