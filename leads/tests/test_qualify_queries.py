"""Qualify at scale: its query count, and a stored value the forms would refuse (one a bulk
load wrote) refused with a message naming it, on the page and in the API, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Account, Contact
from leads import services
from leads.models import Lead, State
from leads.tests.factories import CampaignFactory, make_lead
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db

ALL_THREE = {"create_account": True, "create_contact": True, "create_opportunity": True}


def _stored_with_bad_contact_method(lead):
    """As a bulk load leaves it: 0 is no preferred contact method (the choices start at 1)."""
    Lead.objects.filter(pk=lead.pk).update(preferred_contact_method=0)
    return Lead.objects.get(pk=lead.pk)


def test_qualifying_into_all_three_records_takes_fourteen_queries(
    alice, bob, django_assert_num_queries
):
    lead = make_lead(owner=alice, campaign=CampaignFactory())

    # lock the lead (a fresh row), its campaign (the opportunity's source campaign), the
    # currency of new opportunities (the settings' or else the base one: one query); account,
    # contact and opportunity each an insert and its history row; the qualification; the
    # lead's update and history row; the stay it ends (left_at), the new status-log entry.
    # No query per foreign key (the records are the lead's, the user's or just created) and
    # no savepoint but the test's own (2).
    with django_assert_num_queries(14 + 2):
        qualification = services.qualify_lead(lead=lead, user=bob, **ALL_THREE)

    account, contact, opportunity = qualification.created_records
    assert (contact.account, opportunity.customer, opportunity.parent_contact) == (
        account,
        account,
        contact,
    )
    assert (account.owner, contact.owner, opportunity.owner) == (alice, alice, alice)
    assert account.created_by == bob


def test_a_stored_value_the_contact_refuses_is_a_validation_error_before_any_write(alice):
    lead = _stored_with_bad_contact_method(make_lead(owner=alice))

    with pytest.raises(ValidationError) as refused:
        services.qualify_lead(lead=lead, user=alice, **ALL_THREE)

    assert list(refused.value.message_dict) == ["preferred_contact_method"]
    assert "The new contact cannot take the lead's preferred contact method" in str(refused.value)
    assert not Account.objects.exists() and not Contact.objects.exists()
    assert not Opportunity.objects.exists()
    assert Lead.objects.get(pk=lead.pk).state == State.OPEN


def test_the_qualify_page_shows_the_stored_value_it_refuses(as_alice, alice):
    lead = _stored_with_bad_contact_method(make_lead(owner=alice))
    url = reverse("leads:qualify", args=[lead.pk])

    preview = as_alice.get(url)
    confirmed = as_alice.post(
        url, {"create_account": "on", "create_contact": "on", "confirm": "1"}
    )

    assert preview.status_code == 200
    assert "preferred contact method" in preview.content.decode()
    assert confirmed.status_code == 400
    assert "preferred contact method" in confirmed.content.decode()
    assert not Contact.objects.exists()
    # Without the contact, nothing takes the refused value: the lead qualifies.
    assert as_alice.post(url, {"create_account": "on", "confirm": "1"}).status_code == 302


def test_the_qualify_page_refuses_the_wrong_method_and_the_wrong_user(as_carol, alice, client):
    lead = _stored_with_bad_contact_method(make_lead(owner=alice))
    url = reverse("leads:qualify", args=[lead.pk])

    assert client.put(url).status_code in (302, 405)
    assert as_carol.post(url, {"create_contact": "on", "confirm": "1"}).status_code == 404


def test_bulk_qualify_refuses_the_lead_with_a_refused_stored_value_and_qualifies_the_rest(
    alice,
):
    good = make_lead(owner=alice)
    bad = _stored_with_bad_contact_method(make_lead(owner=alice, last_name="Bulkload"))

    done, refused = services.qualify_leads(leads=[bad, good], user=alice)

    assert [q.lead_id for q in done] == [good.pk]
    ((lead, message),) = refused
    assert lead == bad and "preferred contact method" in message
    assert Lead.objects.get(pk=bad.pk).state == State.OPEN
