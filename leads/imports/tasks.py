from django.tasks import task

from crm.background import rerun_if_worker_dies
from leads.imports.importers import BatchBusy, run_stored_batch
from leads.imports.models import ImportBatch


# Safe to run again after its worker died: committed chunks stay and a rerun resumes after
# `last_line`. The rerun claims the batch when its runner's process is gone (a worker on this
# machine) or has made no progress for ImportBatch's stall time; until then (a worker on another
# machine) it finds the batch busy and stops, and the user resumes it from the Imports page.
@rerun_if_worker_dies
@task(queue_name="imports", priority=10)
def run_import(*, batch_id):
    """Run (or resume) a browser import; the page polls the batch for its progress."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.is_finished:
        return
    try:
        run_stored_batch(batch)
    except BatchBusy:
        return  # another worker runs it (a Resume clicked twice, a task delivered twice)
    except Exception as error:
        # Committed chunks stay; starting the import again resumes after `last_line`.
        batch.fail(f"{type(error).__name__}: {error}")
        raise
