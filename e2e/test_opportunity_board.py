"""The opportunity board (issue 19) in Chromium: a card dragged to another sales stage, a card
dropped on Won opens the close dialog, and the keyboard's Move button."""

from decimal import Decimal

from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory
from e2e.test_lead_board import _drag
from opportunities.models import Opportunity, SalesStage
from opportunities.tests.factories import OpportunityFactory


def test_dragging_a_deal_to_develop_and_onto_won(page, live_server, login, alice, screenshot):
    account = AccountFactory(owner_user=alice, name="Contoso")
    deal = OpportunityFactory(topic="Fleet renewal", account=account, owner_user=alice,
                              estimated_value=Decimal("42000"), probability=40)  # fmt: skip
    OpportunityFactory(topic="Printers", account=account, owner_user=alice,
                       sales_stage=SalesStage.PROPOSE)  # fmt: skip
    login(alice)
    page.goto(f"{live_server.url}/opportunities/board/")
    page.wait_for_selector("[data-board-ready]", state="attached")
    qualify = page.get_by_test_id(f"board-column-{SalesStage.QUALIFY.value}")
    develop = page.get_by_test_id(f"board-column-{SalesStage.DEVELOP.value}")
    expect(qualify.get_by_test_id("column-value")).to_contain_text("42,000.00")
    screenshot("opportunity-board")

    _drag(page, qualify.get_by_test_id("board-card"), develop.locator("ol"))
    expect(page.locator("[data-board-alert]")).to_contain_text("Sales stage set to Develop")
    expect(develop.get_by_test_id("board-card")).to_have_count(1)
    # The columns' values follow the card without a reload.
    expect(develop.get_by_test_id("column-value")).to_contain_text("42,000.00")
    expect(qualify.get_by_test_id("column-value")).not_to_contain_text("42,000.00")
    assert Opportunity.objects.get(pk=deal.pk).sales_stage == SalesStage.DEVELOP

    _drag(page, develop.get_by_test_id("board-card"), page.get_by_test_id("drop-won"))
    dialog = page.locator("#board-dialog")
    expect(dialog.get_by_test_id("close-form")).to_be_visible()
    assert Opportunity.objects.get(pk=deal.pk).state == Opportunity.State.OPEN  # not by a drop
    expect(dialog.get_by_label("Actual revenue")).to_have_value("42000.00")
    dialog.get_by_role("button", name="Close opportunity").click()
    expect(page).to_have_url(f"{live_server.url}/opportunities/board/")
    expect(page.get_by_text("Opportunity closed as won.")).to_be_visible()
    expect(page.get_by_test_id("board-card").filter(has_text="Fleet renewal")).to_have_count(0)
    assert Opportunity.objects.get(pk=deal.pk).state == Opportunity.State.WON


def test_the_keyboard_moves_a_deal(page, live_server, login, alice):
    account = AccountFactory(owner_user=alice, name="Contoso")
    deal = OpportunityFactory(topic="Laptops", account=account, owner_user=alice)
    page.set_viewport_size({"width": 375, "height": 740})
    login(alice)
    page.goto(f"{live_server.url}/opportunities/board/")
    select = page.get_by_label("Sales stage of Laptops")
    select.focus()
    select.select_option(label="Propose")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move Laptops")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sales stage set to Propose.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert Opportunity.objects.get(pk=deal.pk).sales_stage == SalesStage.PROPOSE
