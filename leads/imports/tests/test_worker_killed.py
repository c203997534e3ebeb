"""A browser import whose worker is killed (SIGKILL) halfway is finished by another worker
process (issue 26): real `manage.py worker` processes on PostgreSQL, one serving the imports
queue and killed once a chunk is committed, the sweep (a third worker on the default queue)
running the task again, and a second imports worker resuming after the last committed chunk.
No row twice, none lost."""

import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from crm.tests.test_task_processes import _wait_until, start  # noqa: F401 (the fixture)
from leads.imports import services
from leads.imports.models import ImportBatch
from leads.models import Lead

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROWS = 10000


def _worker(start, queue):  # noqa: F811
    return start(
        "worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", "--queue-name", queue
    )


def test_a_killed_import_worker_is_replaced_with_no_duplicate_and_no_loss(start, admin_user):  # noqa: F811
    lines = ["First Name,Last Name,Company,E-mail"]
    lines += [f"Anna,Hansen {n},Firm {n},anna{n}@firm.example" for n in range(ROWS)]
    upload = SimpleUploadedFile("big.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    batch = services.upload_import(uploaded_file=upload, user=admin_user)
    with transaction.atomic():
        services.start_import(batch=batch, dry_run=False)  # enqueued at the commit

    start("scheduler")  # enqueues the sweep every second (FAST)
    _worker(start, "default")  # runs the sweeps
    first = _worker(start, "imports")
    _wait_until(
        lambda: ImportBatch.objects.get(pk=batch.pk).last_line > 0,
        seconds=60,
        what="the first chunk committed",
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    halfway = ImportBatch.objects.get(pk=batch.pk)
    assert halfway.status == ImportBatch.Status.RUNNING and halfway.last_line < ROWS

    _worker(start, "imports")
    _wait_until(
        lambda: ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.DONE,
        seconds=180,
        what="the import finished by the second worker",
    )
    done = ImportBatch.objects.get(pk=batch.pk)
    assert done.created == ROWS and Lead.objects.count() == ROWS
    assert Lead.objects.values("email").distinct().count() == ROWS
