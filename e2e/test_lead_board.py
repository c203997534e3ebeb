"""The lead board (issue 19) in Chromium: dragging a card between columns, onto Qualify and
Disqualify, a stale card, the keyboard's Move button, and the board at phone width."""

from playwright.sync_api import expect

from leads import services
from leads.models import Lead, LeadStatusChange, State, Status
from leads.tests.factories import make_lead


def _drag(page, source, target):
    """Drag as a person does: press, move in steps, release (SortableJS follows the mouse)."""
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            box["x"]
            + box["width"] / 2
            + (goal["x"] + goal["width"] / 2 - box["x"] - box["width"] / 2) * step / 10,
            box["y"] + 12 + (goal["y"] + 30 - box["y"] - 12) * step / 10,
        )
        page.wait_for_timeout(30)
    page.mouse.up()


def test_dragging_a_lead_to_contacted_and_onto_qualify(
    page, live_server, login, alice, screenshot
):
    mover = make_lead(owner=alice, topic="Move me", company_name="Fjord Foods ApS")
    make_lead(owner=alice, topic="Stay here")
    called = make_lead(owner=alice, topic="Already called")
    services.set_lead_status(lead=called, user=alice, status=Status.CONTACTED)
    login(alice)
    page.goto(f"{live_server.url}/leads/board/")
    page.wait_for_selector("[data-board-ready]", state="attached")
    new = page.get_by_test_id("board-column-new")
    contacted = page.get_by_test_id("board-column-contacted")
    expect(new.get_by_test_id("board-card")).to_have_count(2)
    screenshot("lead-board")

    _drag(
        page, new.get_by_test_id("board-card").filter(has_text="Move me"), contacted.locator("ol")
    )
    expect(page.locator("[data-board-alert]")).to_contain_text("Status set to Contacted")
    expect(contacted.get_by_test_id("board-card")).to_have_count(2)
    expect(contacted.locator("[data-column-count]")).to_have_text("2")
    mover.refresh_from_db()
    assert mover.status == Status.CONTACTED
    assert LeadStatusChange.objects.filter(lead=mover, to_status="contacted").exists()

    # Onto Qualify: the card goes back and the qualify form opens; nothing is qualified yet.
    _drag(page, contacted.get_by_test_id("board-card").filter(has_text="Move me"),
          page.get_by_test_id("drop-qualify"))  # fmt: skip
    dialog = page.locator("#board-dialog")
    expect(dialog.get_by_test_id("qualify-form")).to_be_visible()
    expect(contacted.get_by_test_id("board-card").filter(has_text="Move me")).to_be_visible()
    assert Lead.objects.get(pk=mover.pk).state == State.OPEN
    dialog.get_by_role("button", name="Update preview").click()  # stays in the dialog
    expect(dialog.get_by_test_id("qualify-form")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/leads/board/")
    dialog.get_by_role("button", name="Qualify", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/leads/board/")
    expect(page.get_by_text("Lead qualified.")).to_be_visible()
    expect(page.get_by_test_id("board-card").filter(has_text="Move me")).to_have_count(0)
    assert Lead.objects.get(pk=mover.pk).state == State.QUALIFIED


def test_a_stale_card_is_refused_and_the_keyboard_moves_a_card(
    page, live_server, login, alice, bob
):
    stale = make_lead(owner=alice, topic="Changed elsewhere")
    login(alice)
    page.goto(f"{live_server.url}/leads/board/")
    page.wait_for_selector("[data-board-ready]", state="attached")
    new = page.get_by_test_id("board-column-new")
    contacted = page.get_by_test_id("board-column-contacted")
    services.update_lead(lead=stale, user=bob, data={"rating": "hot"})  # version + 1
    _drag(page, new.get_by_test_id("board-card").first, contacted.locator("ol"))
    alert = page.locator("[data-board-alert]")
    expect(alert).to_contain_text("Nothing was saved")  # who changed it and when, once
    expect(alert).not_to_contain_text("since the board was loaded")
    expect(new.get_by_test_id("board-card")).to_have_count(1)  # back where it was
    assert Lead.objects.get(pk=stale.pk).status == Status.NEW

    # The keyboard: the card's status select and its Move button, no mouse.
    page.reload()
    page.wait_for_selector("[data-board-ready]", state="attached")
    select = page.get_by_label("Status reason of Changed elsewhere")
    select.focus()
    select.select_option("contacted")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move Changed elsewhere")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Status set to Contacted.")).to_be_visible()
    # Back on the board, the keyboard goes on from the moved card.
    expect(page.get_by_label("Status reason of Changed elsewhere")).to_be_focused()
    expect(contacted.get_by_test_id("board-card")).to_have_count(1)
    assert Lead.objects.get(pk=stale.pk).status == Status.CONTACTED


def test_disqualify_from_a_card_at_phone_width(page, live_server, login, alice):
    lead = make_lead(owner=alice, topic="Not interested")
    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)
    page.goto(f"{live_server.url}/leads/board/")
    page.wait_for_selector("[data-board-ready]", state="attached")
    card = page.get_by_test_id("board-card").filter(has_text="Not interested")
    expect(card).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    card.get_by_role("link", name="Disqualify…").click()
    dialog = page.locator("#board-dialog")
    expect(dialog.get_by_test_id("disqualify-form")).to_be_visible()
    dialog.get_by_label("Reason").select_option(label="No Longer Interested")
    dialog.get_by_role("button", name="Disqualify").click()
    expect(page).to_have_url(f"{live_server.url}/leads/board/")
    expect(page.get_by_text("Lead disqualified.")).to_be_visible()
    assert Lead.objects.get(pk=lead.pk).state == State.DISQUALIFIED
