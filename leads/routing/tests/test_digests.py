"""An import's digest comes through routing (leads_imported): one e-mail per owner per
import, none to the importing user, none for a dry run, once however often the batch's
finish is reached."""

import pytest

from leads.imports.importers import BatchBusy, Importer
from leads.imports.models import ImportBatch
from leads.imports.tests import conftest as imports
from leads.imports.tests.conftest import write_csv
from leads.signals import leads_imported

import_leads = imports.import_leads  # the fixture running the command


@pytest.mark.django_db
def test_an_import_sends_one_digest_per_owner(
    tmp_path, import_leads, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    rows = [["Last Name", "Owner"], *([f"A{n}", "alice"] for n in range(5)), ["B", "bob"]]
    path = write_csv(tmp_path / "in.csv", rows)

    with django_capture_on_commit_callbacks(execute=True):
        import_leads(path)

    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([alice.email, bob.email])
    assert any("5 new leads" in mail.subject for mail in mailoutbox)


def test_the_importing_user_gets_no_digest(
    tmp_path, import_leads, admin_user, alice, mailoutbox, django_capture_on_commit_callbacks
):
    rows = [["Last Name", "Owner"], ["A", admin_user.username], ["B", "alice"]]
    path = write_csv(tmp_path / "in.csv", rows)

    with django_capture_on_commit_callbacks(execute=True):
        import_leads(path)

    assert [mail.to[0] for mail in mailoutbox] == [alice.email]


def test_a_dry_run_sends_no_digest(
    tmp_path, import_leads, alice, mailoutbox, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "in.csv", [["Last Name", "Owner"], ["A", "alice"]])

    with django_capture_on_commit_callbacks(execute=True):
        assert import_leads(path, "--dry-run").status == 0

    assert mailoutbox == []


def test_a_batch_finished_twice_sends_its_digest_once(
    tmp_path, import_leads, admin_user, alice, mailoutbox, django_capture_on_commit_callbacks
):
    """A second finish (a resumed or racing run reaching the end again) loses the guarded
    transition and sends nothing."""
    path = write_csv(tmp_path / "in.csv", [["Last Name", "Owner"], ["A", "alice"]])
    sent = []

    def record(sender, **kwargs):
        sent.append(kwargs)

    leads_imported.connect(record, dispatch_uid="test.record")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_leads(path)
            batch = ImportBatch.objects.get()
            again = Importer(batch, path, user=admin_user)
            again.header = ["Last Name", "Owner"]
            with pytest.raises(BatchBusy):
                again.finish()
    finally:
        leads_imported.disconnect(dispatch_uid="test.record")

    assert len(sent) == 1
    assert sent[0]["owner_counts"] == {str(alice.pk): 1}
    assert [mail.to[0] for mail in mailoutbox] == [alice.email]
