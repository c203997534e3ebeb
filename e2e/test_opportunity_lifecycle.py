"""An opportunity's life in the browser: edit, close as won (actual revenue, close date), reopen,
close as lost, and the guarded transitions when the same rep has it open in two tabs."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory
from opportunities.models import Opportunity, SalesStage
from opportunities.tests.factories import OpportunityFactory


@pytest.fixture
def deal(alice):
    fabrikam = AccountFactory(owner_user=alice, name="Fabrikam A/S")
    return OpportunityFactory(
        owner_user=alice,
        account=fabrikam,
        topic="50 laptops",
        estimated_value=Decimal("12000.00"),
        estimated_close_date=date(2031, 6, 30),
    )


def form_error(page):
    """The form's own error box (crispy's non-field errors)."""
    return page.locator("form .alert-danger")


def open_in(page, live_server, path):
    page.goto(f"{live_server.url}{path}")


def test_edit_close_as_won_reopen_and_close_as_lost(page, live_server, login, alice, deal):
    login(alice)
    open_in(page, live_server, deal.get_absolute_url())

    # Edit: topic, revenue, probability, stage and the open status reason.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit 50 laptops")).to_be_visible()
    page.get_by_label("Topic").fill("60 laptops")
    page.get_by_label("Estimated revenue").fill("14500")
    page.get_by_label("Probability (%)").fill("70")
    page.get_by_label("Sales stage").select_option(label="Propose")
    # Only the open reasons are offered while editing.
    status = page.get_by_label("Status reason")
    expect(status.locator("option")).to_have_text(["In Progress", "On Hold"])
    status.select_option(label="On Hold")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity 60 laptops saved.")
    expect(page.get_by_role("heading", name="60 laptops")).to_contain_text("On Hold")
    expect(page.locator("dd", has_text="14,500.00")).to_be_visible()
    deal.refresh_from_db()
    assert (deal.topic, deal.estimated_value, deal.probability, deal.sales_stage, deal.status) == (
        "60 laptops",
        Decimal("14500.00"),
        70,
        SalesStage.PROPOSE,
        Opportunity.Status.ON_HOLD,
    )
    assert deal.version == 2

    # Close as won: the actual revenue starts at the estimate; the rep types the real one
    # and the real close date.
    page.get_by_role("link", name="Close as won").click()
    expect(page.get_by_label("Won")).to_be_checked()
    expect(page.get_by_label("Actual revenue")).to_have_value("14500.00")
    expect(page.get_by_label("Actual close date")).to_have_value(date.today().isoformat())
    page.get_by_label("Actual revenue").fill("13750.50")
    # A close date in the future is refused.
    page.get_by_label("Actual close date").fill((date.today() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_text("The actual close date cannot be in the future.")).to_be_visible()
    closed_on = date.today() - timedelta(days=3)
    page.get_by_label("Actual close date").fill(closed_on.isoformat())
    page.get_by_label("Notes").fill("Signed after the demo")
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity closed as won.")
    expect(page.get_by_test_id("actual-value")).to_have_text("EUR 13,750.50")
    expect(page.locator("dd", has_text=f"{closed_on.day} {closed_on:%b %Y}")).to_be_visible()
    expect(page.get_by_text("Signed after the demo")).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    deal.refresh_from_db()
    assert (deal.state, deal.status) == (Opportunity.State.WON, Opportunity.Status.WON)
    assert deal.actual_value == Decimal("13750.50")
    assert deal.actual_close_date == closed_on
    assert (deal.probability, deal.sales_stage) == (100, SalesStage.CLOSE)

    # A closed opportunity's edit URL sends the rep back with a reason.
    open_in(page, live_server, f"/opportunities/{deal.pk}/edit/")
    expect(page).to_have_url(f"{live_server.url}{deal.get_absolute_url()}")
    expect(page.get_by_role("alert")).to_contain_text(
        "A closed opportunity cannot be edited; reopen it first."
    )

    # Reopen: open again, actual values cleared.
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity reopened.")
    expect(page.get_by_role("heading", name="60 laptops")).to_contain_text("In Progress")
    expect(page.get_by_test_id("actual-value")).to_have_count(0)
    deal.refresh_from_db()
    assert (deal.state, deal.status) == (Opportunity.State.OPEN, Opportunity.Status.IN_PROGRESS)
    assert deal.actual_value is None and deal.actual_close_date is None
    # Both changes are on the timeline, newest first, with who made them (issue 21).
    states = page.get_by_test_id("state-entry")
    expect(states).to_have_count(2)
    expect(states.first).to_contain_text("Open")
    expect(states.last).to_contain_text("Won")
    expect(states.last).to_contain_text(str(alice))
    # Probability and stage are back to what they were while it was open.
    assert (deal.probability, deal.sales_stage) == (70, SalesStage.PROPOSE)

    # Close as lost (Canceled): no revenue offered; the actual revenue becomes 0.
    page.get_by_role("link", name="Close as lost").click()
    expect(page.get_by_label("Lost: Canceled")).to_be_checked()
    expect(page.get_by_label("Actual revenue")).to_have_value("")
    page.get_by_label("Notes").fill("Budget frozen")
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity closed as lost.")
    expect(page.get_by_role("heading", name="60 laptops")).to_contain_text("Canceled")
    expect(page.get_by_test_id("actual-value")).to_have_text("EUR 0.00")
    deal.refresh_from_db()
    assert (deal.state, deal.status) == (Opportunity.State.LOST, Opportunity.Status.CANCELED)
    assert deal.actual_value == Decimal("0") and deal.actual_close_date == date.today()
    assert deal.close_description == "Budget frozen"

    # The list's "Lost" filter finds it.
    page.get_by_role("link", name="Opportunities", exact=True).click()
    expect(page.get_by_role("link", name="60 laptops")).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option(label="Lost")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("link", name="60 laptops")).to_be_visible()


def test_the_close_form_refuses_a_negative_revenue_and_a_missing_date(
    page, live_server, login, alice, deal
):
    login(alice)
    open_in(page, live_server, f"/opportunities/{deal.pk}/close/")
    page.get_by_label("Won").check()
    page.get_by_label("Actual revenue").fill("-5")
    page.get_by_label("Actual close date").fill("")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Close opportunity").click()
    assert answer.value.status == 200
    expect(page.get_by_text("Ensure this value is greater than or equal to 0.")).to_be_visible()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    deal.refresh_from_db()
    assert deal.state == Opportunity.State.OPEN and deal.version == 1


def test_closing_twice_in_two_tabs_refuses_the_second_with_a_message(
    page, live_server, login, alice, deal
):
    login(alice)
    second = page.context.new_page()
    open_in(page, live_server, f"/opportunities/{deal.pk}/close/")
    open_in(second, live_server, f"/opportunities/{deal.pk}/close/")

    page.get_by_label("Won").check()
    page.get_by_label("Actual revenue").fill("11000")
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity closed as won.")

    second.get_by_label("Lost: Out-Sold").check()
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.get_by_role("button", name="Close opportunity").click()
    assert answer.value.status == 409, answer.value.text()[:2000]
    expect(form_error(second)).to_contain_text("after you opened it")
    expect(form_error(second)).to_contain_text("Nothing was saved")
    deal.refresh_from_db()
    assert (deal.state, deal.actual_value) == (Opportunity.State.WON, Decimal("11000.00"))
    assert deal.version == 2

    # The close form opened afresh (the rep follows "reload the page") is still offered for
    # the closed opportunity: submitting it is refused by the transition's own guard.
    open_in(second, live_server, f"/opportunities/{deal.pk}/close/")
    second.get_by_label("Lost: Out-Sold").check()
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.get_by_role("button", name="Close opportunity").click()
    assert answer.value.status == 409
    expect(form_error(second)).to_contain_text(
        "Only an open opportunity can be closed; this one is won."
    )
    deal.refresh_from_db()
    assert deal.state == Opportunity.State.WON and deal.version == 2
    second.close()


def test_reopening_twice_and_editing_a_closed_one_from_a_stale_tab(
    page, live_server, login, alice, deal
):
    login(alice)
    second = page.context.new_page()
    # Tab 2 has the edit form open while tab 1 closes the deal.
    open_in(second, live_server, f"/opportunities/{deal.pk}/edit/")
    open_in(page, live_server, f"/opportunities/{deal.pk}/close/")
    page.get_by_label("Won").check()
    page.get_by_role("button", name="Close opportunity").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity closed as won.")
    # Empty actual revenue field was pre-filled with the estimate.
    expect(page.get_by_test_id("actual-value")).to_have_text("EUR 12,000.00")

    second.get_by_label("Topic").fill("Renamed in a stale tab")
    second.get_by_role("button", name="Save").click()
    expect(second).to_have_url(re.compile(rf"/opportunities/{deal.pk}/$"))
    expect(second.get_by_role("alert")).to_contain_text(
        "A closed opportunity cannot be edited; reopen it first."
    )
    deal.refresh_from_db()
    assert deal.topic == "50 laptops"

    # Both tabs show the won deal with its Reopen button; both click it.
    second.reload()
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("alert")).to_contain_text("Opportunity reopened.")
    second.get_by_role("button", name="Reopen").click()
    expect(second.get_by_role("alert")).to_contain_text("This opportunity is already open.")
    deal.refresh_from_db()
    assert deal.state == Opportunity.State.OPEN and deal.version == 3
    second.close()


def test_a_lost_update_on_an_opportunity_is_refused(page, live_server, login, alice, deal):
    login(alice)
    second = page.context.new_page()
    open_in(page, live_server, f"/opportunities/{deal.pk}/edit/")
    open_in(second, live_server, f"/opportunities/{deal.pk}/edit/")

    page.get_by_label("Estimated revenue").fill("20000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("saved")

    second.get_by_label("Estimated revenue").fill("1")
    with second.expect_response(lambda r: r.request.method == "POST") as answer:
        second.get_by_role("button", name="Save").click()
    assert answer.value.status == 409
    expect(form_error(second)).to_contain_text("Nothing was saved")
    deal.refresh_from_db()
    assert deal.estimated_value == Decimal("20000.00") and deal.version == 2
    second.close()


def test_a_new_opportunity_without_a_customer_says_so_once(page, live_server, login, alice):
    login(alice)
    page.get_by_role("link", name="Opportunities", exact=True).click()
    page.get_by_role("link", name="New opportunity").click()
    page.get_by_label("Topic").fill("50 laptops")
    page.get_by_role("button", name="Save").click()
    errors = page.locator("form .alert-danger li")
    expect(errors.first).to_be_visible()
    assert not Opportunity.objects.exists()
    assert errors.all_inner_texts() == [
        "Choose exactly one potential customer: an account or a contact."
    ]
