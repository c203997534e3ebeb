"""crm.history: a record's history in words, and the reasons every write leaves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.tests.factories import AccountFactory
from api import services as api_services
from crm import history
from crm.history import Entry, Reason, change_reason, describe_reason, history_page
from crm.services import update_record
from leads import services
from leads.models import Lead, Status, import_batch_reason
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def changes_of(entry):
    return {change.label: (change.old, change.new) for change in entry.changes}


def test_a_change_names_the_field_by_its_label_and_values_by_their_choice_names(alice):
    lead = make_lead(owner=alice, rating="warm")
    services.update_lead(lead=lead, user=alice, data={"rating": "hot", "do_not_email": True})

    latest, created = history_page(lead, user=alice).entries

    assert (latest.kind, latest.kind_label, latest.who) == ("changed", "Changed", "Alice Adams")
    assert changes_of(latest) == {"Rating": ("Warm", "Hot"), "Do not e-mail": ("No", "Yes")}
    assert created.kind == "created"
    assert changes_of(created)["Company name"] == ("—", "Fabrikam A/S")
    # Bookkeeping and denormalised columns are not changes a person made.
    shown = {change.label for entry in (latest, created) for change in entry.changes}
    assert not shown & {"Version", "Modified at", "Search text", "Email key", "Reached won"}


def test_the_first_contact_is_not_put_under_the_next_change(alice):
    from activities.services import log_activity

    lead = make_lead(owner=alice)
    log_activity(
        kind="phone_call",
        regarding=lead,
        user=alice,
        data={"subject": "Intro", "direction": "outgoing"},
        completed=True,
    )
    lead.refresh_from_db()
    assert lead.first_contact_at is not None
    services.update_lead(lead=lead, user=alice, data={"rating": "hot"})

    latest = history_page(lead, user=alice).entries[0]

    assert "First contacted at" not in changes_of(latest)
    assert "Rating" in changes_of(latest)


def test_an_owner_change_is_one_change_shown_by_names(alice, bob, north):
    lead = make_lead(owner=alice)
    services.assign_lead(lead=lead, user=alice, owner=north)
    services.assign_lead(lead=lead, user=alice, owner=bob)

    to_bob, to_team, _created = history_page(lead, user=alice).entries

    assert changes_of(to_team) == {"Owner": ("Alice Adams", "North (team)")}
    assert changes_of(to_bob) == {"Owner": ("North (team)", "Bob Berg")}


def test_times_are_in_the_readers_time_zone_and_language(alice):
    alice.time_zone = "Europe/Copenhagen"
    lead = make_lead(owner=alice)
    stored = lead.history.get().history_date

    with translation.override("da"):
        (entry,) = history_page(lead, user=alice).entries

    assert entry.when.tzinfo == alice.zone
    assert entry.when == stored
    assert entry.kind_label == "Oprettet"


def test_the_bulk_assignment_says_so_and_who(alice, bob):
    lead = make_lead(owner=alice)

    services.assign_leads(leads=[lead], user=alice, owner=bob)

    entry = history_page(lead, user=bob).entries[0]
    assert entry.reason == "Bulk assignment"
    assert entry.who == "Alice Adams"
    assert changes_of(entry) == {"Owner": ("Alice Adams", "Bob Berg")}


def test_qualify_says_what_it_created_and_the_records_say_where_they_came_from(alice):
    lead = make_lead(owner=alice)

    qualification = services.qualify_lead(
        lead=lead, user=alice, create_account=True, create_contact=True
    )

    entry = history_page(lead, user=alice).entries[0]
    assert entry.reason == "Qualified · Account created · Contact created"
    assert changes_of(entry)["State"] == ("Open", "Qualified")
    (account_created,) = history_page(qualification.account, user=alice).entries
    assert account_created.reason == "Created by qualifying a lead"


def test_disqualify_in_bulk_and_reactivate_leave_their_reasons(alice):
    lead = make_lead(owner=alice)

    services.disqualify_leads(leads=[lead], user=alice, status=Status.LOST)
    services.reactivate_lead(lead=Lead.objects.get(pk=lead.pk), user=alice)

    reactivated, disqualified, _created = history_page(lead, user=alice).entries
    assert disqualified.reason == "Bulk status change · Disqualified"
    assert changes_of(disqualified)["Status reason"] == ("New", "Lost")
    assert reactivated.reason == "Reactivated"


def test_an_import_is_named_by_its_number_and_the_reason_is_read_in_danish(alice):
    assert describe_reason(import_batch_reason(12)) == "Import #12"
    with translation.override("da"):
        assert describe_reason(import_batch_reason(12)) == "Import nr. 12"
        assert describe_reason(Reason.BULK_ASSIGNMENT) == "Massetildeling"
    assert describe_reason("Something a script wrote") == "Something a script wrote"


def test_nested_blocks_add_their_reasons_and_fill_in_the_user(alice):
    account = AccountFactory(owner_user=alice)
    account._history_user = None

    with change_reason(Reason.API, user=alice), change_reason(Reason.INLINE_EDIT):
        account.city = "Aarhus"
        account.save()

    row = account.history.first()
    assert row.history_change_reason == "API token · Inline edit"
    assert row.history_user == alice
    entry = history_page(account, user=alice).entries[0]
    assert (entry.who, entry.via) == ("Alice Adams", "API token")


def test_an_api_write_is_by_the_tokens_user_through_the_api(alice):
    from rest_framework.test import APIClient

    lead = make_lead(owner=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_services.create_token(user=alice).key}")

    response = client.patch(
        reverse("api:lead-detail", args=[lead.pk]), {"rating": "cold"}, format="json"
    )

    assert response.status_code == 200, response.content
    entry = history_page(lead, user=alice).entries[0]
    assert (entry.who, entry.via, entry.reason) == ("Alice Adams", "API token", "API token")
    assert changes_of(entry) == {"Rating": ("—", "Cold")}


def test_pages_are_newest_first_and_each_first_entry_diffs_against_the_next_page(alice):
    account = AccountFactory(owner_user=alice)
    for number in range(1, 6):
        update_record(account, user=alice, data={"city": f"City {number}"})

    first = history_page(account, user=alice, per_page=2)
    second = history_page(account, user=alice, page=2, per_page=2)
    last = history_page(account, user=alice, page=3, per_page=2)

    assert [changes_of(e)["City"] for e in first.entries] == [
        ("City 4", "City 5"),
        ("City 3", "City 4"),
    ]
    assert [changes_of(e)["City"] for e in second.entries] == [
        ("City 2", "City 3"),
        ("City 1", "City 2"),
    ]
    assert first.has_next and second.has_previous
    assert [e.kind for e in last.entries] == ["changed", "created"] and not last.has_next


def test_foreign_keys_are_named_in_a_fixed_number_of_queries(alice, bob, north):
    def queries_for(entries):
        lead = make_lead(owner=alice)
        for number in range(entries):
            services.update_lead(
                lead=lead, user=alice, data={"existing_account": accounts[number % 2]}
            )
        with CaptureQueriesContext(connection) as queries:
            page = history_page(lead, user=alice)
        return len(queries), page

    accounts = [AccountFactory(owner_user=alice, name=n) for n in ("Contoso", "Fabrikam")]
    one, _page = queries_for(1)
    thirty, page = queries_for(30)

    # The history rows with their users; the users (the owner) and the accounts named; the
    # lead's shares (crm/sharing.py: share_history_entries).
    assert one == thirty == 4
    assert changes_of(page.entries[0]) == {"Existing account": ("Contoso", "Fabrikam")}


def test_registered_entries_are_merged_into_the_page_by_date(alice):
    account = AccountFactory(owner_user=alice)
    update_record(account, user=alice, data={"city": "Aarhus"})
    between = account.history.order_by("history_date")[0].history_date + datetime.timedelta(
        microseconds=1
    )
    seen = []

    def shares(record, *, user, newest, oldest):
        seen.append((record, newest, oldest))
        return [Entry(when=between, who="Bob", kind="changed", kind_label="Shared")]

    history.register_entries("accounts.Account", shares)
    try:
        entries = history_page(account, user=alice).entries
    finally:
        history._sources.pop("accounts.Account")

    assert [e.kind_label for e in entries] == ["Changed", "Shared", "Created"]
    assert seen == [(account, None, None)]
    assert timezone.is_aware(entries[1].when)


def test_routing_claiming_and_handing_over_say_so(alice, bob, north):
    from leads.routing.services import claim_lead, hand_over_open_leads, reroute_leads
    from leads.routing.tests.factories import make_rule

    make_rule("Danish leads to Bob", bob, ("country", "equals", "Denmark"))
    routed = services.create_lead(
        data={"last_name": "Holm", "country": "Denmark"}, created_by=alice, route=True
    )
    queued = make_lead(owner=alice, country="Sweden")
    reroute_leads(leads=[queued], user=alice)
    services.assign_lead(lead=Lead.objects.get(pk=queued.pk), user=alice, owner=north)
    claim_lead(lead=Lead.objects.get(pk=queued.pk), user=bob)
    hand_over_open_leads(users=[bob], performed_by=alice, to=alice)

    created = history_page(routed, user=alice).entries[-1]
    assert (created.reason, created.via) == ("Routing rule: Danish leads to Bob",) * 2
    assert changes_of(created)["Owner"] == ("—", "Bob Berg")
    handed, claimed, _assigned, rerouted, _created = history_page(queued, user=alice).entries
    assert rerouted.reason == "Routing: no rule matched"
    assert claimed.reason == "Claimed from the team queue"
    assert changes_of(claimed) == {"Owner": ("North (team)", "Bob Berg")}
    assert handed.reason == "Hand-over"
    with translation.override("da"):
        assert describe_reason(created.reason) == "Fordelingsregel: Danish leads to Bob"
