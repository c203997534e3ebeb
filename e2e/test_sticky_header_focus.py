"""A field of a form in a lead's timeline never ends up under the record header, which stays
in view on wider screens (issue 20): focusing it or scrolling it into view stops below the
header (crm.css: scroll-padding-top, the header's height that crm.js measures)."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead

WIDE = {"width": 1280, "height": 640}


def _below_header(page, field):
    header = page.get_by_test_id("status-panel").bounding_box()
    box = field.bounding_box()
    return box["y"] >= header["y"] + header["height"] - 1, (box, header)


def test_the_task_forms_due_field_stays_below_the_sticky_header(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="Cold storage sensors")
    page.set_viewport_size(WIDE)
    page.emulate_media(reduced_motion="reduce")  # Bootstrap's smooth scrolling off: no waiting
    login(alice)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_test_id("quick-add-task").click()
    form = page.get_by_test_id("quick-add-form")
    due = form.get_by_label("Due / start")
    expect(due).to_be_visible()

    # Scrolled into view (as the browser does for an invalid field or a link to it).
    due.evaluate("field => field.scrollIntoView({block: 'start'})")
    below, boxes = _below_header(page, due)
    assert below, boxes

    # Focused from the field before it, after the page scrolled the due field under the header.
    page.mouse.wheel(0, 10_000)
    due.evaluate(
        "field => window.scrollBy(0, field.getBoundingClientRect().top"
        " - document.querySelector('.record-header').offsetHeight / 2)"
    )
    form.get_by_label("Description").focus()
    page.keyboard.press("Tab")
    expect(due).to_be_focused()
    below, boxes = _below_header(page, due)
    assert below, boxes
