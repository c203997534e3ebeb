"""ImportBatch's guarded transitions: of two copies of a batch acting at once, one wins."""

import pytest

from leads.imports.models import ImportBatch


@pytest.fixture
def queued(admin_user):
    return ImportBatch.objects.create(
        file_name="in.csv", checksum="x", created_by=admin_user, status=ImportBatch.Status.QUEUED
    )


def copies(batch):
    return ImportBatch.objects.get(pk=batch.pk), ImportBatch.objects.get(pk=batch.pk)


def test_of_two_claims_of_a_queued_batch_one_wins(queued):
    first, second = copies(queued)

    assert first.claim("host:1")
    assert not second.claim("host:2")

    queued.refresh_from_db()
    assert (queued.status, queued.runner) == (ImportBatch.Status.RUNNING, "host:1")
    assert second.runner == ""  # the loser's copy is left as it was read


def test_a_batch_taken_over_cannot_save_progress_or_finish_for_the_old_runner(queued):
    old, new = copies(queued)
    assert old.claim("host:1")
    new.refresh_from_db()
    assert new.claim("host:2")  # it looked stalled to the new runner

    old.created = 99
    assert not old.save_progress()
    assert not old.finish()
    assert new.finish()
    assert not new.finish()  # finished once

    queued.refresh_from_db()
    assert (queued.status, queued.created) == (ImportBatch.Status.DONE, 0)


def test_requeue_and_reset_win_once_each(queued):
    assert queued.claim("host:1") and queued.fail("stopped")
    first, second = copies(queued)

    assert first.requeue()
    assert not second.requeue()
    first, second = copies(queued)
    assert first.reset(dry_run=True)
    assert not second.reset(dry_run=False)

    queued.refresh_from_db()
    assert (queued.status, queued.dry_run, queued.runner) == (ImportBatch.Status.QUEUED, True, "")


def test_a_done_batch_is_not_failed(queued):
    assert queued.claim("host:1") and queued.finish()

    assert not queued.fail("too late")
    queued.refresh_from_db()
    assert queued.status == ImportBatch.Status.DONE
