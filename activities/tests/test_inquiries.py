"""Customer inquiries are resolved or canceled (Dynamics' incident resolution): a guarded
transition under a row lock, from the timeline entry, by whoever may edit the record."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from activities import services, timeline
from activities.models import Inquiry
from crm.errors import DomainError

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _inquiry(record, user, title="Do you ship to Norway?"):
    return services.add_inquiry(regarding=record, user=user, data={"title": title})


def resolve_url(inquiry):
    return reverse("activities:inquiry_resolve", args=[inquiry.pk])


def cancel_url(inquiry):
    return reverse("activities:inquiry_cancel", args=[inquiry.pk])


class TestServices:
    def test_resolve_stores_the_resolution_and_the_time(self, account, alice, bob):
        inquiry = _inquiry(account, alice)

        resolved = services.resolve_inquiry(inquiry=inquiry, user=bob, resolution="  Yes, we do ")

        inquiry.refresh_from_db()
        assert (inquiry.state, inquiry.resolution) == (Inquiry.State.RESOLVED, "Yes, we do")
        assert inquiry.closed_at is not None
        assert (inquiry.version, inquiry.modified_by) == (2, bob)
        assert resolved.version == 2

    def test_cancel(self, account, alice):
        inquiry = services.cancel_inquiry(inquiry=_inquiry(account, alice), user=alice)

        assert Inquiry.objects.get().state == Inquiry.State.CANCELED
        assert inquiry.closed_at is not None

    @pytest.mark.parametrize("first", ["resolve_inquiry", "cancel_inquiry"])
    @pytest.mark.parametrize("second", ["resolve_inquiry", "cancel_inquiry"])
    def test_only_an_active_inquiry_is_closed(self, account, alice, first, second):
        inquiry = _inquiry(account, alice)
        getattr(services, first)(inquiry=inquiry, user=alice)
        closed = Inquiry.objects.get()

        # The stale instance (still "active" in memory) is refused too: the lock re-reads it.
        with pytest.raises(DomainError, match="This inquiry is already"):
            getattr(services, second)(inquiry=inquiry, user=alice)

        assert Inquiry.objects.get().state == closed.state
        assert Inquiry.objects.get().version == 2

    def test_the_history_records_the_resolution(self, account, alice):
        inquiry = services.resolve_inquiry(inquiry=_inquiry(account, alice), user=alice)

        assert [h.state for h in inquiry.history.order_by("history_date")] == [
            "active",
            "resolved",
        ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_resolving_at_once_close_it_once(alice, bob):
    from activities.tests.factories import AccountFactory

    account = AccountFactory(owner_user=alice)
    inquiry = _inquiry(account, alice)
    barrier = threading.Barrier(2)
    outcomes = []

    def close(user, service):
        try:
            barrier.wait()
            service(inquiry=inquiry, user=user)
            outcomes.append("closed")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=close, args=(alice, services.resolve_inquiry)),
        threading.Thread(target=close, args=(bob, services.cancel_inquiry)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["closed", "refused"]
    assert Inquiry.objects.get().version == 2


class TestTimelineButtons:
    def test_whoever_may_edit_the_record_sees_the_buttons(self, client, account, alice, manager):
        _inquiry(account, alice)
        for user in (alice, manager):  # the owner, and her manager who may edit her account
            client.force_login(user)
            content = client.get(account.get_absolute_url()).content.decode()
            assert 'data-testid="inquiry-actions"' in content, user
            assert "Resolve" in content

    def test_a_teammate_who_only_sees_the_record_gets_no_buttons(self, client, account, bob):
        _inquiry(account, account.owner)
        client.force_login(bob)

        content = client.get(account.get_absolute_url()).content.decode()

        assert "Do you ship to Norway?" in content
        assert 'data-testid="inquiry-actions"' not in content

    def test_a_closed_inquiry_has_no_buttons(self, as_alice, account, alice):
        services.resolve_inquiry(inquiry=_inquiry(account, alice), user=alice, resolution="Done")

        content = as_alice.get(account.get_absolute_url()).content.decode()

        assert 'data-testid="inquiry-actions"' not in content
        assert 'data-testid="inquiry-resolution"' in content

    def test_the_buttons_add_no_query(self, as_alice, account, alice, django_assert_num_queries):
        for number in range(5):
            _inquiry(account, alice, title=f"Inquiry {number}")
        url = reverse("activities:timeline", args=[account._meta.label_lower, account.pk])
        as_alice.get(url, headers=HX)
        # session, user, administrator?, the user's teams (visible_to), the account, COUNT,
        # the page, the inquiries (with the "may edit" subquery)
        with django_assert_num_queries(7):
            response = as_alice.get(url, headers=HX)
        assert response.content.count(b'data-testid="inquiry-actions"') == 5

    def test_the_annotation_follows_edit_rights(self, account, alice, bob):
        inquiry = _inquiry(account, alice)

        [mine] = timeline.build_timeline(account, alice).entries
        [theirs] = timeline.build_timeline(account, bob).entries

        assert mine.object == theirs.object == inquiry
        assert (mine.object.user_can_edit, theirs.object.user_can_edit) == (True, False)


class TestViews:
    def test_resolving_with_htmx_swaps_the_entry(self, as_alice, account, alice):
        inquiry = _inquiry(account, alice)

        response = as_alice.post(
            resolve_url(inquiry), {"resolution": "Sent the price list"}, headers=HX
        )

        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-testid="timeline-entry"' in content
        assert "Resolved" in content and "Sent the price list" in content
        assert 'data-testid="inquiry-actions"' not in content
        assert Inquiry.objects.get().state == Inquiry.State.RESOLVED

    def test_a_read_through_entry_keeps_its_mark(self, as_alice, account, alice):
        inquiry = _inquiry(account, alice)

        response = as_alice.post(cancel_url(inquiry), {"origin": "From the lead"}, headers=HX)

        assert b'data-testid="timeline-origin"' in response.content

    def test_canceling_without_htmx_redirects_to_the_record(self, as_alice, account, alice):
        inquiry = _inquiry(account, alice)

        response = as_alice.post(cancel_url(inquiry))

        assert response["Location"] == account.get_absolute_url()
        assert Inquiry.objects.get().state == Inquiry.State.CANCELED

    def test_closing_twice_shows_the_message(self, as_alice, account, alice):
        inquiry = services.cancel_inquiry(inquiry=_inquiry(account, alice), user=alice)

        response = as_alice.post(resolve_url(inquiry), headers=HX)
        assert "This inquiry is already Canceled." in response.content.decode()
        response = as_alice.post(resolve_url(inquiry), follow=True)
        assert "This inquiry is already Canceled." in response.content.decode()
        assert Inquiry.objects.get().state == Inquiry.State.CANCELED

    def test_a_teammate_who_may_not_edit_and_another_team_get_404(
        self, client, account, alice, bob, carol
    ):
        inquiry = _inquiry(account, alice)
        for user in (bob, carol):
            client.force_login(user)
            assert client.post(resolve_url(inquiry)).status_code == 404
            assert client.post(cancel_url(inquiry)).status_code == 404
        assert Inquiry.objects.get().state == Inquiry.State.ACTIVE

    def test_get_is_not_allowed(self, as_alice, account, alice):
        inquiry = _inquiry(account, alice)

        assert as_alice.get(resolve_url(inquiry)).status_code == 405
        assert as_alice.get(cancel_url(inquiry)).status_code == 405
