import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.models import SALES_MANAGER_GROUP, Membership
from crm.tests.factories import MembershipFactory, UserFactory
from leads.imports.models import ImportBatch
from leads.models import Lead, State

CSV = (
    "First Name,Surname,Account Name,E-mail,Lead Status\r\n"
    "Søren,Ærø,Café Zoë,soren@cafe.example,Junk Lead\r\n"
    "Bo,Berg,Contoso,not-an-address,Contacted\r\n"
    "Cy,Cruz,Northwind,cy@northwind.example,Contacted\r\n"
).encode("cp1252")


def upload(client, content=CSV, name="leads.csv"):
    return client.post(
        reverse("imports:list"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def mapping_post(batch, **overrides):
    data = {
        "col_0": "first_name",
        "col_1": "last_name",
        "col_2": "company_name",
        "col_3": "email",
        "col_4": "status",
        "dedupe": "skip",
        "key": "",
        "source": "",
        "owner": "",
        "date_format": "auto",
        "values": '{"status": {"Junk Lead": "disqualified:canceled", '
        '"Contacted": "open:contacted"}}',
    }
    return {**data, **overrides}


@pytest.fixture
def other_manager(south):
    user = UserFactory(username="sam", groups=[SALES_MANAGER_GROUP])
    MembershipFactory(user=user, team=south, role=Membership.Role.MANAGER)
    return user


@pytest.mark.django_db
class TestImportsPage:
    def test_a_manager_sees_the_page_and_the_nav_entry(self, as_manager):
        response = as_manager.get(reverse("imports:list"))
        assert response.status_code == 200
        assert reverse("imports:list").encode() in response.content
        assert b"Upload and map columns" in response.content

    def test_a_rep_is_refused(self, as_alice):
        assert as_alice.get(reverse("imports:list")).status_code == 403

    def test_the_list_refuses_other_methods(self, as_manager):
        assert as_manager.put(reverse("imports:list")).status_code == 405

    def test_an_empty_file_is_refused_with_a_message(self, as_manager):
        response = upload(as_manager, content=b"\r\n")
        assert response.status_code == 200
        assert ImportBatch.objects.count() == 0
        assert "The file is empty" in response.content.decode()


@pytest.mark.django_db
class TestTheImportFlow:
    def test_upload_shows_the_detected_mapping_and_a_preview(self, as_manager):
        response = upload(as_manager)
        batch = ImportBatch.objects.get()
        assert response.status_code == 302
        assert response["Location"] == batch.get_absolute_url()
        assert batch.options["encoding"] == "cp1252"
        assert batch.options["columns"] == {
            "First Name": "first_name",
            "Surname": "last_name",
            "Account Name": "company_name",
            "E-mail": "email",
            "Lead Status": "status",
        }

        page = as_manager.get(batch.get_absolute_url()).content.decode()

        assert "Café Zoë" in page
        assert 'data-testid="preview"' in page
        assert "Enter a valid e-mail address" in page

    def test_dry_run_then_import_then_error_file(
        self, as_manager, manager, django_capture_on_commit_callbacks
    ):
        upload(as_manager)
        batch = ImportBatch.objects.get()

        with django_capture_on_commit_callbacks(execute=True):
            response = as_manager.post(
                batch.get_absolute_url(), mapping_post(batch, action="dry_run")
            )
        assert response.status_code == 302
        batch.refresh_from_db()
        assert (batch.dry_run, batch.status) == (True, ImportBatch.Status.DONE)
        assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"
        assert not Lead.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(reverse("imports:start", args=[batch.pk]))
        batch.refresh_from_db()
        assert (batch.dry_run, batch.status) == (False, ImportBatch.Status.DONE)
        assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"
        junk = Lead.objects.get(email="soren@cafe.example")
        assert (junk.state, junk.status, junk.last_name) == (State.DISQUALIFIED, "canceled", "Ærø")
        assert junk.history.get().history_user == manager

        response = as_manager.get(reverse("imports:errors", args=[batch.pk]))
        assert response.status_code == 200
        rows = list(
            csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        )
        assert rows[0][-2:] == ["line", "error"]
        assert rows[1][:4] == ["Bo", "Berg", "Contoso", "not-an-address"]
        assert rows[1][-2] == "3"

    def test_a_bad_value_map_is_refused_with_a_message(self, as_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()

        response = as_manager.post(
            batch.get_absolute_url(), mapping_post(batch, values="{not json", action="save")
        )

        assert response.status_code == 200
        assert "This is not valid JSON" in response.content.decode()

    def test_progress_is_a_partial_while_running_and_a_refresh_when_done(self, as_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)

        running = as_manager.get(reverse("imports:progress", args=[batch.pk]))
        assert running.status_code == 200
        assert b'hx-trigger="every 1s"' in running.content
        assert b"<progress" in running.content

        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.DONE)
        done = as_manager.get(reverse("imports:progress", args=[batch.pk]))
        assert (done.status_code, done["HX-Refresh"]) == (204, "true")

    def test_another_managers_import_is_a_404(self, client, as_manager, other_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        client.force_login(other_manager)
        for name in ("detail", "progress", "errors"):
            assert client.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
        assert client.post(reverse("imports:start", args=[batch.pk])).status_code == 404

    def test_an_admin_sees_every_import(self, client, as_manager, admin_user):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        client.force_login(admin_user)
        assert client.get(batch.get_absolute_url()).status_code == 200

    def test_wrong_methods_are_refused(self, as_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        assert as_manager.post(reverse("imports:progress", args=[batch.pk])).status_code == 405
        assert as_manager.get(reverse("imports:start", args=[batch.pk])).status_code == 405
        assert as_manager.post(reverse("imports:errors", args=[batch.pk])).status_code == 405
        assert as_manager.delete(batch.get_absolute_url()).status_code == 405

    def test_a_finished_import_cannot_be_started_again(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(batch.get_absolute_url(), mapping_post(batch, action="import"))

        response = as_manager.post(reverse("imports:start", args=[batch.pk]), follow=True)

        assert "This file has been imported" in response.content.decode()
        assert Lead.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_the_list_query_count_does_not_grow_with_the_batches(
    as_manager, manager, count, django_assert_num_queries
):
    ImportBatch.objects.bulk_create(
        ImportBatch(file_name=f"f{n}.csv", checksum="0" * 64, created_by=manager)
        for n in range(count)
    )
    # session, user (with its permissions: the import permission, no role query), batches
    with django_assert_num_queries(3):
        response = as_manager.get(reverse("imports:list"))
    assert response.content.decode().count("f0.csv") == 1


def test_a_browser_import_reads_dates_in_the_importers_time_zone(
    as_manager, manager, django_capture_on_commit_callbacks
):
    """The worker running the import has no request: naive dates in the file are read in
    the time zone of the manager who started it, as the mapping page's preview read them."""
    manager.time_zone = "Asia/Tokyo"
    manager.save()
    upload(as_manager, b"Last Name,E-mail,Created\r\nHansen,anna@example.com,2024-01-01 10:00\r\n")
    batch = ImportBatch.objects.get()
    mapping = {"col_0": "last_name", "col_1": "email", "col_2": "created_at", "values": ""}

    with django_capture_on_commit_callbacks() as callbacks:
        as_manager.post(batch.get_absolute_url(), mapping_post(batch, **mapping, action="import"))
    timezone.deactivate()  # as in a worker process
    for callback in callbacks:
        callback()

    created = Lead.objects.get().created_at
    assert created == datetime.datetime(2024, 1, 1, 1, 0, tzinfo=datetime.UTC)


def test_the_error_file_speaks_the_language_of_the_page_that_uploaded(
    as_manager, django_capture_on_commit_callbacks
):
    # A Danish browser uploads; the worker (no request) writes the rows' errors in Danish.
    as_manager.post(
        reverse("imports:list"),
        {"file": SimpleUploadedFile("leads.csv", CSV, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    batch = ImportBatch.objects.get()
    assert batch.options["language"] == "da"
    with django_capture_on_commit_callbacks(execute=True):
        as_manager.post(batch.get_absolute_url(), mapping_post(batch, action="dry_run"))
    batch.refresh_from_db()
    assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"

    response = as_manager.get(reverse("imports:errors", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    error = rows[1][-1]
    assert "Enter a valid email address" not in error
    assert "mailadresse" in error.lower(), error
