import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Contact
from activities import services, timeline
from activities.models import Activity, Note
from activities.tests.factories import ContactFactory


def _log(record, user, subject, kind=Activity.Kind.TASK, **data):
    return services.log_activity(
        regarding=record, user=user, kind=kind, data={"subject": subject, **data}
    )


def _at(obj, minutes_ago):
    """Move a row back in time so the order does not depend on the clock's resolution."""
    type(obj).objects.filter(pk=obj.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=minutes_ago)
    )


@pytest.fixture
def read_through_contacts():
    """An extra source and a read-through, as the leads app registers them."""
    registered = list(timeline._read_throughs.get("accounts.account", []))
    timeline.register_read_through(
        "accounts.account",
        lambda account, user: Contact.objects.filter(account=account),
        "From a contact",
    )
    yield
    # Put back what the apps registered (the leads app reads its leads through on accounts).
    timeline._read_throughs["accounts.account"] = registered


def test_the_timeline_mixes_activities_notes_and_inquiries_newest_first(account, alice):
    task = _log(account, alice, "Send offer")
    note = services.add_note(regarding=account, user=alice, text="Likes blue")
    inquiry = services.add_inquiry(regarding=account, user=alice, data={"title": "Price?"})
    _at(task, 3)
    _at(note, 2)
    _at(inquiry, 1)

    page = timeline.build_timeline(account, alice)

    assert [entry.object for entry in page.entries] == [inquiry, note, task]
    assert [entry.kind for entry in page.entries] == ["inquiry", "note", "task"]
    assert all(entry.origin is None for entry in page.entries)


def test_the_timeline_only_shows_the_records_own_entries(account, alice):
    other = ContactFactory(owner_user=alice)
    _log(other, alice, "Elsewhere")

    assert timeline.build_timeline(account, alice).entries == []


def test_the_timeline_filters_by_kind(account, alice):
    _log(account, alice, "Call", kind=Activity.Kind.PHONE_CALL, direction="incoming")
    _log(account, alice, "Task")
    services.add_note(regarding=account, user=alice, text="n")

    calls = timeline.build_timeline(account, alice, kind="phone_call")
    notes = timeline.build_timeline(account, alice, kind="note")
    unknown = timeline.build_timeline(account, alice, kind="bogus")

    assert [entry.object.subject for entry in calls.entries] == ["Call"]
    assert [entry.kind for entry in notes.entries] == ["note"]
    assert len(unknown.entries) == 3
    assert unknown.kind == ""


def test_the_timeline_is_paginated(account, alice):
    for number in range(25):
        _log(account, alice, f"Task {number}")

    first = timeline.build_timeline(account, alice, per_page=10)
    last = timeline.build_timeline(account, alice, page=3, per_page=10)

    assert first.page.paginator.count == 25
    assert len(first.entries) == 10
    assert len(last.entries) == 5
    assert first.entries[0].object.subject == "Task 24"


def test_a_read_through_shows_related_records_entries_marked(
    account, alice, read_through_contacts
):
    contact = ContactFactory(owner_user=alice, account=account)
    _log(contact, alice, "From before", kind=Activity.Kind.EMAIL, direction="incoming")
    _log(account, alice, "Own task")

    page = timeline.build_timeline(account, alice)

    assert {(entry.object.subject, entry.origin) for entry in page.entries} == {
        ("From before", "From a contact"),
        ("Own task", None),
    }


def test_a_registered_source_joins_the_timeline(account, alice):
    # Stands in for the leads status log: here, notes shown again as a "pinned" kind.
    timeline.register_source(
        timeline.TimelineSource(
            key="pinned",
            label="Pinned",
            rows=lambda model, pks: Note.objects.filter(object_id__in=pks, text__startswith="!"),
            load=lambda pks: Note.objects.filter(pk__in=pks),
            template="activities/entries/note.html",
        )
    )
    try:
        services.add_note(regarding=account, user=alice, text="!important")
        page = timeline.build_timeline(account, alice, kind="pinned")
        assert ("pinned", "Pinned") in timeline.kind_choices()
    finally:
        timeline._sources.pop("pinned")

    assert [entry.kind for entry in page.entries] == ["pinned"]


def test_the_template_tag_renders_the_first_page_and_quick_add_buttons(account, alice):
    _log(account, alice, "Prepare <b>demo</b>")
    request = RequestFactory().get("/")
    request.user = alice

    html = Template("{% load timeline %}{% timeline record %}").render(
        Context({"record": account, "request": request})
    )

    assert 'data-testid="timeline"' in html
    assert "Prepare &lt;b&gt;demo&lt;/b&gt;" in html
    assert f"/activities/timeline/accounts.account/{account.pk}/add/phone_call/" in html
