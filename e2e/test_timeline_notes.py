"""A lead's timeline as reps use it: filtering by kind, paging through a long history, editing
and deleting one's own note, downloading a note's file (always as a download), and a teammate
who may read alice's note but not change it."""

import os
from datetime import UTC, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from activities import services
from activities.models import Activity, Inquiry, Note
from leads.tests.factories import make_lead

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def add_note(lead, user, text, *, file_name=None, content=PDF, content_type="application/pdf"):
    upload = SimpleUploadedFile(file_name, content) if file_name else None
    return services.add_note(
        regarding=lead, user=user, text=text, upload=upload, content_type=content_type
    )


def entries(page):
    return page.get_by_test_id("timeline").get_by_test_id("timeline-entry")


def entry_with(page, text):
    return entries(page).filter(has_text=text)


def csrf_headers(page):
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token}


def test_the_timeline_filters_by_kind_and_pages_through_a_long_history(
    page, live_server, login, alice
):
    lead = make_lead(owner=alice, company_name="Longhistory Ltd")  # + its "Created" entry
    start = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    for number in range(1, 24):
        note = add_note(lead, alice, f"Call notes #{number:02d}")
        Note.objects.filter(pk=note.pk).update(created_at=start + timedelta(hours=number))
    for number in (1, 2):
        task = services.log_activity(
            regarding=lead, user=alice, kind="task", data={"subject": f"Follow-up task {number}"}
        )
        Activity.objects.filter(pk=task.pk).update(created_at=start + timedelta(minutes=number))
    inquiry = services.add_inquiry(
        regarding=lead, user=alice, data={"title": "Price list for 2025?", "channel": "email"}
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(created_at=start)

    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    timeline = page.get_by_test_id("timeline")
    # 23 notes + 2 tasks + 1 inquiry + the status log's "Created" = 27: 20 on the first page.
    expect(entries(page)).to_have_count(20)
    expect(timeline).to_contain_text("Page 1 of 2")
    expect(entries(page).first.get_by_test_id("status-change")).to_be_visible()  # newest
    expect(entries(page).nth(1)).to_contain_text("Call notes #23")
    expect(timeline.get_by_role("link", name="Newer")).to_have_count(0)
    timeline.get_by_role("link", name="Older").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Page 2 of 2")
    expect(entries(page)).to_have_count(7)
    expect(entries(page).last).to_contain_text("Price list for 2025?")  # the oldest
    expect(page.get_by_test_id("timeline").get_by_role("link", name="Older")).to_have_count(0)
    page.get_by_test_id("timeline").get_by_role("link", name="Newer").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Page 1 of 2")

    # Notes only: still two pages, and "Older" keeps the filter.
    page.get_by_test_id("timeline").get_by_role("link", name="Notes", exact=True).click()
    expect(entries(page)).to_have_count(20)
    expect(page.locator('[data-testid="timeline-entry"]:not([data-kind="note"])')).to_have_count(0)
    expect(entries(page).first).to_contain_text("Call notes #23")
    page.get_by_test_id("timeline").get_by_role("link", name="Older").click()
    expect(entries(page)).to_have_count(3)
    expect(page.locator('[data-testid="timeline-entry"]:not([data-kind="note"])')).to_have_count(0)
    assert entries(page).all_inner_texts()[-1].count("Call notes #01") == 1

    for label, count, text in (
        ("Task", 2, "Follow-up task 2"),
        ("Customer inquiries", 1, "Price list for 2025?"),
        ("Status changes", 1, "Created"),
    ):
        page.get_by_test_id("timeline").get_by_role("link", name=label, exact=True).click()
        expect(entries(page)).to_have_count(count)
        expect(entries(page).first).to_contain_text(text)
        expect(page.get_by_test_id("timeline")).not_to_contain_text("Page 1 of")
    page.get_by_test_id("timeline").get_by_role("link", name="Phone call", exact=True).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Nothing here yet.")
    page.get_by_test_id("timeline").get_by_role("link", name="All", exact=True).click()
    expect(entries(page)).to_have_count(20)

    # The same filtered page without JavaScript (the links' href): the kind and page survive.
    response = page.goto(
        f"{live_server.url}/activities/timeline/leads.lead/{lead.pk}/?kind=note&page=2"
    )
    assert response.status == 200
    expect(entries(page)).to_have_count(3)
    # A page number past the end shows the last page rather than an error.
    response = page.goto(f"{live_server.url}/activities/timeline/leads.lead/{lead.pk}/?page=99")
    assert response.status == 200
    expect(entries(page)).to_have_count(7)


def test_alice_edits_downloads_and_deletes_her_own_note(page, live_server, login, alice):
    lead = make_lead(owner=alice, company_name="Notes A/S")
    note = add_note(lead, alice, "Offer sent, see the PDF", file_name="Tilbud – Ærø.pdf")
    script = add_note(
        lead,
        alice,
        "Their intranet page",
        file_name="page.html",
        content=HTML,
        content_type="application/octet-stream",
    )
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    entry = entry_with(page, "Offer sent")
    link = entry.get_by_test_id("attachment-link")
    expect(link).to_have_text("Tilbud – Ærø.pdf")

    # The file is always a download, named as uploaded, never rendered by the browser.
    href = link.get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.body() == PDF
    headers = response.headers
    assert headers["content-disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''Tilbud%20%E2%80%93%20%C3%86r%C3%B8.pdf" in headers["content-disposition"]
    )
    assert headers["content-type"] == "application/pdf"
    assert headers["x-content-type-options"] == "nosniff"
    assert "no-store" in headers["cache-control"]
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Tilbud – Ærø.pdf"
    # An HTML file is served as bytes, in a sandbox, as a download.
    html = page.request.get(f"{live_server.url}/activities/notes/{script.pk}/attachment/")
    assert html.headers["content-type"] == "application/octet-stream"
    assert html.headers["content-disposition"].startswith('attachment; filename="page.html"')
    assert "sandbox" in html.headers["content-security-policy"]

    # Edit the text; the file stays.
    entry.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit note")).to_be_visible()
    expect(page.get_by_label("Text")).to_have_value("Offer sent, see the PDF")
    page.get_by_label("Text").fill("Offer v2 sent, 5% discount")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The note was saved.")).to_be_visible()
    expect(entry_with(page, "Offer v2 sent, 5% discount")).to_have_count(1)
    expect(entries(page).filter(has_text="Offer sent, see the PDF")).to_have_count(0)
    note.refresh_from_db()
    assert (note.text, note.version, note.modified_by) == ("Offer v2 sent, 5% discount", 2, alice)
    assert note.attachment_name == "Tilbud – Ærø.pdf"

    # Emptying the text of a note that has a file keeps the file (a file-only note).
    entry_with(page, "Offer v2").get_by_role("link", name="Edit").click()
    page.get_by_label("Text").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The note was saved.")).to_be_visible()
    note.refresh_from_db()
    assert note.text == "" and note.attachment

    # A text-only note cannot be emptied.
    plain = add_note(lead, alice, "Call back on Monday")
    page.goto(f"{live_server.url}/activities/notes/{plain.pk}/edit/")
    page.get_by_label("Text").fill("   ")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Write a note or keep a file.")).to_be_visible()
    plain.refresh_from_db()
    assert plain.text == "Call back on Monday"

    # Two tabs: the note changed since this form was opened; the save is refused, not lost.
    page.goto(f"{live_server.url}/activities/notes/{plain.pk}/edit/")
    services.update_note(note=plain, user=alice, text="Call back on Tuesday")
    page.get_by_label("Text").fill("Call back on Wednesday")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("after you opened it. Nothing was saved")).to_be_visible()
    plain.refresh_from_db()
    assert plain.text == "Call back on Tuesday"

    # Delete: the browser asks first; cancelling keeps it.
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    stored_file = note.attachment.path
    assert os.path.exists(stored_file)
    file_entry = entries(page).filter(has=page.get_by_text("Tilbud – Ærø.pdf"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    file_entry.get_by_role("button", name="Delete").click()
    expect(file_entry).to_have_count(1)
    assert Note.objects.filter(pk=note.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    file_entry.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("The note was deleted.")).to_be_visible()
    expect(entries(page).filter(has=page.get_by_text("Tilbud – Ærø.pdf"))).to_have_count(0)
    assert not Note.objects.filter(pk=note.pk).exists()
    assert not os.path.exists(stored_file)
    gone = page.request.get(f"{live_server.url}{href}")
    assert gone.status == 404


def test_bob_reads_alices_note_but_cannot_edit_or_delete_it(
    page, live_server, login, alice, bob, carol
):
    lead = make_lead(owner=alice, company_name="Shared Team Ltd")
    note = add_note(lead, alice, "Alice: budget is 40k", file_name="budget.pdf")
    add_note(lead, bob, "Bob: I know their CTO")

    login(bob)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    alices = entry_with(page, "Alice: budget is 40k")
    expect(alices).to_contain_text("Alice Adams")
    expect(alices.get_by_role("link", name="Edit")).to_have_count(0)
    expect(alices.get_by_role("button", name="Delete")).to_have_count(0)
    expect(
        entry_with(page, "Bob: I know their CTO").get_by_role("link", name="Edit")
    ).to_be_visible()
    # The teammate may download the file.
    with page.expect_download() as download:
        alices.get_by_test_id("attachment-link").click()
    assert download.value.suggested_filename == "budget.pdf"

    # Typing the addresses does not help either.
    response = page.goto(f"{live_server.url}/activities/notes/{note.pk}/edit/")
    assert response.status == 404
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    posted = page.request.post(
        f"{live_server.url}/activities/notes/{note.pk}/edit/",
        form={"text": "Bob was here", "expected_version": "1"},
        headers=csrf_headers(page),
    )
    assert posted.status == 404
    deleted = page.request.post(
        f"{live_server.url}/activities/notes/{note.pk}/delete/", headers=csrf_headers(page)
    )
    assert deleted.status == 404
    note.refresh_from_db()
    assert note.text == "Alice: budget is 40k"

    # Carol (team South) cannot even download it.
    page.context.clear_cookies()
    login(carol)
    response = page.request.get(f"{live_server.url}/activities/notes/{note.pk}/attachment/")
    assert response.status == 404
