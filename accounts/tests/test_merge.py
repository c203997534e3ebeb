"""Merging contacts and accounts (accounts/merge.py): opportunities move through the
registry the opportunities app fills, child records move, undo puts everything back."""

import pytest

from accounts.duplicates import account_matches, contact_matches
from accounts.merge import merge_accounts, merge_contacts, undo_merge
from accounts.models import Account, Contact
from accounts.services import activate_customer, update_customer
from accounts.tests.factories import AccountFactory, ContactFactory
from activities.merge import MergeForbidden, MergeRefused
from activities.models import Activity
from activities.services import log_activity
from crm.errors import DomainError
from leads import services as lead_services
from leads.models import LeadLink
from leads.tests.factories import make_lead
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def task(record, user):
    return log_activity(
        regarding=record, user=user, kind=Activity.Kind.TASK, data={"subject": "Follow up"}
    )


def test_merging_accounts_moves_opportunities_contacts_children_and_links(alice):
    master = AccountFactory(name="Fabrikam A/S", owner_user=alice)
    other = AccountFactory(name="Fabrikam", owner_user=alice, phone="+45 33 88 11 00")
    deal = OpportunityFactory(owner_user=alice, account=other, topic="Laptops")
    person = ContactFactory(owner_user=alice, account=other)
    child = AccountFactory(name="Fabrikam Aarhus", owner_user=alice, parent_account=other)
    lead = make_lead(owner=alice, existing_account=other)
    lead_services.associate_lead(lead=lead, user=alice, account=other)
    work = task(other, alice)

    merge = merge_accounts(user=alice, master=master, others=[other], take={"phone": other.pk})

    for record in (deal, person, child, lead, work):
        record.refresh_from_db()
    assert deal.account == master and "fabrikam a/s" in deal.search_text.lower()
    assert person.account == master
    assert child.parent_account == master
    assert lead.existing_account == master
    assert LeadLink.objects.get(lead=lead).account == master
    assert work.object_id == master.pk
    master.refresh_from_db()
    other.refresh_from_db()
    assert master.phone == "+45 33 88 11 00"
    assert (other.is_active, other.merged_into) == (False, master)
    assert merge.counts() == {
        "activities": 1,
        "contacts": 1,
        "child_accounts": 1,
        "opportunities": 1,
        "lead_links": 1,
        "customer_leads": 1,
    }
    # Read-only, and no longer a duplicate of its master.
    with pytest.raises(DomainError):
        activate_customer(record=other, user=alice)
    with pytest.raises(DomainError):
        update_customer(record=other, user=alice, data={"city": "Odense"}, expected_version=None)
    found = account_matches(user=alice, name="Fabrikam")
    assert other.pk not in {match.record.pk for match in found}

    undo_merge(user=alice, merge=merge)

    for record in (deal, person, child, lead, work, master, other):
        record.refresh_from_db()
    assert deal.account == other and person.account == other and child.parent_account == other
    assert lead.existing_account == other and work.object_id == other.pk
    assert LeadLink.objects.get(lead=lead).account == other
    assert (other.is_active, other.merged_into, master.phone) == (True, None, "")


def test_merging_contacts_moves_their_opportunities_and_contact_person_roles(alice):
    master = ContactFactory(owner_user=alice, last_name="Hansen")
    other = ContactFactory(owner_user=alice, last_name="Hansen")
    own = OpportunityFactory(owner_user=alice, contact=other)
    account = AccountFactory(owner_user=alice)
    as_person = OpportunityFactory(owner_user=alice, account=account, parent_contact=other)
    lead = make_lead(owner=alice)
    lead_services.associate_lead(lead=lead, user=alice, contact=master)
    lead_services.associate_lead(lead=lead, user=alice, contact=other)  # a twin: stays

    merge = merge_contacts(user=alice, master=master, others=[other])

    own.refresh_from_db()
    as_person.refresh_from_db()
    assert own.contact == master and as_person.parent_contact == master
    assert LeadLink.objects.filter(lead=lead, contact=master).count() == 1
    assert LeadLink.objects.filter(lead=lead, contact=other).count() == 1
    assert merge.counts() == {"opportunities": 1, "contact_person_of": 1}
    assert Opportunity.objects.count() == 2
    found = contact_matches(user=alice, email=other.email)
    assert found == []


def test_merging_customers_of_another_team_is_refused(alice, carol):
    mine = AccountFactory(owner_user=alice)
    theirs = AccountFactory(owner_user=carol)
    with pytest.raises(MergeForbidden):
        merge_accounts(user=alice, master=mine, others=[theirs])
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.merged_into is None


def test_an_inactive_master_or_a_lead_is_refused(alice):
    master = AccountFactory(owner_user=alice, is_active=False)
    with pytest.raises(MergeRefused):
        merge_accounts(user=alice, master=master, others=[AccountFactory(owner_user=alice)])
    with pytest.raises(MergeRefused):
        merge_contacts(user=alice, master=ContactFactory(owner_user=alice), others=[Account(pk=1)])
    assert Contact.objects.filter(merged_into__isnull=False).count() == 0


def test_a_master_whose_parent_is_merged_into_it_gets_no_parent_and_it_back_on_undo(alice):
    parent = AccountFactory(owner_user=alice, name="Fabrikam Group")
    master = AccountFactory(owner_user=alice, name="Fabrikam", parent_account=parent)

    merge = merge_accounts(user=alice, master=master, others=[parent])

    master.refresh_from_db()
    assert master.parent_account is None
    undo_merge(user=alice, merge=merge)
    master.refresh_from_db()
    assert master.parent_account == parent
