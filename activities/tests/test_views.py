import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, Inquiry, Note
from activities.signals import activity_logged
from activities.tests.factories import AccountFactory

HX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def timeline_url(record):
    return reverse("activities:timeline", args=[record._meta.label_lower, record.pk])


def add_url(record, kind):
    return reverse("activities:quick_add", args=[record._meta.label_lower, record.pk, kind])


def _task(record, user, subject="Follow up", **data):
    return services.log_activity(
        regarding=record, user=user, kind=Activity.Kind.TASK, data={"subject": subject, **data}
    )


def _bulk_activities(account, user, count):
    Activity.objects.bulk_create(
        Activity(
            kind=Activity.Kind.TASK,
            subject=f"Task {n}",
            content_type=Activity.objects.regarding(account)
            .model._meta.apps.get_model("contenttypes", "ContentType")
            .objects.get_for_model(account),
            object_id=account.pk,
            owner_user=user,
            created_by=user,
        )
        for n in range(count)
    )


class TestTimelineView:
    def test_a_teammate_sees_the_timeline(self, client, account, alice, bob):
        _task(account, alice, "Call back Acme")
        client.force_login(bob)

        response = client.get(timeline_url(account))

        assert response.status_code == 200
        assert b"Call back Acme" in response.content
        assert b"<html" in response.content

    def test_htmx_gets_the_panel_alone(self, as_alice, account):
        response = as_alice.get(timeline_url(account), headers=HX)

        assert response.status_code == 200
        assert b"<html" not in response.content
        assert b'data-testid="timeline"' in response.content
        assert "HX-Request" in response["Vary"]

    def test_another_teams_rep_gets_404(self, as_carol, account):
        assert as_carol.get(timeline_url(account)).status_code == 404
        assert as_carol.get(timeline_url(account), headers=HX).status_code == 404

    def test_an_unknown_or_non_business_model_is_404(self, as_alice, alice):
        assert as_alice.get("/activities/timeline/crm.user/1/").status_code == 404
        assert as_alice.get("/activities/timeline/nope.nothing/1/").status_code == 404
        assert as_alice.get("/activities/timeline/garbage/1/").status_code == 404

    def test_post_is_not_allowed(self, as_alice, account):
        assert as_alice.post(timeline_url(account)).status_code == 405

    @pytest.mark.parametrize("count", [1, 50])
    def test_a_page_takes_the_same_queries_for_1_and_50_items(
        self, as_alice, account, alice, count, django_assert_num_queries
    ):
        _bulk_activities(account, alice, count)
        as_alice.get(timeline_url(account), headers=HX)  # warms the content type cache
        # 1 session, 2 user (and whether an administrator), 3 the user's
        # teams (visible_to), 4 the account (scoped by visible_to), 5 COUNT of the union,
        # 6 the union's page, 7 the page's activities with owner and author joined
        with django_assert_num_queries(7):
            response = as_alice.get(timeline_url(account), headers=HX)
        assert response.content.count(b'data-testid="timeline-entry"') == min(count, 20)

    def test_a_mixed_page_adds_one_query_per_kind_of_item(
        self, as_alice, account, alice, django_assert_num_queries
    ):
        _bulk_activities(account, alice, 10)
        for number in range(5):
            services.add_note(regarding=account, user=alice, text=f"Note {number}")
            services.add_inquiry(regarding=account, user=alice, data={"title": f"Q {number}"})
        as_alice.get(timeline_url(account), headers=HX)
        # session, user, administrator?, the user's teams, account, COUNT, union page, then
        # one query each for the page's activities, notes and inquiries
        with django_assert_num_queries(9):
            as_alice.get(timeline_url(account) + "?page=1", headers=HX)


class TestQuickAdd:
    def test_the_form_comes_as_a_fragment_for_htmx(self, as_alice, account):
        response = as_alice.get(add_url(account, "phone_call"), headers=HX)

        assert response.status_code == 200
        assert b"<html" not in response.content
        assert b'name="direction"' in response.content
        assert b"hx-post" in response.content

    def test_the_form_is_a_full_page_without_htmx(self, as_alice, account):
        response = as_alice.get(add_url(account, "appointment"))

        assert b"<html" in response.content
        assert b'name="location"' in response.content
        assert b"hx-post" not in response.content

    def test_logging_a_call_with_htmx_returns_the_refreshed_timeline(self, as_alice, account):
        received = []

        def receiver(sender, activity, regarding, user, **kwargs):
            received.append((activity.subject, regarding, user))

        activity_logged.connect(receiver)
        try:
            response = as_alice.post(
                add_url(account, "phone_call"),
                {"subject": "Discussed prices", "direction": "outgoing", "completed": "on"},
                headers=HX,
            )
        finally:
            activity_logged.disconnect(receiver)

        assert response.status_code == 200
        assert b"Discussed prices" in response.content
        call = Activity.objects.get()
        assert call.state == Activity.State.COMPLETED
        assert call.regarding == account
        assert received == [("Discussed prices", account, call.owner)]

    def test_an_open_task_sends_no_logged_signal(self, as_alice, account):
        received = []
        activity_logged.connect(received.append)
        try:
            as_alice.post(add_url(account, "task"), {"subject": "Later", "priority": 2})
        finally:
            activity_logged.disconnect(received.append)

        assert received == []
        assert Activity.objects.get().state == Activity.State.OPEN

    def test_without_htmx_it_redirects_to_the_record(self, as_alice, account):
        response = as_alice.post(
            add_url(account, "email"), {"subject": "Sent brochure", "direction": "outgoing"}
        )

        assert response.status_code == 302
        assert response["Location"] == account.get_absolute_url()
        assert Activity.objects.get().kind == Activity.Kind.EMAIL

    def test_an_appointment_keeps_its_times_and_place(self, as_alice, account):
        as_alice.post(
            add_url(account, "appointment"),
            {
                "subject": "Visit",
                "due_at": "2030-01-10T10:00",
                "ends_at": "2030-01-10T11:00",
                "location": "Their office",
            },
        )
        visit = Activity.objects.get()

        assert visit.location == "Their office"
        assert visit.ends_at - visit.due_at == timezone.timedelta(hours=1)

    def test_an_appointment_ending_before_it_starts_is_refused(self, as_alice, account):
        response = as_alice.post(
            add_url(account, "appointment"),
            {"subject": "Visit", "due_at": "2030-01-10T10:00", "ends_at": "2030-01-10T09:00"},
            headers=HX,
        )

        assert response.status_code == 200
        assert b"The end must be after the start." in response.content
        assert response["HX-Retarget"].endswith("-form")
        assert not Activity.objects.exists()

    def test_an_inquiry_is_added(self, as_alice, account):
        as_alice.post(
            add_url(account, "inquiry"),
            {"title": "Bulk discount?", "channel": "web", "priority": 1},
        )

        assert Inquiry.objects.get().regarding == account

    def test_a_teammate_may_add_to_a_record_they_see(self, client, bob, account):
        # Bob may not edit Alice's account, but he works with her: he logs what he did on it
        # (a read share does not let its user add: activities/tests/test_adding_needs_write.py).
        client.force_login(bob)
        assert client.get(add_url(account, "note")).status_code == 200
        response = client.post(add_url(account, "note"), {"text": "Met them at the fair"})

        assert response.status_code == 302
        assert Note.objects.get().created_by == bob

    def test_another_teams_rep_gets_404_and_nothing_is_stored(self, as_carol, account):
        assert as_carol.get(add_url(account, "note")).status_code == 404
        response = as_carol.post(add_url(account, "note"), {"text": "sneaky"})

        assert response.status_code == 404
        assert not Note.objects.exists()

    def test_an_unknown_kind_is_404(self, as_alice, account):
        assert as_alice.get(add_url(account, "fax")).status_code == 404

    def test_put_is_not_allowed(self, as_alice, account):
        assert as_alice.put(add_url(account, "note")).status_code == 405


class TestAttachments:
    def _upload(self, client, account, name, content, content_type="application/pdf"):
        return client.post(
            add_url(account, "note"),
            {"text": "", "attachment": SimpleUploadedFile(name, content, content_type)},
        )

    def test_a_pdf_is_stored_under_a_random_name_and_downloaded(
        self, as_alice, account, media_root
    ):
        self._upload(as_alice, account, "offer.pdf", PDF)
        note = Note.objects.get()

        assert note.attachment_content_type == "application/pdf"
        assert note.attachment_size == len(PDF)
        assert "offer" not in note.attachment.name
        response = as_alice.get(reverse("activities:attachment", args=[note.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="offer.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF

    @pytest.mark.parametrize(
        ("name", "content", "claimed"),
        [
            ("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
            (
                "logo.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                "image/svg+xml",
            ),
            ("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ],
    )
    def test_html_and_svg_are_only_ever_downloads(self, as_alice, account, name, content, claimed):
        self._upload(as_alice, account, name, content, claimed)
        note = Note.objects.get()

        response = as_alice.get(reverse("activities:attachment", args=[note.pk]))

        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]

    def test_an_oversized_file_is_refused_and_nothing_stored(
        self, as_alice, account, settings, media_root
    ):
        settings.ATTACHMENT_MAX_BYTES = 1024
        response = self._upload(as_alice, account, "big.pdf", PDF + b"0" * 2048)

        assert response.status_code == 200
        assert "files up to 1.0\xa0KB are accepted" in response.content.decode()
        assert not Note.objects.exists()
        assert [path for path in media_root.rglob("*") if path.is_file()] == []

    def test_a_program_is_refused(self, as_alice, account):
        response = self._upload(as_alice, account, "setup.pdf", b"MZ" + b"\x90" * 200)

        assert b"Programs cannot be attached." in response.content
        assert not Note.objects.exists()

    def test_another_teams_rep_gets_404_for_the_download(self, as_alice, client, carol, account):
        self._upload(as_alice, account, "offer.pdf", PDF)
        client.force_login(carol)

        assert (
            client.get(reverse("activities:attachment", args=[Note.objects.get().pk])).status_code
            == 404
        )

    def test_the_download_refuses_post(self, as_alice, account):
        self._upload(as_alice, account, "offer.pdf", PDF)

        assert (
            as_alice.post(
                reverse("activities:attachment", args=[Note.objects.get().pk])
            ).status_code
            == 405
        )

    def test_deleting_the_note_deletes_the_file(
        self, as_alice, account, media_root, django_capture_on_commit_callbacks
    ):
        self._upload(as_alice, account, "offer.pdf", PDF)
        note = Note.objects.get()
        path = media_root / note.attachment.name
        assert path.exists()

        with django_capture_on_commit_callbacks(execute=True):
            response = as_alice.post(reverse("activities:note_delete", args=[note.pk]))

        assert response.status_code == 302
        assert not Note.objects.exists()
        assert not path.exists()


class TestNotes:
    def test_the_author_edits_their_note(self, as_alice, account, alice):
        note = services.add_note(regarding=account, user=alice, text="Draft")
        url = reverse("activities:note_edit", args=[note.pk])

        assert as_alice.get(url).status_code == 200
        response = as_alice.post(url, {"text": "Final", "expected_version": 1})

        assert response.status_code == 302
        assert Note.objects.get().text == "Final"

    def test_a_stale_edit_is_refused(self, as_alice, account, alice):
        note = services.add_note(regarding=account, user=alice, text="Draft")
        services.update_note(note=note, user=alice, text="Elsewhere")

        response = as_alice.post(
            reverse("activities:note_edit", args=[note.pk]),
            {"text": "Mine", "expected_version": 1},
        )

        assert b"after you opened it" in response.content
        assert Note.objects.get().text == "Elsewhere"

    def test_a_teammate_cannot_edit_or_delete_someone_elses_note(
        self, client, bob, account, alice
    ):
        note = services.add_note(regarding=account, user=alice, text="Mine")
        client.force_login(bob)

        assert client.get(reverse("activities:note_edit", args=[note.pk])).status_code == 404
        assert client.post(reverse("activities:note_delete", args=[note.pk])).status_code == 404
        assert Note.objects.exists()

    def test_the_authors_team_manager_edits_the_note_from_the_timeline(
        self, client, manager, account, alice
    ):
        note = services.add_note(regarding=account, user=alice, text="Called, no answer")
        client.force_login(manager)
        edit = reverse("activities:note_edit", args=[note.pk])

        assert f'href="{edit}"' in client.get(account.get_absolute_url()).text
        response = client.post(edit, {"text": "Called twice, no answer", "expected_version": 1})

        assert response.status_code == 302
        note.refresh_from_db()
        assert (note.text, note.modified_by) == ("Called twice, no answer", manager)
        assert note.created_by == alice
        # The timeline says who changed a colleague's note.
        page = client.get(account.get_absolute_url()).text
        assert f"edited by {manager} on" in page

    def test_another_teams_manager_cannot_edit_the_note(self, client, account, alice, south):
        from crm.models import SALES_MANAGER_GROUP, Membership
        from crm.tests.factories import MembershipFactory, UserFactory

        note = services.add_note(regarding=account, user=alice, text="Mine")
        other = UserFactory(username="sam", groups=[SALES_MANAGER_GROUP], is_superuser=False)
        MembershipFactory(user=other, team=south, role=Membership.Role.MANAGER)
        client.force_login(other)

        assert client.get(reverse("activities:note_edit", args=[note.pk])).status_code == 404

    def test_delete_needs_post(self, as_alice, account, alice):
        note = services.add_note(regarding=account, user=alice, text="Mine")

        assert as_alice.get(reverse("activities:note_delete", args=[note.pk])).status_code == 405

    def test_note_text_is_escaped_with_line_breaks_and_links(self, as_alice, account, alice):
        services.add_note(
            regarding=account, user=alice, text="<script>x</script>\nsee https://example.com"
        )

        content = as_alice.get(timeline_url(account)).content.decode()

        assert "<script>x</script>" not in content
        assert "&lt;script&gt;x&lt;/script&gt;<br>" in content
        assert '<a href="https://example.com" rel="nofollow">' in content


class TestCompleteAndCancel:
    def test_completing_from_the_timeline_with_htmx(self, as_alice, account, alice):
        task = _task(account, alice)

        response = as_alice.post(reverse("activities:complete", args=[task.pk]), headers=HX)

        assert response.status_code == 200
        assert b'data-testid="timeline-entry"' in response.content
        assert Activity.objects.get().state == Activity.State.COMPLETED

    def test_completing_from_my_activities_returns_the_row(self, as_alice, account, alice):
        task = _task(account, alice)

        response = as_alice.post(
            reverse("activities:complete", args=[task.pk]), {"from": "mine"}, headers=HX
        )

        assert b'data-testid="my-activity"' in response.content
        assert b"Completed" in response.content

    def test_completing_a_logged_call_sends_the_signal(self, as_alice, account, alice):
        call = services.log_activity(
            regarding=account,
            user=alice,
            kind=Activity.Kind.PHONE_CALL,
            data={"subject": "Ring", "direction": "outgoing"},
        )
        received = []

        def receiver(sender, regarding, **kwargs):
            received.append(regarding)

        activity_logged.connect(receiver)
        try:
            as_alice.post(reverse("activities:complete", args=[call.pk]))
        finally:
            activity_logged.disconnect(receiver)

        assert received == [account]

    def test_canceling_without_htmx_redirects_back(self, as_alice, account, alice):
        task = _task(account, alice)

        response = as_alice.post(
            reverse("activities:cancel", args=[task.pk]), {"next": account.get_absolute_url()}
        )

        assert response["Location"] == account.get_absolute_url()
        assert Activity.objects.get().state == Activity.State.CANCELED

    def test_an_outside_next_is_ignored(self, as_alice, account, alice):
        task = _task(account, alice)

        response = as_alice.post(
            reverse("activities:cancel", args=[task.pk]), {"next": "https://evil.example"}
        )

        assert response["Location"] == reverse("activities:mine")

    def test_completing_twice_shows_a_message(self, as_alice, account, alice):
        task = services.complete_activity(activity=_task(account, alice), user=alice)

        response = as_alice.post(reverse("activities:complete", args=[task.pk]), follow=True)

        assert b"This activity is already Completed." in response.content

    def test_another_teams_rep_gets_404(self, as_carol, account, alice):
        task = _task(account, alice)

        assert as_carol.post(reverse("activities:complete", args=[task.pk])).status_code == 404
        assert as_carol.post(reverse("activities:cancel", args=[task.pk])).status_code == 404
        assert Activity.objects.get().state == Activity.State.OPEN

    def test_get_is_not_allowed(self, as_alice, account, alice):
        task = _task(account, alice)

        assert as_alice.get(reverse("activities:complete", args=[task.pk])).status_code == 405


class TestMyActivities:
    def test_open_activities_are_grouped_by_due_date(self, as_alice, account, alice, bob):
        now = timezone.now()
        _task(account, alice, "Late", due_at=now - timezone.timedelta(days=2))
        _task(account, alice, "Tomorrow-ish", due_at=now + timezone.timedelta(days=3))
        _task(account, alice, "Someday")
        services.log_activity(
            regarding=account, user=alice, kind="task", data={"subject": "Bob's"}, owner=bob
        )
        services.complete_activity(activity=_task(account, alice, "Done"), user=alice)

        response = as_alice.get(reverse("activities:mine"))
        groups = {
            key: [a.subject for a in items] for key, _label, items in response.context["groups"]
        }

        assert groups == {
            "overdue": ["Late"],
            "today": [],
            "upcoming": ["Tomorrow-ish", "Someday"],
        }

    def test_due_later_today_counts_as_today(self, client, account, alice, time_machine):
        time_machine.move_to("2030-05-05 09:00Z")
        client.force_login(alice)
        _task(
            account, alice, "This afternoon", due_at=timezone.now() + timezone.timedelta(hours=5)
        )

        response = client.get(reverse("activities:mine"))

        assert [a.subject for a in response.context["groups"][1][2]] == ["This afternoon"]

    @pytest.mark.parametrize("count", [1, 50])
    def test_the_page_takes_the_same_queries_for_1_and_50(
        self, as_alice, account, alice, count, django_assert_num_queries
    ):
        _bulk_activities(account, alice, count)
        # session, user (with its permissions: the navbar's Imports and Reports read them),
        # activities, their accounts (one query per regarding model)
        with django_assert_num_queries(4):
            as_alice.get(reverse("activities:mine"))

    def test_the_navbar_links_to_it(self, as_alice):
        assert reverse("activities:mine").encode() in as_alice.get(reverse("home")).content

    def test_post_is_not_allowed(self, as_alice):
        assert as_alice.post(reverse("activities:mine")).status_code == 405

    def test_it_shows_only_the_users_own(self, as_carol, account, alice):
        _task(account, alice, "Alice's")

        response = as_carol.get(reverse("activities:mine"))

        assert b"Alice&#x27;s" not in response.content


def test_an_account_of_the_other_team_is_never_listed(alice, carol):
    south = AccountFactory(owner_user=carol)
    _task(south, carol, "Secret")

    assert not Activity.objects.visible_to(alice).exists()


def test_an_empty_note_is_refused_with_a_message(as_alice, account):
    response = as_alice.post(add_url(account, "note"), {"text": "  "})

    assert b"Write a note or attach a file." in response.content
    assert not Note.objects.exists()


def test_account_and_contact_pages_show_their_timeline(as_alice, account, alice):
    from activities.tests.factories import ContactFactory

    contact = ContactFactory(owner_user=alice, account=account)
    _task(contact, alice, "Ask about the budget")

    account_page = as_alice.get(account.get_absolute_url()).content.decode()
    contact_page = as_alice.get(contact.get_absolute_url()).content.decode()

    assert 'data-testid="timeline"' in account_page
    assert "Ask about the budget" not in account_page
    assert "Ask about the budget" in contact_page
