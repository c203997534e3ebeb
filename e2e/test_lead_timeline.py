"""Issue #6's walk-through: a lead's history (call, note with a PDF, inquiry, a linked
contact) follows it onto the account that qualifying it creates, marked as from the lead."""

import re

from playwright.sync_api import expect

from accounts.models import Account, Contact
from leads.models import LeadLink

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_leads_history_and_links_follow_it_onto_the_new_account(
    page, live_server, login, alice, screenshot
):
    from leads.services import create_lead

    dana = Contact(first_name="Dana", last_name="Director", owner=alice)
    dana.save()
    lead = create_lead(
        data={
            "topic": "Wind turbine sensors",
            "first_name": "Erik",
            "last_name": "Sørensen",
            "company_name": "Nordvind A/S",
            "email": "erik@nordvind.example",
        },
        created_by=alice,
        owner=alice,
    )
    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    timeline = page.get_by_test_id("timeline")

    # Log a call: a completed call moves the New lead to Contacted, on the timeline too.
    timeline.get_by_test_id("quick-add-phone_call").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_label("Subject").fill("Asked about 40 sensors")
    form.get_by_label("Other party").fill("Erik Sørensen")
    form.get_by_role("button", name="Save").click()
    expect(timeline.get_by_test_id("timeline-entry").first).to_contain_text(
        "Asked about 40 sensors"
    )
    expect(timeline.get_by_test_id("status-change").first).to_contain_text("New → Contacted")

    # A note with a PDF, downloaded back.
    timeline.get_by_test_id("quick-add-note").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_label("Text").fill("Their spec sheet")
    form.get_by_label("Attachment").set_input_files(
        {"name": "spec.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_role("button", name="Save").click()
    attachment = timeline.get_by_test_id("attachment-link")
    expect(attachment).to_have_text("spec.pdf")
    with page.expect_download() as download_info:
        attachment.click()
    download = download_info.value
    assert download.suggested_filename == "spec.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    # An inquiry.
    timeline.get_by_test_id("quick-add-inquiry").click()
    form = page.get_by_test_id("quick-add-form")
    form.get_by_label("Title").fill("Do the sensors work offshore?")
    form.get_by_label("Channel").select_option("email")
    form.get_by_role("button", name="Save").click()
    expect(timeline.get_by_test_id("timeline-entry").first).to_contain_text(
        "Do the sensors work offshore?"
    )

    # Link the existing contact.
    links = page.get_by_test_id("lead-links")
    links.get_by_label("Contact").fill(dana.last_name)  # a lookup: type, then pick
    links.get_by_role("radio", name=str(dana)).check()
    links.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_test_id("lead-links")).to_contain_text("Dana Director")
    expect(page.get_by_test_id("lead-links")).to_contain_text(f"linked by {alice}")
    screenshot("lead-timeline")

    # The status changes are a kind of their own in the filter.
    page.get_by_test_id("timeline").get_by_role("link", name="Status changes").click()
    expect(page.get_by_test_id("timeline").get_by_test_id("timeline-entry")).to_have_count(2)

    # Qualify into a new account and contact.
    page.get_by_role("link", name="Qualify", exact=True).click()
    expect(page.get_by_test_id("qualify-preview")).to_contain_text("Create a new account")
    page.get_by_label("Create an opportunity").uncheck()
    page.get_by_role("button", name="Qualify", exact=True).click()
    expect(page.get_by_test_id("lead-state")).to_have_text("Qualified")
    account = Account.objects.get(name="Nordvind A/S")

    # The new account shows the lead, who qualified it, the lead's link, and its history.
    page.get_by_test_id("qualifications").get_by_role("link", name="Nordvind A/S").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{account.pk}/$"))
    leads_panel = page.get_by_test_id("record-leads")
    expect(leads_panel.get_by_test_id("originating-lead")).to_contain_text("Wind turbine sensors")
    expect(leads_panel.get_by_test_id("originating-lead")).to_contain_text(str(alice))
    expect(leads_panel.get_by_test_id("originating-lead-links")).to_contain_text("Dana Director")
    timeline = page.get_by_test_id("timeline")
    for kind, text in (
        ("phone_call", "Asked about 40 sensors"),
        ("note", "spec.pdf"),
        ("inquiry", "Do the sensors work offshore?"),
    ):
        entry = timeline.locator(f'[data-testid="timeline-entry"][data-kind="{kind}"]')
        expect(entry).to_contain_text(text)
        expect(entry.get_by_test_id("timeline-origin")).to_have_text("From the lead")
    expect(timeline.get_by_test_id("status-change").first).to_contain_text("Qualified")
    screenshot("account-from-lead")

    # The note's file downloads from the account page too.
    with page.expect_download() as download_info:
        timeline.get_by_test_id("attachment-link").click()
    assert download_info.value.suggested_filename == "spec.pdf"

    # Link and unlink from the account's side.
    other = create_lead(
        data={
            "topic": "Spare blades",
            "company_name": "Nordvind A/S",
            "email": "b@nordvind.example",
        },
        created_by=alice,
        owner=alice,
    )
    leads_panel.get_by_test_id("link-lead").click()
    search = page.get_by_test_id("link-lead-form")
    search.get_by_label("Search leads").fill("blades")
    search.get_by_role("button", name="Search").click()
    candidates = page.get_by_test_id("link-candidates")
    expect(candidates.get_by_role("listitem")).to_have_count(1)
    candidates.get_by_role("button", name="Link").click()
    linked = page.get_by_test_id("record-leads").get_by_test_id("linked-lead")
    expect(linked).to_contain_text("Spare blades")
    expect(linked).to_contain_text(f"linked by {alice}")
    assert LeadLink.objects.filter(lead=other, account=account).exists()
    linked.get_by_role("button", name="Remove link").click()
    expect(page.get_by_text("Link removed.")).to_be_visible()
    expect(page.get_by_test_id("record-leads").get_by_test_id("linked-lead")).to_have_count(0)
    assert not LeadLink.objects.filter(lead=other).exists()
