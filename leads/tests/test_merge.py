"""Merging leads (leads/merge.py on activities/merge.py): everything moves to the master and
nothing is lost, undo restores exactly, edit rights, closed leads, later merges."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.urls import reverse

from accounts.models import Account, Contact
from activities.merge import MergeConflict, MergeForbidden, MergeRefused, later_dependent_merges
from activities.models import Activity, Inquiry, Note, RecordMerge
from activities.services import add_inquiry, add_note, log_activity
from activities.timeline import build_timeline
from crm.errors import DomainError, StaleRecord
from crm.history import history_page
from leads import services
from leads.duplicates import lead_matches
from leads.merge import may_undo, merge_leads, merge_preview, merged_into_master, undo_merge
from leads.models import Lead, LeadLink, State, Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def call(lead, user, subject="Call"):
    return log_activity(
        regarding=lead,
        user=user,
        kind=Activity.Kind.PHONE_CALL,
        data={"subject": subject, "direction": Activity.Direction.OUTGOING},
    )


def note_with_file(lead, user):
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.4 offer", content_type="application/pdf")
    return add_note(
        regarding=lead, user=user, text="The offer", upload=upload, content_type="application/pdf"
    )


def where(model, pks):
    """{pk: the id of the record each item hangs off}."""
    return dict(model.objects.filter(pk__in=pks).values_list("pk", "object_id"))


@pytest.fixture
def three(alice):
    """A master and two duplicates, each with an activity, a note with a file, an inquiry and
    links; two link the same account (no duplicate link may come of it)."""
    account = Account.objects.create(name="Fabrikam A/S", owner=alice)
    other_account = Account.objects.create(name="Northwind", owner=alice)
    contact = Contact.objects.create(last_name="Hansen", owner=alice)
    master = make_lead(owner=alice, first_name="Anna", mobile_phone="")
    second = make_lead(owner=alice, first_name="Ann", mobile_phone="+45 20 30 40 50")
    third = make_lead(owner=alice, first_name="A.", city="Aarhus")
    for lead in (master, second, third):
        call(lead, alice, subject=f"Call {lead.pk}")
        note_with_file(lead, alice)
        add_inquiry(regarding=lead, user=alice, data={"title": f"Inquiry {lead.pk}"})
    services.associate_lead(lead=master, user=alice, account=account)
    services.associate_lead(lead=second, user=alice, account=account)  # the master's twin
    services.associate_lead(lead=second, user=alice, account=other_account)
    services.associate_lead(lead=third, user=alice, contact=contact)
    return master, second, third


def test_merging_three_leads_puts_everything_on_the_master_and_loses_nothing(alice, three):
    master, second, third = three
    counts_before = (Activity.objects.count(), Note.objects.count(), Inquiry.objects.count())
    links_before = LeadLink.objects.count()

    merge = merge_leads(
        user=alice,
        master=master,
        others=[second, third],
        take={"mobile_phone": second.pk, "city": third.pk},
        versions={master.pk: master.version, second.pk: second.version},
    )

    master.refresh_from_db()
    assert (Activity.objects.count(), Note.objects.count(), Inquiry.objects.count()) == (
        counts_before
    )
    for model in (Activity, Note, Inquiry):
        assert model.objects.regarding(master).count() == 3
        assert not model.objects.regarding(second).exists()
        assert not model.objects.regarding(third).exists()
    # The files stay, on the master's notes.
    assert all(note.attachment for note in Note.objects.regarding(master))
    # Links: the twin link stays on its lead (no duplicate), the others move.
    assert LeadLink.objects.count() == links_before
    master_links = set(master.links.values_list("account__name", "contact__last_name"))
    assert master_links == {("Fabrikam A/S", None), ("Northwind", None), (None, "Hansen")}
    assert second.links.count() == 1  # the twin of the master's link to Fabrikam
    # Values taken from where they were asked for; the rest are the master's.
    assert (master.mobile_phone, master.city, master.first_name) == (
        "+45 20 30 40 50",
        "Aarhus",
        "Anna",
    )
    assert merge.fields["mobile_phone"] == {"from": second.pk, "old": "", "new": "+45 20 30 40 50"}
    assert merge.counts() == {"activities": 2, "notes": 2, "inquiries": 2, "links": 2}
    # The others: Disqualified / Canceled, read-only, pointing to the master.
    for lead in (second, third):
        lead.refresh_from_db()
        assert (lead.state, lead.status, lead.merged_into_id) == (
            State.DISQUALIFIED,
            Status.CANCELED,
            master.pk,
        )
        assert lead.status_changes.order_by("-pk").first().reason == f"Merged into #{master.pk}"
        with pytest.raises(DomainError):
            services.reactivate_lead(lead=lead, user=alice)
    assert list(merged_into_master(master)) == [second, third]


def test_undo_restores_the_exact_state_before(alice, three):
    master, second, third = three
    items = [*Activity.objects.all(), *Note.objects.all(), *Inquiry.objects.all()]
    hung_before = {(type(item), item.pk): item.object_id for item in items}
    links_before = set(LeadLink.objects.values_list("pk", "lead_id", "account_id", "contact_id"))
    leads_before = {
        lead.pk: (lead.state, lead.status, lead.mobile_phone, lead.city, lead.merged_into_id)
        for lead in Lead.objects.all()
    }
    merge = merge_leads(
        user=alice,
        master=master,
        others=[second, third],
        take={"mobile_phone": second.pk, "city": third.pk},
    )
    assert may_undo(alice, merge)

    undo_merge(user=alice, merge=merge)

    assert {
        (type(item), item.pk): type(item).objects.get(pk=item.pk).object_id for item in items
    } == hung_before
    assert set(LeadLink.objects.values_list("pk", "lead_id", "account_id", "contact_id")) == (
        links_before
    )
    assert {
        lead.pk: (lead.state, lead.status, lead.mobile_phone, lead.city, lead.merged_into_id)
        for lead in Lead.objects.all()
    } == leads_before
    merge.refresh_from_db()
    assert merge.undone_by == alice and merge.undone_at is not None
    assert not may_undo(alice, merge)
    with pytest.raises(MergeConflict):
        undo_merge(user=alice, merge=merge)
    # The reactivated leads are open and editable again; the undo is in the status log.
    second.refresh_from_db()
    assert second.status_changes.order_by("-pk").first().reason == f"Unmerged from #{master.pk}"
    services.update_lead(lead=second, user=alice, data={"city": "Odense"})


def test_the_master_shows_the_merge_and_its_undo_on_timeline_and_history(alice, three):
    master, second, third = three
    merge = merge_leads(user=alice, master=master, others=[second])
    kinds = [entry.kind for entry in build_timeline(master, alice).entries]
    assert "merge" in kinds
    reasons = [entry.reason for entry in history_page(master, user=alice).entries]
    assert reasons[0] == f"Merged with #{second.pk}"

    undo_merge(user=alice, merge=merge)
    master.refresh_from_db()
    kinds = [entry.kind for entry in build_timeline(master, alice).entries]
    assert "merge_undone" in kinds
    reasons = [entry.reason for entry in history_page(master, user=alice).entries]
    assert reasons[0] == f"Merge with #{second.pk} undone"


def test_merging_leads_of_another_team_without_edit_rights_is_refused(alice, carol):
    master = make_lead(owner=alice)
    theirs = make_lead(owner=carol)
    call(theirs, carol)
    with pytest.raises(MergeForbidden):
        merge_leads(user=alice, master=master, others=[theirs])
    theirs.refresh_from_db()
    assert theirs.merged_into_id is None and theirs.is_open
    assert Activity.objects.regarding(theirs).count() == 1
    assert not RecordMerge.objects.exists()


def test_a_qualified_lead_merged_into_an_open_one_keeps_its_state_and_qualification(alice):
    master = make_lead(owner=alice)
    qualified = make_lead(owner=alice, email="other@fabrikam.example")
    call(qualified, alice)
    services.qualify_lead(
        lead=qualified,
        user=alice,
        create_account=True,
        create_contact=True,
        create_opportunity=False,
    )
    qualified.refresh_from_db()
    qualification = qualified.qualifications.get()
    log = list(qualified.status_changes.values_list("pk", flat=True))

    merge_leads(user=alice, master=master, others=[qualified])

    qualified.refresh_from_db()
    assert (qualified.state, qualified.status) == (State.QUALIFIED, Status.QUALIFIED)
    assert qualified.merged_into == master
    assert list(qualified.qualifications.all()) == [qualification]
    assert list(qualified.status_changes.values_list("pk", flat=True)) == log
    assert Activity.objects.regarding(master).count() == 1
    # A closed lead is never the master.
    with pytest.raises(MergeRefused):
        merge_leads(user=alice, master=qualified, others=[make_lead(owner=alice)])


def test_a_later_merge_blocks_undo_until_it_is_undone(alice, admin_user, bob):
    first, second, third = (make_lead(owner=alice) for _ in range(3))
    earlier = merge_leads(user=alice, master=first, others=[second])
    later = merge_leads(user=alice, master=first, others=[third])
    assert later_dependent_merges(earlier) == [later]
    assert not may_undo(alice, earlier)
    with pytest.raises(MergeConflict):
        undo_merge(user=alice, merge=earlier)
    assert not may_undo(bob, later)  # neither an administrator nor the one who merged
    with pytest.raises(MergeForbidden):
        undo_merge(user=bob, merge=later)
    undo_merge(user=admin_user, merge=later)
    undo_merge(user=alice, merge=earlier)
    assert not Lead.objects.filter(merged_into__isnull=False).exists()


def test_refusals(alice):
    master, other = make_lead(owner=alice), make_lead(owner=alice)
    with pytest.raises(MergeRefused):
        merge_leads(user=alice, master=master, others=[])
    with pytest.raises(MergeRefused):
        merge_leads(user=alice, master=master, others=[master])
    with pytest.raises(MergeRefused):
        merge_leads(user=alice, master=master, others=[make_lead(owner=alice) for _ in range(3)])
    with pytest.raises(MergeRefused):
        merge_leads(user=alice, master=master, others=[other], take={"state": other.pk})
    with pytest.raises(MergeRefused):
        merge_leads(user=alice, master=master, others=[other], take={"city": 999999})
    with pytest.raises(StaleRecord):
        merge_leads(user=alice, master=master, others=[other], versions={other.pk: 0})
    merge_leads(user=alice, master=master, others=[other])
    with pytest.raises(MergeConflict):
        merge_leads(user=alice, master=make_lead(owner=alice), others=[other])


def test_merged_leads_are_no_longer_offered_as_duplicates(alice):
    master = make_lead(owner=alice)
    twin = make_lead(owner=alice)
    data = {"email": master.email}
    assert {match.record.pk for match in lead_matches(user=alice, data=data)} == {
        master.pk,
        twin.pk,
    }
    merge_leads(user=alice, master=master, others=[twin])
    assert [match.record.pk for match in lead_matches(user=alice, data=data)] == [master.pk]


def test_the_preview_says_what_would_move_and_writes_nothing(alice, three):
    master, second, third = three
    preview = merge_preview(user=alice, master=master, others=[second, third])
    moves = {move["key"]: move["count"] for move in preview["moves"]}
    assert moves["activities"] == 2 and moves["notes"] == 2 and moves["links"] == 3
    first_name = next(field for field in preview["fields"] if field["name"] == "first_name")
    assert [value["value"] for value in first_name["values"]] == ["Anna", "Ann", "A."]
    assert first_name["differs"]
    assert not RecordMerge.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_merges_of_overlapping_leads_leave_a_consistent_result(alice):
    """Two merges of the same lead into two masters at once: one wins, the other is refused,
    and every item hangs off exactly one lead that is not merged."""
    first, shared, third = (make_lead(owner=alice) for _ in range(3))
    for lead in (first, shared, third):
        call(lead, alice)
    barrier = threading.Barrier(2)
    outcomes = []

    def merge(master_pk, other_pk):
        try:
            barrier.wait()
            merge_leads(
                user=alice,
                master=Lead.objects.get(pk=master_pk),
                others=[Lead.objects.get(pk=other_pk)],
            )
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(type(error).__name__)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(first.pk, shared.pk)),
        threading.Thread(target=merge, args=(third.pk, shared.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["MergeConflict", "ok"]
    assert RecordMerge.objects.count() == 1
    merged = Lead.objects.filter(merged_into__isnull=False)
    assert merged.count() == 1
    (lost,) = merged
    assert lost.pk == shared.pk and lost.merged_into_id in (first.pk, third.pk)
    assert not Activity.objects.regarding(lost).exists()
    winner = Lead.objects.get(pk=lost.merged_into_id)
    assert Activity.objects.regarding(winner).count() == 2
    assert Activity.objects.count() == 3


def test_the_master_page_shows_the_merge_and_its_undo_in_a_fixed_number_of_queries(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    master = make_lead(owner=alice)
    merge = merge_leads(user=alice, master=master, others=[make_lead(owner=alice)])
    undo_merge(user=alice, merge=merge)
    client.force_login(alice)
    url = reverse("activities:timeline", args=["leads.lead", master.pk])
    client.get(url, HTTP_HX_REQUEST="true")  # warms the content-type cache
    with CaptureQueriesContext(connection) as one:
        response = client.get(url, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'data-testid="merge-entry"' in content
    assert 'data-testid="merge-undone-entry"' in content
    for _more in range(4):
        merge_leads(user=alice, master=master, others=[make_lead(owner=alice)])
    with CaptureQueriesContext(connection) as five:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.content.decode().count('data-testid="merge-entry"') == 5
    # One query loads the page's merges, one its undone merges, however many there are, and
    # one each the names of their merged records.
    assert len(five) == len(one) <= 11
    history = client.get(reverse("leads:history", args=[master.pk])).content.decode()
    assert "Merged with #" in history and "undone" in history


def test_the_master_takes_the_first_contact_with_the_calls_and_gives_it_back(alice):
    master = make_lead(owner=alice)
    contacted = make_lead(owner=alice)
    services.mark_lead_contacted(lead=contacted, user=alice)
    services.record_first_contact(lead=contacted, at=contacted.created_at)
    contacted.refresh_from_db()
    assert contacted.reached_contacted and contacted.first_contact_at

    merge = merge_leads(user=alice, master=master, others=[contacted])

    master.refresh_from_db()
    assert master.first_contact_at == contacted.first_contact_at and master.reached_contacted
    undo_merge(user=alice, merge=merge)
    master.refresh_from_db()
    assert master.first_contact_at is None and not master.reached_contacted


def test_the_timeline_names_the_merged_lead_and_counts_only_values_really_taken(client, alice):
    from activities.merge import taken_count

    master = make_lead(owner=alice, city="Aarhus", country="Denmark")
    other = make_lead(
        owner=alice,
        first_name="Ida",
        last_name="Holm",
        company_name="Holm A/S",
        city="Odense",
        country="Denmark",
    )
    # country: the same value in both, so nothing is taken from the other lead
    merge = merge_leads(
        user=alice, master=master, others=[other], take={"city": other.pk, "country": other.pk}
    )
    assert taken_count(merge) == 1
    client.force_login(alice)
    response = client.get(
        reverse("activities:timeline", args=["leads.lead", master.pk]), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert "Ida Holm (Holm A/S) merged into this record" in content
    assert "1 value taken" in content and f"#{other.pk}" not in content
    # a later merge into the same master depends on this one, found by one query
    later = merge_leads(user=alice, master=master, others=[make_lead(owner=alice)])
    assert later_dependent_merges(merge) == [later]
    assert later_dependent_merges(later) == []
