"""An administrator finds a failed background task in the admin and retries it (issue 16);
the retried row then leaves "needs attention" and links to its retry."""

from django.conf import settings
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from crm.tasks import send_email

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
}


def test_an_administrator_filters_the_failed_tasks_and_retries_one(
    page, live_server, login, admin_user, settings
):
    settings.TASKS = DATABASE_TASKS
    failed = send_email.enqueue(to="anna@fabrikam.example", subject="Hello", body="Hi")
    DBTaskResult.objects.filter(pk=failed.id).update(
        status=TaskResultStatus.FAILED,
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="smtplib.SMTPServerDisconnected: Connection unexpectedly closed",
        worker_ids=["web-1:4242"],
    )
    done = send_email.enqueue(to="bo@contoso.example", subject="Hello", body="Hi")
    DBTaskResult.objects.filter(pk=done.id).update(status=TaskResultStatus.SUCCESSFUL)
    login(admin_user)

    page.goto(f"{live_server.url}/admin/django_tasks_database/dbtaskresult/")
    expect(page.locator("h1")).to_have_text("Background tasks: 1 needs attention")
    page.get_by_role("link", name="Failed or stale", exact=True).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("send_email")
    rows.first.locator("input[type=checkbox]").check()
    page.locator("select[name=action]").select_option("retry")
    page.get_by_role("button", name="Run").click()

    expect(page.locator(".messagelist")).to_contain_text("1 task queued again.")
    retried = DBTaskResult.objects.exclude(pk__in=[failed.id, done.id]).get()
    assert retried.status == TaskResultStatus.READY
    assert retried.task_path == "crm.tasks.send_email"
    assert DBTaskResult.objects.get(pk=failed.id).status == TaskResultStatus.FAILED

    # The action returns to the filtered list: the retried row has left it.
    expect(page.locator("h1")).to_have_text("Background tasks: 0 need attention")
    expect(page.locator("#result_list")).to_have_count(0)
    page.get_by_role("link", name="All", exact=True).first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text=failed.id)).to_contain_text(f"{str(retried.pk)[:8]} (Ready)")
    expect(rows.filter(has_text=str(retried.pk))).to_contain_text(f"{failed.id[:8]} (failed run)")
