"""Date inputs in the page's language (issue 20): a Danish user types 2.12.2026 or 02-12-2026
and picks from a calendar whose week starts on Monday, whatever language Chromium itself
speaks; an English user's calendar starts on Sunday (Django's FIRST_DAY_OF_WEEK for each)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.tests.factories import make_lead


@pytest.fixture
def danish(alice):
    alice.language = "da"
    alice.save(update_fields=["language"])
    return alice


def _calendar_of(input_):
    return input_.locator("xpath=following-sibling::div[contains(@class, 'datepicker')][1]")


def test_a_danish_user_types_and_picks_dates_the_danish_way(page, live_server, login, danish):
    # Chromium speaks English (the default locale): the page's language decides, not it.
    lead = make_lead(owner=danish, topic="Kølerum")
    login(danish)
    page.goto(f"{live_server.url}/leads/{lead.pk}/edit/")
    follow_up = page.get_by_label("Næste opfølgning", exact=True)
    expect(follow_up).to_have_attribute("type", "text")
    expect(follow_up).to_have_attribute("placeholder", "dd.mm.åååå")

    follow_up.click()
    calendar = _calendar_of(follow_up)
    expect(calendar).to_be_visible()
    days = calendar.locator(".days-of-week .dow")
    expect(days.first).to_have_text("Ma")
    expect(days.last).to_have_text("Sø")

    follow_up.press_sequentially("02-12-2026")
    follow_up.press("Tab")
    expect(follow_up).to_have_value("02.12.2026")

    estimated = page.get_by_label("Anslået lukkedato", exact=True)
    estimated.fill("3.1.2027")
    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("er gemt")
    lead.refresh_from_db()
    assert lead.next_follow_up == datetime.date(2026, 12, 2)
    assert lead.estimated_close_date == datetime.date(2027, 1, 3)


def test_a_date_input_brought_in_by_htmx_gets_its_calendar(page, live_server, login, danish):
    lead = make_lead(owner=danish, topic="Kølerum")
    login(danish)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_test_id("edit-next_follow_up").click()
    follow_up = page.locator("#fact-next_follow_up").get_by_label("Opfølgning", exact=True)
    expect(follow_up).to_be_focused()
    follow_up.click()
    calendar = _calendar_of(follow_up)
    expect(calendar).to_be_visible()
    calendar.locator(".datepicker-cell.day:not(.prev):not(.next)", has_text="15").first.click()
    expect(follow_up).to_have_value(f"15.{datetime.date.today():%m.%Y}")
    follow_up.press("Enter")
    expect(page.get_by_test_id("lead-follow-up")).to_contain_text("15.")
    lead.refresh_from_db()
    assert lead.next_follow_up == datetime.date.today().replace(day=15)


def test_an_english_calendar_starts_on_sunday(page, live_server, login, alice):
    login(alice)
    page.goto(f"{live_server.url}/leads/new/")
    follow_up = page.get_by_label("Next follow-up", exact=True)
    expect(follow_up).to_have_attribute("placeholder", "yyyy-mm-dd")
    follow_up.click()
    days = _calendar_of(follow_up).locator(".days-of-week .dow")
    expect(days.first).to_have_text("Su")
    follow_up.fill("2026-12-24")
    follow_up.press("Tab")
    expect(follow_up).to_have_value("2026-12-24")


def test_a_day_that_does_not_exist_is_refused_not_rolled_over(page, live_server, login, danish):
    lead = make_lead(owner=danish, topic="Kølerum")
    login(danish)
    page.goto(f"{live_server.url}/leads/{lead.pk}/edit/")
    follow_up = page.get_by_label("Næste opfølgning", exact=True)
    follow_up.click()
    follow_up.press_sequentially("31.2.2026")
    follow_up.press("Tab")
    expect(follow_up).to_have_value("31.2.2026")  # not 03.03.2026

    page.get_by_role("button", name="Gem", exact=True).click()
    expect(page.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    lead.refresh_from_db()
    assert lead.next_follow_up is None


def test_a_danish_user_types_a_tasks_due_time_the_danish_way(page, live_server, login, danish):
    from activities.models import Activity

    lead = make_lead(owner=danish, topic="Kølerum")
    login(danish)
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.get_by_test_id("quick-add-task").click()
    form = page.get_by_test_id("quick-add-form")
    due = form.get_by_label("Forfald / start")
    expect(due).to_have_attribute("placeholder", "dd.mm.åååå tt.mm")
    form.locator("[name=subject]").press_sequentially("Ring tilbage")
    due.press_sequentially("3.12.2026 14.30")
    form.get_by_role("button", name="Gem", exact=True).click()
    expect(page.get_by_text("Ring tilbage").first).to_be_visible()
    task = Activity.objects.get(subject="Ring tilbage")
    local = timezone.localtime(task.due_at)
    assert (local.date(), local.hour, local.minute) == (datetime.date(2026, 12, 3), 14, 30)
