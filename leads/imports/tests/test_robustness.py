"""Messy real-world exports (month-first dates and AM/PM times, Salesforce and Dynamics status
labels, choice errors that list every choice) and imports whose process died."""

import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from leads.forms import LeadForm
from leads.imports.cells import RowError, parse_date, parse_datetime, parse_status
from leads.imports.importers import BatchBusy, Importer, ImportOptions, start_batch
from leads.imports.mapping import match_columns
from leads.imports.models import STALLED_AFTER, ImportBatch
from leads.imports.rows import RowConverter
from leads.imports.tests.conftest import write_csv
from leads.imports.tests.test_views import mapping_post, upload
from leads.models import Lead, State, Status


class TestDates:
    @pytest.mark.parametrize(
        "text",
        [
            "2021-04-15",
            "15/04/2021",  # day first: only one reading
            "04/15/2021",  # month first: only one reading (Zoho, US exports)
            "15.04.2021",
            "15-Apr-2021",
            "April 15, 2021",
            "2021/04/15",
        ],
    )
    def test_auto_reads_every_date_that_has_one_reading(self, text):
        assert parse_date(text) == date(2021, 4, 15)

    def test_auto_reads_an_ambiguous_date_day_first_and_mdy_month_first(self):
        assert parse_date("04/05/2021") == date(2021, 5, 4)
        assert parse_date("04/05/2021", order="mdy") == date(2021, 4, 5)
        assert parse_date("04/05/2021", order="dmy") == date(2021, 5, 4)

    @pytest.mark.parametrize(
        ("text", "order"),
        [
            ("15/04/2021", "mdy"),
            ("04/15/2021", "dmy"),
            ("15/04/2021", "ymd"),
            ("31/31/2031", "auto"),
        ],
    )
    def test_a_date_that_does_not_fit_the_chosen_order_is_rejected(self, text, order):
        with pytest.raises(RowError, match="Enter a date"):
            parse_date(text, order=order)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("04/15/2021 10:00 PM", datetime(2021, 4, 15, 22, 0)),
            ("04/15/2021 10:00PM", datetime(2021, 4, 15, 22, 0)),
            ("04/15/2021 12:05 am", datetime(2021, 4, 15, 0, 5)),
            ("04/15/2021 12:05:30 p.m.", datetime(2021, 4, 15, 12, 5, 30)),
            ("15/04/2021 22:00", datetime(2021, 4, 15, 22, 0)),
            ("2021-04-15 10:00 PM", datetime(2021, 4, 15, 22, 0)),
            ("23 May, 2012 00:00:00", datetime(2012, 5, 23, 0, 0)),
            ("Apr 15, 2021 10:00 PM", datetime(2021, 4, 15, 22, 0)),
        ],
    )
    def test_times_are_24_hour_or_am_pm(self, text, expected):
        assert timezone.localtime(parse_datetime(text)).replace(tzinfo=None) == expected

    @pytest.mark.parametrize(
        "text", ["04/15/2021 13:00 PM", "04/15/2021 25:00", "04/15/2021 0:00 AM"]
    )
    def test_impossible_times_are_rejected(self, text):
        with pytest.raises(RowError, match="Enter a time"):
            parse_datetime(text)

    def test_a_date_field_accepts_a_date_with_an_am_pm_time(self):
        assert parse_date("04/15/2021 10:00 PM") == date(2021, 4, 15)


@pytest.mark.django_db
class TestDateFormatOption:
    ROWS = [
        ["Last Name", "Created Time", "Next Follow-up"],
        ["Hansen", "04/15/2021 10:00 PM", "04/05/2031"],
        ["Berg", "04/16/2021 09:30 AM", "04/06/2031"],
    ]

    def test_auto_imports_a_zoho_file_and_reads_ambiguous_dates_day_first(
        self, tmp_path, import_leads
    ):
        run = import_leads(write_csv(tmp_path / "zoho.csv", self.ROWS))

        assert run.status == 0, run.output
        lead = Lead.objects.get(last_name="Hansen")
        assert timezone.localtime(lead.created_at).replace(tzinfo=None) == datetime(
            2021, 4, 15, 22, 0
        )
        assert lead.next_follow_up == date(2031, 5, 4)

    def test_mdy_reads_ambiguous_dates_month_first(self, tmp_path, import_leads):
        run = import_leads(write_csv(tmp_path / "zoho.csv", self.ROWS), "--date-format", "mdy")

        assert run.status == 0, run.output
        assert Lead.objects.get(last_name="Hansen").next_follow_up == date(2031, 4, 5)
        assert ImportBatch.objects.get().options["date_format"] == "mdy"

    def test_dmy_rejects_month_first_dates_with_a_day_first_example(self, tmp_path, import_leads):
        run = import_leads(write_csv(tmp_path / "zoho.csv", self.ROWS), "--date-format", "dmy")

        assert run.status == 1
        assert run.summary.startswith("created=0 updated=0 skipped=0 rejected=2")
        assert "Created at: Enter a date such as 2021-04-15, 15/04/2021" in run.output

    def test_an_unknown_date_format_is_a_usage_error(self, tmp_path, import_leads):
        with pytest.raises(CommandError):
            import_leads(write_csv(tmp_path / "zoho.csv", self.ROWS), "--date-format", "dym")
        assert not ImportBatch.objects.exists()

    def test_the_mapping_form_stores_the_choice_and_the_import_uses_it(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        content = (
            b"First Name,Surname,Account Name,E-mail,Lead Status,Follow-up\r\n"
            b"Ann,Lee,Acme,ann@acme.example,Contacted,04/05/2031\r\n"
        )
        upload(as_manager, content)
        batch = ImportBatch.objects.get()
        page = as_manager.get(batch.get_absolute_url()).content.decode()
        assert 'name="date_format"' in page

        with django_capture_on_commit_callbacks(execute=True):
            response = as_manager.post(
                batch.get_absolute_url(),
                mapping_post(batch, col_5="next_follow_up", date_format="mdy", action="import"),
            )

        assert response.status_code == 302
        batch.refresh_from_db()
        assert batch.options["date_format"] == "mdy"
        assert batch.status == ImportBatch.Status.DONE, batch.message
        assert Lead.objects.get().next_follow_up == date(2031, 4, 5)


class TestStatusLabels:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            # Salesforce's standard lead statuses
            ("Open - Not Contacted", (State.OPEN, Status.NEW)),
            ("Working - Contacted", (State.OPEN, Status.CONTACTED)),
            ("Closed - Converted", (State.QUALIFIED, Status.QUALIFIED)),
            ("Closed - Not Converted", (State.DISQUALIFIED, Status.LOST)),
            ("closed-not converted", (State.DISQUALIFIED, Status.LOST)),
            # Dynamics 365's status reasons
            ("Qualified", (State.QUALIFIED, Status.QUALIFIED)),
            ("Unqualified", (State.DISQUALIFIED, Status.LOST)),
            ("Cannot Contact", (State.DISQUALIFIED, Status.CANNOT_CONTACT)),
            ("No Longer Interested", (State.DISQUALIFIED, Status.NO_LONGER_INTERESTED)),
            ("Canceled", (State.DISQUALIFIED, Status.CANCELED)),
            ("Lost", (State.DISQUALIFIED, Status.LOST)),
        ],
    )
    def test_crm_export_labels_map_without_a_value_map(self, text, expected):
        assert parse_status(text) == expected

    def test_a_label_agrees_with_a_separate_state_column(self):
        assert parse_status("Closed - Not Converted", "Disqualified") == (
            State.DISQUALIFIED,
            Status.LOST,
        )
        with pytest.raises(RowError):
            parse_status("Closed - Converted", "Open")

    def test_an_unknown_status_lists_every_status_reason(self):
        with pytest.raises(RowError) as error:
            parse_status("Pending")
        for status in Status:
            assert str(status.label) in str(error.value)


@pytest.mark.django_db
def test_an_unknown_choice_lists_every_valid_choice(tmp_path, import_leads):
    path = write_csv(tmp_path / "in.csv", [["Last Name", "Industry"], ["Hansen", "Fishing"]])

    run = import_leads(path)

    assert run.status == 1
    message = run.output.split("line 2: ", 1)[1]
    assert message.startswith("Industry: Fishing is not one of the choices (")
    assert "…" not in message
    labels = Lead._meta.get_field("industry").choices
    assert len(labels) > 8
    for _value, label in labels:
        assert str(label) in message


STALE = STALLED_AFTER + timedelta(minutes=1)


def _a_dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.django_db
class TestAStalledBrowserImport:
    """A worker that died leaves its batch 'running': after STALLED_AFTER without progress the
    page offers Resume, and the import then finishes."""

    def _started_then_worker_died(self, as_manager):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        # The task is queued but never runs (the callbacks are not executed): as if the
        # worker took it and died on another machine.
        as_manager.post(batch.get_absolute_url(), mapping_post(batch, action="import"))
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.RUNNING,
            runner="worker-7.example:4242",
            progress_at=timezone.now(),
        )
        return batch

    def test_resume_is_refused_while_the_batch_makes_progress(self, as_manager):
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
            batch = self._started_then_worker_died(as_manager)
            clock.shift(STALLED_AFTER - timedelta(minutes=1))

            page = as_manager.get(batch.get_absolute_url()).content.decode()
            response = as_manager.post(reverse("imports:start", args=[batch.pk]), follow=True)

        assert 'data-testid="import-stalled"' not in page
        assert "This import is running" in response.content.decode()
        batch.refresh_from_db()
        assert (batch.status, batch.runner) == (
            ImportBatch.Status.RUNNING,
            "worker-7.example:4242",
        )

    def test_after_ten_minutes_without_progress_it_can_be_resumed(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
            batch = self._started_then_worker_died(as_manager)
            clock.shift(STALE)

            page = as_manager.get(batch.get_absolute_url()).content.decode()
            progress = as_manager.get(reverse("imports:progress", args=[batch.pk]))
            with django_capture_on_commit_callbacks(execute=True):
                as_manager.post(reverse("imports:start", args=[batch.pk]))

        assert 'data-testid="import-stalled"' in page
        assert "Resume the import" in page
        assert b"Resume the import" in progress.content
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.DONE, batch.message
        assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"
        assert Lead.objects.count() == 2


@pytest.mark.django_db
class TestOneRunnerPerBatch:
    ROWS = [["Last Name", "E-mail"], *([f"L{n}", f"l{n}@x.example"] for n in range(5))]

    def _running_elsewhere(self, path, user, runner="other-host.example:99"):
        batch, _info, _resumed = start_batch(path=path, user=user, options=ImportOptions())
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.RUNNING, runner=runner, progress_at=timezone.now()
        )
        return batch

    def test_the_command_refuses_a_batch_another_process_runs_then_resumes_it_when_stalled(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(tmp_path / "in.csv", self.ROWS)
        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
            batch = self._running_elsewhere(path, admin_user)

            with pytest.raises(CommandError) as error:
                import_leads(path)
            assert error.value.returncode == 2
            assert f"Import #{batch.pk} is being run by another process" in str(error.value)
            batch.refresh_from_db()
            assert (batch.status, batch.runner) == (
                ImportBatch.Status.RUNNING,
                "other-host.example:99",
            )
            assert not Lead.objects.exists()

            clock.shift(STALE)
            run = import_leads(path)

        assert run.status == 0, run.output
        assert f"Resuming import #{batch.pk}" in run.output
        assert Lead.objects.count() == 5
        assert ImportBatch.objects.count() == 1

    def test_a_batch_whose_process_on_this_machine_is_gone_resumes_at_once(
        self, tmp_path, import_leads, admin_user
    ):
        path = write_csv(tmp_path / "in.csv", self.ROWS)
        batch = self._running_elsewhere(
            path, admin_user, runner=f"{socket.gethostname()}:{_a_dead_pid()}"
        )
        assert batch.__class__.objects.get(pk=batch.pk).is_stalled()

        run = import_leads(path)

        assert run.status == 0, run.output
        assert f"Resuming import #{batch.pk}" in run.output

    def test_progress_time_is_recorded_per_chunk_and_a_runner_taken_over_stops(
        self, tmp_path, admin_user
    ):
        path = write_csv(tmp_path / "in.csv", self.ROWS)
        batch, _info, _resumed = start_batch(path=path, user=admin_user, options=ImportOptions())
        seen = []

        def on_progress(batch):
            stored = ImportBatch.objects.get(pk=batch.pk)
            seen.append((stored.last_line, stored.progress_at))
            clock.shift(timedelta(seconds=30))
            if len(seen) == 2:  # another process takes the batch over
                ImportBatch.objects.filter(pk=batch.pk).update(runner="other-host:1")

        with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
            importer = Importer(
                batch, path, user=admin_user, on_progress=on_progress, chunk_size=2
            )
            with pytest.raises(BatchBusy):
                importer.run()

        start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        assert seen == [(3, start), (5, start + timedelta(seconds=30))]
        # The third chunk was rolled back: only the first two are stored.
        assert Lead.objects.count() == 4
        batch.refresh_from_db()
        assert (batch.last_line, batch.runner) == (5, "other-host:1")


PHONE_SAMPLES = [
    "+45 33 88 12 34",
    "  +1 (555) 010-9999 x12  ",
    "33881234",
    "call me maybe",
    "ask for Søren, ext. 12",
    "☎ 555",
    "n/a",
    "1" * 50,
    "1" * 51,
    "+45 " + "3" * 50,
]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["business_phone", "mobile_phone"])
def test_the_importer_and_the_lead_form_agree_on_phone_numbers(admin_user, field):
    form_field = LeadForm(user=admin_user).fields[field]
    mapping = match_columns(
        ["Last Name", "Phone"], columns={"Last Name": "last_name", "Phone": field}
    )
    converter = RowConverter(mapping, ImportOptions(), user=admin_user)

    for text in PHONE_SAMPLES:
        try:
            form_value = form_field.clean(text)
        except ValidationError:
            form_value = "rejected"
        try:
            import_value = converter.convert(["Hansen", text])[field]
        except RowError:
            import_value = "rejected"
        assert import_value == form_value, text
    assert converter.convert(["Hansen", "call me maybe"])[field] == "call me maybe"


@pytest.mark.django_db
def test_a_nul_character_rejects_its_row_and_the_rest_is_imported(tmp_path, import_leads):
    """The lead form refuses NUL characters and PostgreSQL cannot store them: the row goes to
    the error file (NUL shown as U+FFFD) instead of failing its whole chunk."""
    path = write_csv(
        tmp_path / "in.csv",
        [["Last Name", "Company"], ["Hansen", "Null\x00Co"], ["Berg", "Fine Co"]],
    )
    errors = tmp_path / "errors.csv"

    run = import_leads(path, "--errors", errors)

    assert run.status == 1
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["Berg"]
    text = errors.read_text(encoding="utf-8")
    assert "The row contains a NUL character" in text
    assert "Null\ufffdCo" in text and "\x00" not in text
