"""Tasks for the lease and sweep tests: they block until a file exists, so a test can kill
their worker mid-run, then let a second run finish."""

import time
from pathlib import Path

from django.tasks import task

from crm.background import rerun_if_worker_dies
from crm.models import WorkerHeartbeat


def _wait_for(path):
    while not Path(path).exists():
        time.sleep(0.1)
    return "released"


@rerun_if_worker_dies
@task
def wait_for_file_rerunnable(*, path):
    return _wait_for(path)


@task
def wait_for_file(*, path):
    return _wait_for(path)


@task
def fail_unless_file(*, path):
    if not Path(path).exists():
        raise RuntimeError("no file yet")
    return "ran"


@task(takes_context=True)
def my_worker_is_beating(context):
    return WorkerHeartbeat.objects.filter(worker_id=context.task_result.worker_ids[-1]).exists()
