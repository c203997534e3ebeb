"""The lead's timeline (leads/timeline.py): the status log as entries, the lead's history read
through on what qualifying it produced, and who may see, add to or download from it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities import services as activity_services
from activities import timeline
from activities.models import Activity, Inquiry, Note
from leads import services
from leads.models import LeadStatusChange, Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FROM_THE_LEAD = "From the lead"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def timeline_url(record, kind=""):
    url = reverse("activities:timeline", args=[record._meta.label_lower, record.pk])
    return f"{url}?kind={kind}" if kind else url


def add_url(record, kind):
    return reverse("activities:quick_add", args=[record._meta.label_lower, record.pk, kind])


def log_call(lead, user, subject="Intro call"):
    return activity_services.log_activity(
        regarding=lead,
        user=user,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": subject, "direction": Activity.Direction.OUTGOING},
        completed=True,
    )


def _age(lead, minutes):
    """Date the lead's rows back, so the order does not depend on the clock's resolution."""
    LeadStatusChange.objects.filter(lead=lead).update(
        changed_at=timezone.now() - timezone.timedelta(minutes=minutes)
    )


class TestStatusChangesOnTheTimeline:
    def test_the_status_log_is_on_the_leads_timeline_newest_first(self, alice):
        lead = make_lead(owner=alice)
        _age(lead, 10)
        services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED, reason="Met")

        page = timeline.build_timeline(lead, alice)

        assert [entry.kind for entry in page.entries] == ["status", "status"]
        newest, first = (entry.object for entry in page.entries)
        assert (newest.from_status, newest.to_status, newest.reason) == ("new", "contacted", "Met")
        assert (first.from_status, first.to_status) == ("", "new")
        assert all(entry.origin is None for entry in page.entries)

    def test_status_changes_are_a_kind_of_their_own_in_the_filter(self, alice):
        lead = make_lead(owner=alice)
        log_call(lead, alice)  # a completed call: New -> Contacted, logged
        activity_services.add_note(regarding=lead, user=alice, text="Likes blue")

        statuses = timeline.build_timeline(lead, alice, kind="status")
        calls = timeline.build_timeline(lead, alice, kind="phone_call")

        assert ("status", "Status changes") in timeline.kind_choices()
        assert [entry.object.to_status for entry in statuses.entries] == ["contacted", "new"]
        assert [entry.kind for entry in calls.entries] == ["phone_call"]
        assert len(timeline.build_timeline(lead, alice).entries) == 4

    def test_an_account_has_no_status_entries_of_its_own(self, alice):
        from activities.tests.factories import AccountFactory

        account = AccountFactory(owner_user=alice)
        make_lead(owner=alice)

        assert timeline.build_timeline(account, alice, kind="status").entries == []

    def test_the_page_renders_a_status_change_with_who_and_why(self, as_alice, alice):
        lead = make_lead(owner=alice)
        services.set_lead_status(
            lead=lead, user=alice, status=Status.CONTACTED, reason="Called <b>back</b>"
        )

        response = as_alice.get(timeline_url(lead, "status"), **HTMX)

        content = response.content.decode()
        assert content.count('data-testid="status-change"') == 2
        assert "New → Contacted" in content
        assert "Called &lt;b&gt;back&lt;/b&gt;" in content
        assert str(alice) in content

    def test_an_htmx_status_change_refreshes_the_timeline_too(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.post(
            reverse("leads:set_status", args=[lead.pk]), {"status": "contacted"}, **HTMX
        )

        content = response.content.decode()
        assert 'id="lead-timeline"' in content and 'hx-swap-oob="true"' in content
        assert "New → Contacted" in content

    @pytest.mark.parametrize("changes", [1, 50])
    def test_the_lead_timeline_takes_the_same_queries_for_1_and_50_changes(
        self, as_alice, alice, changes, django_assert_num_queries
    ):
        lead = make_lead(owner=alice)  # its first status-log entry
        for number in range(changes - 1):
            status = Status.CONTACTED if number % 2 == 0 else Status.NEW
            services.set_lead_status(lead=lead, user=alice, status=status)
        log_call(lead, alice)
        as_alice.get(timeline_url(lead), **HTMX)  # warms the content-type cache
        # 1 session, 2 user (and whether an administrator), 3 the user's teams (visible_to),
        # 4 the lead, 5 COUNT of the union, 6 the union's page, 7 the page's activities,
        # 8 the page's status changes (who changed them and the lead joined)
        with django_assert_num_queries(8):
            response = as_alice.get(timeline_url(lead), **HTMX)
        assert response.content.count(b'data-testid="timeline-entry"') == min(changes + 2, 20)


class TestReadThrough:
    def test_the_new_account_contact_and_opportunity_show_the_leads_history(self, alice):
        lead = make_lead(owner=alice)
        call = log_call(lead, alice)
        note = activity_services.add_note(regarding=lead, user=alice, text="Budget approved")
        q = services.qualify_lead(
            lead=lead, user=alice, create_account=True, create_contact=True,
            create_opportunity=True,
        )  # fmt: skip

        for record in (q.account, q.contact, q.opportunity):
            entries = timeline.build_timeline(record, alice).entries
            objects = {entry.object for entry in entries}
            assert {call, note} <= objects
            statuses = [e.object.to_status for e in entries if e.kind == "status"]
            assert statuses == ["qualified", "contacted", "new"]
            assert {entry.origin for entry in entries} == {FROM_THE_LEAD}

    def test_an_existing_account_used_in_qualifying_shows_it_next_to_its_own(self, alice):
        from activities.tests.factories import AccountFactory

        account = AccountFactory(owner_user=alice, name="Contoso")
        own = activity_services.add_note(regarding=account, user=alice, text="Own note")
        lead = make_lead(owner=alice, existing_account=account)
        inquiry = activity_services.add_inquiry(
            regarding=lead, user=alice, data={"title": "Do you ship?"}
        )
        services.qualify_lead(lead=lead, user=alice, create_opportunity=True)

        entries = timeline.build_timeline(account, alice).entries
        origins = {entry.object: entry.origin for entry in entries}

        assert origins[own] is None
        assert origins[inquiry] == FROM_THE_LEAD
        notes = timeline.build_timeline(account, alice, kind="note").entries
        assert [entry.object for entry in notes] == [own]

    def test_an_unrelated_or_only_linked_lead_is_not_read_through(self, alice):
        from activities.tests.factories import AccountFactory

        account = AccountFactory(owner_user=alice)
        linked = make_lead(owner=alice)
        services.associate_lead(lead=linked, user=alice, account=account)
        activity_services.add_note(regarding=linked, user=alice, text="Only linked")

        assert timeline.build_timeline(account, alice).entries == []

    def test_a_lead_the_user_may_not_see_is_not_read_through(self, as_carol, alice, carol):
        lead = make_lead(owner=alice)
        activity_services.add_note(regarding=lead, user=alice, text="Private to North")
        q = services.qualify_lead(lead=lead, user=alice, create_account=True)
        # The account moves to carol (South); the lead stays with alice (North).
        q.account.owner = carol
        q.account.save()

        # (The account's own entry, its move to carol, is on it for both.)
        [moved] = timeline.build_timeline(q.account, carol).entries
        assert (moved.kind, moved.origin) == ("assignment", None)
        assert len(timeline.build_timeline(q.account, alice).entries) == 4
        response = as_carol.get(q.account.get_absolute_url())
        assert response.status_code == 200
        assert "Private to North" not in response.content.decode()
        assert lead.get_absolute_url() not in response.content.decode()

    def test_the_account_page_marks_the_leads_entries(self, as_alice, alice):
        lead = make_lead(owner=alice, topic="50 laptops")
        log_call(lead, alice, subject="Discussed the laptops")
        q = services.qualify_lead(lead=lead, user=alice, create_account=True)

        content = as_alice.get(q.account.get_absolute_url()).content.decode()

        assert "Discussed the laptops" in content
        assert content.count('data-testid="timeline-origin"') == 4  # call + 3 status changes
        assert FROM_THE_LEAD in content
        # A read-through status change names its lead.
        assert f'href="{lead.get_absolute_url()}"' in content

    def test_a_note_read_through_is_downloadable_by_who_sees_the_account(
        self, as_alice, alice, client, bob, carol
    ):
        lead = make_lead(owner=alice)
        activity_services.add_note(
            regarding=lead,
            user=alice,
            text="",
            upload=SimpleUploadedFile("offer.pdf", PDF, "application/pdf"),
            content_type="application/pdf",
        )
        q = services.qualify_lead(lead=lead, user=alice, create_account=True)
        note = Note.objects.get()
        download = reverse("activities:attachment", args=[note.pk])

        assert download in as_alice.get(q.account.get_absolute_url()).content.decode()
        client.force_login(bob)  # alice's teammate sees the lead and the account
        assert client.get(download).status_code == 200
        client.force_login(carol)
        assert client.get(download).status_code == 404


class TestAnotherTeam:
    """Carol (South) must not see, add to or download from a North lead's timeline."""

    def test_the_timeline_is_a_404(self, as_carol, alice):
        lead = make_lead(owner=alice)
        assert as_carol.get(timeline_url(lead)).status_code == 404
        assert as_carol.get(timeline_url(lead), **HTMX).status_code == 404

    @pytest.mark.parametrize("kind", ["phone_call", "note", "inquiry", "task"])
    def test_adding_to_it_is_a_404_and_stores_nothing(self, as_carol, alice, kind):
        lead = make_lead(owner=alice)
        data = {"subject": "x", "text": "x", "title": "x", "direction": "outgoing"}

        assert as_carol.get(add_url(lead, kind)).status_code == 404
        assert as_carol.post(add_url(lead, kind), data).status_code == 404
        assert not Activity.objects.exists()
        assert not Note.objects.exists()
        assert not Inquiry.objects.exists()

    def test_the_attachment_download_is_a_404(self, client, alice, carol):
        lead = make_lead(owner=alice)
        client.force_login(alice)
        response = client.post(
            add_url(lead, "note"),
            {"text": "", "attachment": SimpleUploadedFile("offer.pdf", PDF, "application/pdf")},
        )
        assert response.status_code == 302
        note = Note.objects.get()
        assert note.regarding == lead
        download = reverse("activities:attachment", args=[note.pk])

        assert client.get(download).status_code == 200
        client.force_login(carol)
        assert client.get(download).status_code == 404

    def test_the_owner_adds_to_the_leads_timeline(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.post(
            add_url(lead, "inquiry"),
            {"title": "Do you ship to Norway?", "channel": "email", "priority": 1},
        )

        assert response.status_code == 302
        assert response["Location"] == lead.get_absolute_url()
        assert Inquiry.objects.get().regarding == lead

    def test_the_timeline_refuses_post(self, as_alice, alice):
        assert as_alice.post(timeline_url(make_lead(owner=alice))).status_code == 405
