"""Merging duplicates (issue 22): two leads with one e-mail ticked on the lead list, merged on
the side-by-side page taking two fields from the other lead, the note moved to the master,
then the merge undone from the master's page; and the page read as cards on a phone."""

from playwright.sync_api import expect

from activities.services import add_note
from leads.merge import lead_name
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
    name = lead_name(other)  # a lead is named by its person and company on the merge screens
    assert name != other.topic
    expect(page.get_by_test_id("merge-table")).not_to_contain_text("Field")
    page.get_by_label(f"City of {name}").last.check()
    page.get_by_label(f"Job title of {name}").last.check()
    master_name = lead_name(master)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("merge-submit").click()

    expect(page.locator("#page-messages")).to_contain_text(f"Merged 1 lead into {master_name}.")
    expect(page.get_by_test_id("merged-from")).to_contain_text("Holm")
    # The page opens at its top: the message and the "Merged from" panel both in view.
    expect(page.locator("#page-messages")).to_be_in_viewport()
    expect(page.get_by_test_id("merged-from").get_by_role("heading")).to_be_in_viewport()
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


def test_a_merged_lead_opens_read_only_with_a_link_to_its_master(page, live_server, login, alice):
    from leads.merge import merge_leads

    master, other = _pair(alice)
    merge_leads(user=alice, master=master, others=[other])
    login(alice)
    page.goto(f"{live_server.url}{other.get_absolute_url()}")
    banner = page.get_by_test_id("merged-into")
    expect(banner).to_be_visible()
    expect(banner.locator(f"a[href='{master.get_absolute_url()}']")).to_have_count(1)
    expect(page.get_by_test_id("lead-quick-actions").get_by_role("link")).to_have_count(0)
    expect(page.get_by_role("link", name="Add note")).to_have_count(0)
    expect(page.locator(f"a[href*='/leads/{other.pk}/assign/']")).to_have_count(0)
    expect(page.get_by_test_id("share-record")).to_have_count(0)
    expect(page.locator(f"form[action='/leads/{other.pk}/links/']")).to_have_count(0)
    banner.locator(f"a[href='{master.get_absolute_url()}']").click()
    expect(page.get_by_test_id("lead-quick-actions").get_by_role("link")).not_to_have_count(0)


def test_the_bulk_bar_with_one_too_many_leads_says_so_on_the_list(page, live_server, login, alice):
    leads = [make_lead(owner=alice, last_name=f"Holm {n}") for n in range(4)]
    login(alice)
    page.goto(f"{live_server.url}/leads/?view=mine")
    for lead in leads:
        page.locator(f"input[name=leads][value='{lead.pk}']").check()
    page.get_by_test_id("merge-selected").click()
    expect(page.locator("#page-messages")).to_contain_text("Choose two or three leads to merge.")
