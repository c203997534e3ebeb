"""A record merged into another is read-only (Dynamics keeps it pointing to its master): no
activity, note, inquiry, owner change, share or link on it, by service, API or page."""

import pytest

from accounts.merge import merge_contacts
from accounts.models import Account, Contact
from activities.merge import MergeConflict
from activities.models import Activity
from activities.services import add_inquiry, add_note, log_activity
from crm.errors import DomainError
from crm.models import Share
from crm.services import share_record
from leads import services
from leads.merge import merge_leads, undo_merge
from leads.models import Lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_the_write_scopes_leave_out_a_merged_lead_and_visibility_keeps_it(
    merged, alice, admin_user
):
    master, other, _merge = merged
    for user in (alice, admin_user):
        for scope in ("editable_by", "appendable_by", "assignable_by"):
            assert list(
                getattr(Lead.objects, scope)(user).filter(pk__in=[master.pk, other.pk])
            ) == [master]
        assert Lead.objects.visible_to(user).filter(pk=other.pk).exists()


def test_the_write_scopes_still_count_and_narrow_to_own(merged, alice):
    master, _other, _merge = merged
    assert Lead.objects.editable_by(alice).count_up_to(10) == 1
    assert list(Lead.objects.editable_by(alice).own(alice)) == [master]


def test_merging_a_merged_lead_again_is_a_conflict_not_a_refusal(merged, alice):
    master, other, _merge = merged
    third = make_lead(owner=alice)
    with pytest.raises(MergeConflict, match="merged"):
        merge_leads(user=alice, master=third, others=[other])


@pytest.mark.parametrize("add", ["activity", "note", "inquiry"])
def test_nothing_is_added_to_a_merged_lead(merged, alice, add):
    _master, other, _merge = merged
    with pytest.raises(DomainError, match="read-only"):
        if add == "activity":
            log_activity(
                regarding=other, user=alice, kind=Activity.Kind.PHONE_CALL, data={"subject": "x"}
            )
        elif add == "note":
            add_note(regarding=other, user=alice, text="x")
        else:
            add_inquiry(regarding=other, user=alice, data={"title": "x"})


def test_a_merged_lead_is_not_assigned_shared_or_linked(merged, alice, bob):
    _master, other, _merge = merged
    account = Account.objects.create(name="Fabrikam", owner=alice)
    with pytest.raises(DomainError, match="read-only"):
        services.assign_lead(lead=other, user=alice, owner=bob)
    with pytest.raises(DomainError, match="read-only"):
        share_record(record=other, by=alice, user=bob)
    with pytest.raises(DomainError, match="read-only"):
        services.associate_lead(lead=other, user=alice, account=account)


def test_no_lead_is_linked_to_a_merged_contact(alice):
    master = Contact.objects.create(last_name="Hansen", owner=alice)
    other = Contact.objects.create(last_name="Hansen", owner=alice)
    merge_contacts(user=alice, master=master, others=[other])
    other.refresh_from_db()
    with pytest.raises(DomainError, match="read-only"):
        services.associate_lead(lead=make_lead(owner=alice), user=alice, contact=other)
    with pytest.raises(DomainError, match="read-only"):
        add_note(regarding=other, user=alice, text="x")


def test_undo_makes_the_lead_writable_again(merged, alice, bob):
    _master, other, merge = merged
    undo_merge(user=alice, merge=merge)
    other.refresh_from_db()
    assert Lead.objects.editable_by(alice).filter(pk=other.pk).exists()


def test_the_page_of_a_merged_lead_offers_no_writes_and_links_the_master(merged, as_alice):
    master, other, _merge = merged
    content = as_alice.get(f"/leads/{other.pk}/").content.decode()
    assert 'data-testid="merged-into"' in content and f"/leads/{master.pk}/" in content
    for offered in (
        f"/activities/timeline/leads.lead/{other.pk}/add/",
        f"/leads/{other.pk}/assign/",
        'data-testid="share-record"',
        f"/leads/{other.pk}/links/",
    ):
        assert offered not in content
    master_page = as_alice.get(f"/leads/{master.pk}/").content.decode()
    assert f"/activities/timeline/leads.lead/{master.pk}/add/" in master_page
    assert (
        f"/leads/{master.pk}/assign/" in master_page
        and 'data-testid="share-record"' in master_page
    )


def test_a_share_posted_on_a_merged_lead_is_refused_with_a_message(merged, as_alice, bob):
    _master, other, _merge = merged
    response = as_alice.post(f"/share/lead/{other.pk}/", {"user": bob.pk, "access": "read"})
    assert response.status_code == 302
    assert not Share.objects.exists()


def test_changing_a_merged_lead_or_contact_is_a_403_that_says_merged_and_links_the_master(
    merged, as_alice, alice
):
    master, other, _merge = merged
    add_note_page = f"/activities/timeline/leads.lead/{other.pk}/add/note/"
    for address in (f"/leads/{other.pk}/edit/", add_note_page):
        response = as_alice.get(address, HTTP_REFERER=f"http://testserver/leads/{other.pk}/")
        content = response.content.decode()
        assert response.status_code == 403, address
        assert "was merged into" in content and "read-only" in content
        assert f'href="/leads/{master.pk}/" data-testid="denied-way-on"' in content
        assert f'href="http://testserver/leads/{other.pk}/" data-testid="denied-back"' in content
    contact_master = Contact.objects.create(last_name="Hansen", owner=alice)
    contact = Contact.objects.create(last_name="Hansen", owner=alice)
    merge_contacts(user=alice, master=contact_master, others=[contact])
    response = as_alice.get(f"/accounts/contacts/{contact.pk}/edit/")
    assert response.status_code == 403
    assert contact_master.get_absolute_url() in response.content.decode()
    # Another site's address is never offered as the way back.
    response = as_alice.get(f"/leads/{other.pk}/edit/", HTTP_REFERER="https://evil.example/")
    assert 'data-testid="denied-back"' not in response.content.decode()


def test_another_teams_merged_lead_stays_a_404(merged, as_carol):
    _master, other, _merge = merged
    assert as_carol.get(f"/leads/{other.pk}/edit/").status_code == 404
