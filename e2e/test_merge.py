"""Merging duplicates (issue 22): two leads with one e-mail ticked on the lead list, merged on
the side-by-side page taking two fields from the other lead, the note moved to the master,
then the merge undone from the master's page; and the page read as cards on a phone."""

from playwright.sync_api import expect

from activities.services import add_note
from leads.models import Lead
from leads.tests.factories import make_lead

PHONE = {"width": 375, "height": 740}


def _pair(alice):
    master = make_lead(
        owner=alice, topic="Cold storage", last_name="Holm", email="ida@holm.dk", city="Aarhus"
    )
    other = make_lead(
        owner=alice,
        topic="Cold storage (web)",
        last_name="Holm",
        email="ida@holm.dk",
        city="Odense",
        job_title="Head of logistics",
    )
    add_note(regarding=other, user=alice, text="Wants a demo in March")
    return master, other


def test_merge_two_leads_picking_two_fields_then_undo(page, live_server, login, alice):
    master, other = _pair(alice)
    login(alice)
    page.goto(f"{live_server.url}/leads/?view=mine")
    for lead in (master, other):
        page.locator(f"input[name=leads][value='{lead.pk}']").check()
    page.get_by_test_id("merge-selected").click()

    expect(page.get_by_test_id("merge-column")).to_have_count(2)
    expect(page.get_by_test_id("merge-summary")).to_contain_text("1 note")
    expect(page.get_by_test_id("show-identical")).to_be_visible()
    page.get_by_label(f"City of {other}").check()
    page.get_by_label(f"Job title of {other}").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("merge-submit").click()

    expect(page.locator("#page-messages")).to_contain_text("Merged 1 lead into Cold storage.")
    expect(page.get_by_test_id("merged-from")).to_contain_text("Cold storage (web)")
    expect(page.get_by_text("Odense")).to_be_visible()
    expect(page.get_by_text("Head of logistics")).to_be_visible()
    expect(page.get_by_test_id("lead-timeline")).to_contain_text("Wants a demo in March")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("undo-merge").click()
    expect(page.locator("#page-messages")).to_contain_text("Merge undone")
    expect(page.get_by_test_id("merged-from")).to_have_count(0)
    other.refresh_from_db()
    master.refresh_from_db()
    assert other.merged_into is None and other.is_open and master.city == "Aarhus"
    page.goto(f"{live_server.url}{other.get_absolute_url()}")
    expect(page.get_by_test_id("merged-into")).to_have_count(0)
    expect(page.get_by_test_id("lead-timeline")).to_contain_text("Wants a demo in March")
    assert Lead.objects.filter(merged_into__isnull=False).count() == 0


def test_the_merge_page_is_one_card_per_field_on_a_phone(page, live_server, login, alice):
    master, other = _pair(alice)
    page.set_viewport_size(PHONE)
    login(alice)
    page.goto(f"{live_server.url}/leads/merge/?ids={master.pk},{other.pk}")
    row = page.get_by_test_id("merge-row").filter(has_text="Odense")
    expect(row).to_be_visible()
    box = row.bounding_box()
    assert box["width"] <= PHONE["width"]
    # No sideways scrolling: the page is as wide as the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
