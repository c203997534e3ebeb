"""Queues and priorities (issue 26): a browser import is taken before hundreds of e-mails
queued ahead of it, a worker given --queue-name serves that queue only, and one given none
serves them all."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from crm.tasks import send_email
from leads.imports.tasks import run_import
from mail.tasks import deliver_email

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
}


@pytest.fixture
def stored_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def test_each_kind_of_work_has_its_queue():
    assert (run_import.queue_name, run_import.priority) == ("imports", 10)
    assert (deliver_email.queue_name, deliver_email.priority) == ("mail", 5)
    assert send_email.queue_name == "mail"


def test_an_import_is_taken_before_four_hundred_emails_queued_first(stored_tasks):
    for index in range(400):
        send_email.enqueue(to=f"rep{index}@example.com", subject="Assigned", body="A lead")
    sent_now = deliver_email.enqueue(1)
    imported = run_import.enqueue(batch_id=1)
    ready = DBTaskResult.objects.ready()  # what a worker serving every queue claims, in order
    assert [str(row.id) for row in ready[:2]] == [imported.id, sent_now.id]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_a_worker_given_a_queue_serves_only_that_queue(stored_tasks):
    emails = [send_email.enqueue(to="a@example.com", subject="s", body="b") for _ in range(3)]
    imported = run_import.enqueue(batch_id=999999)  # no such batch: the task fails, it ran
    call_command(
        "worker",
        queue_name="imports",
        batch=True,
        reload=False,
        startup_delay=False,
        interval=0,
        verbosity=0,
    )
    assert DBTaskResult.objects.get(pk=imported.id).status != "READY"
    assert {DBTaskResult.objects.get(pk=email.id).status for email in emails} == {"READY"}
    # Without --queue-name the worker serves every queue (make run's one worker).
    call_command("worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    assert "READY" not in {DBTaskResult.objects.get(pk=email.id).status for email in emails}
