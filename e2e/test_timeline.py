from playwright.sync_api import expect

from activities.tests.factories import AccountFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_rep_logs_a_call_adds_a_note_with_a_pdf_and_an_inquiry_on_an_account(
    page, live_server, login, alice, screenshot
):
    account = AccountFactory(name="Acme Robotics", owner_user=alice)
    login(alice)
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    timeline = page.get_by_test_id("timeline")

    timeline.get_by_test_id("quick-add-phone_call").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_label("Subject").fill("Discussed the pilot")
    form.get_by_label("Other party").fill("Dana Director")
    form.get_by_role("button", name="Save").click()
    expect(timeline.get_by_test_id("timeline-entry").first).to_contain_text("Discussed the pilot")
    expect(timeline.get_by_test_id("activity-state").first).to_have_text("Completed")

    timeline.get_by_test_id("quick-add-note").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_label("Text").fill("Offer attached, see https://example.com/pilot")
    form.get_by_label("Attachment").set_input_files(
        {"name": "offer.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="Save").click()
    link = timeline.get_by_test_id("attachment-link")
    expect(link).to_have_text("offer.pdf")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "offer.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    timeline.get_by_test_id("quick-add-inquiry").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_label("Title").fill("Do you ship to Norway?")
    form.get_by_label("Channel").select_option("email")
    form.get_by_role("button", name="Save").click()
    expect(timeline.get_by_test_id("timeline-entry").first).to_contain_text(
        "Do you ship to Norway?"
    )
    expect(timeline.get_by_test_id("timeline-entry")).to_have_count(3)
    screenshot("account-timeline")

    # The filter bar narrows the list without leaving the page; the filter is in the URL,
    # so a reload (or a shared link) keeps it, and Back returns to everything.
    timeline.get_by_role("link", name="Notes").click()
    expect(page.get_by_test_id("timeline").get_by_test_id("timeline-entry")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}{account.get_absolute_url()}?timeline=note")
    page.reload()
    expect(page.get_by_test_id("timeline").get_by_test_id("timeline-entry")).to_have_count(1)
    expect(page.get_by_test_id("timeline").get_by_role("link", name="Notes")).to_have_attribute(
        "aria-current", "true"
    )
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}{account.get_absolute_url()}")
    expect(page.get_by_test_id("timeline").get_by_test_id("timeline-entry")).to_have_count(3)


def test_my_activities_lists_an_open_task_and_completes_it(page, live_server, login, alice):
    account = AccountFactory(name="Beta Ltd", owner_user=alice)
    login(alice)
    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.get_by_test_id("quick-add-task").click()
    page.get_by_test_id("quick-add-form").get_by_label("Subject").fill("Send the contract")
    page.get_by_test_id("quick-add-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("timeline-entry").first).to_contain_text("Send the contract")

    page.get_by_role("link", name="My activities").click()
    row = page.get_by_test_id("my-activities-upcoming").get_by_test_id("my-activity")
    expect(row).to_contain_text("Send the contract")
    expect(row).to_contain_text("Beta Ltd")
    row.get_by_role("button", name="Complete").click()
    expect(row).to_contain_text("Completed")
