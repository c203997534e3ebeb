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
    expect(page.get_by_test_id("import-summary")).to_have_text(
        "created=2 updated=0 skipped=0 rejected=1"
    )
    expect(page.get_by_test_id("import-result")).to_contain_text("nothing was written")
    assert not Lead.objects.exists()

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Import result")
    expect(page.get_by_test_id("import-summary")).to_have_text(
        "created=2 updated=0 skipped=0 rejected=1"
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
    assert ",3,email: Enter a valid e-mail address." in content
