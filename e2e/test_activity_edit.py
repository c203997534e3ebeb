"""A rep edits an open task on a lead's timeline (a new due date) and gives it to a
teammate, who finds it in their My activities."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from activities import services as activity_services
from activities.models import Activity
from leads.tests.factories import make_lead


def test_a_rep_moves_a_task_and_gives_it_to_a_teammate(
    page, live_server, login, alice, bob, screenshot
):
    lead = make_lead(owner=alice, topic="Wind turbine sensors", company_name="Nordvind A/S")
    activity_services.log_activity(
        regarding=lead, user=alice, kind="task", data={"subject": "Send the price list"}
    )
    # Both users see times in UTC (their default time zone).
    due = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=30, second=0, microsecond=0)

    login(alice)
    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    entry = page.get_by_test_id("timeline-entry").filter(has_text="Send the price list")
    entry.get_by_test_id("activity-edit").click()

    form = page.get_by_test_id("activity-edit-form")
    form.get_by_label("Subject").fill("Send the 2031 price list")
    form.get_by_label("Due / start").fill(due.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Priority").select_option(label="High")
    form.get_by_label("Owner").select_option(label=str(bob))
    screenshot("activity-edit")
    form.get_by_role("button", name="Save").click()

    # Back on the lead: the entry shows the new subject, due date and owner.
    expect(page).to_have_url(f"{live_server.url}{lead.get_absolute_url()}")
    entry = page.get_by_test_id("timeline-entry").filter(has_text="Send the 2031 price list")
    expect(entry).to_contain_text(str(bob))
    expect(entry).to_contain_text(due.strftime("%Y"))
    expect(entry).to_contain_text("High")
    # Alice owns the lead, so she may still edit the task; she no longer completes it.
    expect(entry.get_by_test_id("activity-edit")).to_have_count(1)
    expect(entry.get_by_role("button", name="Complete")).to_have_count(0)

    task = Activity.objects.get()
    assert (task.owner, task.due_at, task.version) == (bob, due, 2)

    # Bob finds it in his My activities, due in three days.
    page.context.clear_cookies()
    login(bob)
    page.goto(f"{live_server.url}/activities/mine/")
    row = page.get_by_test_id("my-activities-upcoming").get_by_test_id("my-activity")
    expect(row).to_contain_text("Send the 2031 price list")
    expect(row).to_contain_text(str(lead))
    expect(row.locator("time")).to_have_attribute("datetime", due.isoformat())
