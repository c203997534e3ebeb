"""Adding an activity, a note (a file) or an inquiry to a record (Dynamics' Append To): the
user of a read share is refused and offered no forms; a write share may add, and so may the
owner's teammates (activities/tests/test_views.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities import services
from activities.models import Activity, Inquiry, Note
from crm.models import Share
from crm.services import share_record

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADDS = {
    "note": {"text": "Sneaked in"},
    "phone_call": {"subject": "Called", "direction": "outgoing", "priority": 1},
    "task": {"subject": "Follow up", "priority": 1},
    "inquiry": {"title": "Bulk discount?", "channel": "web", "priority": 1},
}


def add_url(record, kind):
    return reverse("activities:quick_add", args=[record._meta.label_lower, record.pk, kind])


def timeline_url(record):
    return reverse("activities:timeline", args=[record._meta.label_lower, record.pk])


def _nothing_stored():
    return not (Activity.objects.exists() or Note.objects.exists() or Inquiry.objects.exists())


@pytest.fixture
def read_share(account, alice, carol):
    return share_record(record=account, by=alice, user=carol, access=Share.Access.READ)


class TestAReadShare:
    @pytest.mark.parametrize("kind", list(ADDS))
    def test_its_user_sees_the_record_but_may_not_add_to_it(self, client, account, carol, kind):
        share_record(record=account, by=account.owner, user=carol)
        client.force_login(carol)
        assert client.get(account.get_absolute_url()).status_code == 200

        assert client.get(add_url(account, kind)).status_code == 403
        assert client.post(add_url(account, kind), ADDS[kind]).status_code == 403
        assert client.post(add_url(account, kind), ADDS[kind], headers=HX).status_code == 403
        assert _nothing_stored()

    def test_no_attachment_is_stored_either(self, client, account, carol, read_share, media_root):
        client.force_login(carol)
        upload = SimpleUploadedFile("offer.pdf", PDF, content_type="application/pdf")

        response = client.post(add_url(account, "note"), {"text": "", "attachment": upload})

        assert response.status_code == 403
        assert not Note.objects.exists()
        assert not media_root.exists() or not any(media_root.rglob("*.pdf"))

    def test_the_page_offers_no_forms(self, client, account, carol, read_share):
        client.force_login(carol)

        for url in (account.get_absolute_url(), timeline_url(account)):
            content = client.get(url).content.decode()
            assert 'data-testid="timeline"' in content
            assert 'data-testid="quick-add-' not in content, url
            assert add_url(account, "note") not in content, url

    def test_the_service_refuses_too(self, account, carol, read_share):
        with pytest.raises(PermissionDenied):
            services.add_note(regarding=account, user=carol, text="Sneaked in")
        with pytest.raises(PermissionDenied):
            services.log_activity(
                regarding=account, user=carol, kind="task", data={"subject": "Sneaked in"}
            )
        with pytest.raises(PermissionDenied):
            services.add_inquiry(regarding=account, user=carol, data={"title": "Sneaked in"})
        assert _nothing_stored()


class TestAWriteShare:
    @pytest.mark.parametrize("kind", list(ADDS))
    def test_its_user_may_add(self, client, account, alice, carol, kind):
        share_record(record=account, by=alice, user=carol, access=Share.Access.WRITE)
        client.force_login(carol)
        assert client.get(add_url(account, kind)).status_code == 200

        response = client.post(add_url(account, kind), ADDS[kind])

        assert response.status_code == 302
        assert not _nothing_stored()

    def test_the_page_offers_the_forms(self, client, account, alice, carol):
        share_record(record=account, by=alice, user=carol, access=Share.Access.WRITE)
        client.force_login(carol)

        content = client.get(account.get_absolute_url()).content.decode()

        assert 'data-testid="quick-add-note"' in content


def test_the_owner_is_offered_the_forms(as_alice, account):
    content = as_alice.get(account.get_absolute_url()).content.decode()

    assert 'data-testid="quick-add-note"' in content
    assert as_alice.post(add_url(account, "note"), ADDS["note"]).status_code == 302


class TestTheApi:
    def test_a_read_share_may_not_add_a_note(self, client, account, carol, read_share):
        client.force_login(carol)
        body = {"regarding": {"type": "account", "id": account.pk}, "text": "Sneaked in"}

        response = client.post(reverse("api:note-list"), body, content_type="application/json")

        assert response.status_code == 403
        assert "detail" in response.json()
        assert not Note.objects.exists()

    def test_a_write_share_may(self, client, account, alice, carol):
        share_record(record=account, by=alice, user=carol, access=Share.Access.WRITE)
        client.force_login(carol)
        body = {"regarding": {"type": "account", "id": account.pk}, "text": "Met them"}

        response = client.post(reverse("api:note-list"), body, content_type="application/json")

        assert response.status_code == 201
        assert Note.objects.get().created_by == carol


def test_a_read_share_of_a_lead_offers_no_quick_actions_and_a_call_that_logs_nothing(
    client, alice, carol
):
    from leads.tests.factories import make_lead

    lead = make_lead(owner=alice, mobile_phone="+45 20 30 40 50")
    share_record(record=lead, by=alice, user=carol, access=Share.Access.READ)
    client.force_login(carol)

    content = client.get(lead.get_absolute_url()).content.decode()

    assert 'data-testid="call-button"' in content  # the number still dials
    assert "data-call-log" not in content
    assert add_url(lead, "note") not in content and add_url(lead, "email") not in content
    client.force_login(alice)
    own = client.get(lead.get_absolute_url()).content.decode()
    assert "data-call-log" in own and add_url(lead, "note") in own
