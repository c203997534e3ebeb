from django.tasks import task

from leads.imports.importers import BatchBusy, run_stored_batch
from leads.imports.models import ImportBatch


# Not declared rerunnable: the dead worker's batch stays "running" until it has made no
# progress for ImportBatch's stall time, so a rerun now would only find it busy; the user
# resumes it from the Imports page (committed chunks stay), or an administrator retries it.
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
