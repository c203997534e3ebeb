"""The Imports page's follow-ups: the leads an import created on the lead list, a stalled dry
run offered again as a dry run, the runner in the admin."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from leads.imports.models import STALLED_AFTER, ImportBatch
from leads.imports.tests.conftest import write_csv
from leads.imports.tests.test_views import mapping_post, upload
from leads.models import Lead
from leads.tests.factories import make_lead


def created_leads_link(page):
    match = re.search(r'data-testid="created-leads" href="([^"]+)"', page)
    assert match, "no link to the created leads"
    return html.unescape(match.group(1))


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.context["page"]
    return page.paginator.count, {lead.email for lead in page.object_list}


@pytest.mark.django_db
class TestTheLeadsAnImportCreated:
    def _import(self, as_manager, django_capture_on_commit_callbacks):
        upload(as_manager)
        batch = ImportBatch.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(batch.get_absolute_url(), mapping_post(batch, action="import"))
        batch.refresh_from_db()
        assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"
        return batch

    def test_the_result_links_to_exactly_the_leads_it_created(
        self, as_manager, manager, django_capture_on_commit_callbacks
    ):
        # The manager's own lead typed by hand, created before the import: not listed.
        make_lead(owner=manager, email="typed@by.hand")
        batch = self._import(as_manager, django_capture_on_commit_callbacks)

        page = as_manager.get(batch.get_absolute_url()).content.decode()
        url = created_leads_link(page)
        count, emails = listed(as_manager, url)

        assert "Open the 2 leads this import created" in page
        assert count == batch.created == 2
        assert emails == {"soren@cafe.example", "cy@northwind.example"}
        # Every state: the junk lead was imported as disqualified.
        assert "view=any" in url

    def test_another_teams_leads_never_show(
        self,
        as_manager,
        manager,
        carol,
        tmp_path,
        import_leads,
        django_capture_on_commit_callbacks,
    ):
        # An administrator imports leads for Carol (another team) from the command line.
        path = write_csv(
            tmp_path / "south.csv",
            [["Last Name", "E-mail"], ["South", "south@x.example"], ["Sud", "sud@x.example"]],
        )
        assert import_leads(path, "--owner", carol.username).status == 0
        south = ImportBatch.objects.get()
        assert Lead.objects.filter(owner_user=carol).count() == 2
        ours = self._import(as_manager, django_capture_on_commit_callbacks)

        url = reverse("leads:list") + "?view=any&import="
        assert listed(as_manager, url + str(south.pk)) == (0, set())
        count, emails = listed(as_manager, url + str(ours.pk))
        assert count == 2
        assert not emails & {"south@x.example", "sud@x.example"}

    def test_an_administrator_sees_another_teams_import(
        self, client, admin_user, carol, tmp_path, import_leads
    ):
        rows = [["Last Name", "E-mail"], *([f"L{n}", f"l{n}@x.example"] for n in range(3))]
        assert (
            import_leads(write_csv(tmp_path / "a.csv", rows), "--owner", carol.username).status
            == 0
        )
        batch = ImportBatch.objects.get()
        client.force_login(admin_user)

        count, _emails = listed(client, f"{reverse('leads:list')}?view=any&import={batch.pk}")

        assert count == batch.created == 3

    def test_a_single_lead_import_is_found_too(self, client, admin_user, tmp_path, import_leads):
        # One row: create_leads saves it alone (no bulk insert), with its status-log entry.
        path = write_csv(
            tmp_path / "one.csv", [["Last Name", "E-mail"], ["Solo", "solo@x.example"]]
        )
        assert import_leads(path).status == 0
        batch = ImportBatch.objects.get()
        client.force_login(admin_user)

        url = f"{reverse('leads:list')}?view=any&import={batch.pk}"

        assert listed(client, url) == (1, {"solo@x.example"})

    def test_a_dry_run_has_no_link_and_a_bad_batch_id_is_ignored_with_a_message(
        self, as_manager, django_capture_on_commit_callbacks
    ):
        upload(as_manager)
        batch = ImportBatch.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(batch.get_absolute_url(), mapping_post(batch, action="dry_run"))

        page = as_manager.get(batch.get_absolute_url()).content.decode()
        response = as_manager.get(reverse("leads:list") + "?view=any&import=abc", follow=True)

        assert 'data-testid="created-leads"' not in page
        assert response.status_code == 200
        assert "Some filters were not understood" in response.content.decode()


STALE = STALLED_AFTER + timedelta(minutes=1)


@pytest.mark.django_db
def test_a_stalled_dry_run_is_offered_again_as_a_dry_run(
    as_manager, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        upload(as_manager)
        batch = ImportBatch.objects.get()
        # Queued, taken by a worker on another machine that then died.
        as_manager.post(batch.get_absolute_url(), mapping_post(batch, action="dry_run"))
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.RUNNING,
            runner="worker-7.example:4242",
            progress_at=timezone.now(),
        )
        clock.shift(STALE)

        page = as_manager.get(batch.get_absolute_url()).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = as_manager.post(reverse("imports:start", args=[batch.pk]), follow=True)

    stalled = page[page.index('data-testid="import-stalled"') :]
    stalled = stalled[: stalled.index("</div>")]
    assert "Run the dry run again" in stalled
    assert "Import now" not in stalled
    assert "Dry run started" in response.content.decode()
    batch.refresh_from_db()
    assert (batch.dry_run, batch.status) == (True, ImportBatch.Status.DONE), batch.message
    assert batch.summary() == "created=2 updated=0 skipped=0 rejected=1"
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_the_admin_shows_the_progress_time_and_the_runner_read_only(as_admin, manager):
    batch = ImportBatch.objects.create(
        file_name="f.csv",
        checksum="0" * 64,
        created_by=manager,
        status=ImportBatch.Status.RUNNING,
        runner="worker-7.example:4242",
        progress_at=timezone.now(),
    )

    response = as_admin.get(reverse("admin:imports_importbatch_change", args=[batch.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "worker-7.example:4242" in page
    assert "Last progress" in page
    assert 'name="runner"' not in page
    assert 'name="progress_at' not in page
