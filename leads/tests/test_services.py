"""The lead's lifecycle through its services: create, update, status changes, assignment."""

import pytest
from django.db import IntegrityError, transaction

from crm.errors import DomainError, StaleRecord
from leads import services
from leads.models import Lead, LeadStatusChange, State, Status
from leads.signals import lead_assigned, lead_created, lead_creating
from leads.tests.factories import lead_data, make_lead

pytestmark = pytest.mark.django_db


class TestCreate:
    def test_the_owner_defaults_to_the_creating_user(self, alice):
        lead = services.create_lead(data=lead_data(), created_by=alice)

        assert lead.owner == alice
        assert lead.created_by == alice
        assert (lead.state, lead.status) == (State.OPEN, Status.NEW)
        assert lead.history.count() == 1
        assert lead.history.first().history_user == alice

    def test_a_chosen_owner_is_kept(self, alice, north):
        lead = services.create_lead(data=lead_data(), created_by=alice, owner=north)

        assert lead.owner == north

    def test_the_status_log_starts_at_creation(self, alice):
        lead = services.create_lead(data=lead_data(), created_by=alice)

        (entry,) = lead.status_changes.all()
        assert (entry.from_state, entry.to_state, entry.to_status) == ("", "open", "new")
        assert entry.changed_by == alice
        assert entry.changed_at == lead.created_at

    def test_lead_creating_is_sent_before_the_insert_and_may_set_the_owner(self, alice, bob):
        seen = []

        def route(sender, leads, created_by, route, **kwargs):
            seen.append(([lead.pk for lead in leads], created_by, route))
            for lead in leads:
                if lead.owner is None:
                    lead.owner = bob

        lead_creating.connect(route)
        try:
            lead = services.create_lead(data=lead_data(), created_by=alice, route=True)
        finally:
            lead_creating.disconnect(route)

        assert seen == [([None], alice, True)]
        assert lead.owner == bob

    def test_a_batch_sends_one_signal_and_keeps_each_rows_owner(self, alice, bob):
        calls = []

        def count(sender, leads, **kwargs):
            calls.append(len(leads))

        lead_creating.connect(count)
        lead_created.connect(count)
        try:
            rows = [Lead(**lead_data(email=f"p{i}@example.com")) for i in range(3)]
            rows[0].owner = bob
            created = services.create_leads(leads=rows, created_by=alice)
        finally:
            lead_creating.disconnect(count)
            lead_created.disconnect(count)

        assert calls == [3, 3]
        assert [lead.owner for lead in created] == [bob, alice, alice]
        assert all(lead.pk for lead in created)
        assert LeadStatusChange.objects.filter(lead__in=created).count() == 3
        assert Lead.history.filter(id__in=[lead.pk for lead in created]).count() == 3

    def test_lead_assigned_is_sent_after_commit_for_a_single_creation(
        self, alice, django_capture_on_commit_callbacks
    ):
        received = []

        def on_assigned(sender, lead, owner, assigned_by, reason, **kwargs):
            received.append((lead.pk, owner, reason))

        lead_assigned.connect(on_assigned)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                lead = services.create_lead(data=lead_data(), created_by=alice)
        finally:
            lead_assigned.disconnect(on_assigned)

        assert received == [(lead.pk, alice, "created")]

    def test_a_lead_needs_a_last_name_a_company_or_an_email(self, alice):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="at least a last name"):
            services.create_lead(
                data={"first_name": "Anna", "topic": "No way to reach her"}, created_by=alice
            )
        assert not Lead.objects.exists()

    def test_the_database_refuses_a_lead_without_name_company_or_email(self, alice):
        with pytest.raises(IntegrityError), transaction.atomic():
            Lead.objects.create(owner_user=alice, first_name="Anna")

    def test_the_database_refuses_a_status_of_another_state(self, alice):
        lead = make_lead(owner=alice)
        with pytest.raises(IntegrityError), transaction.atomic():
            Lead.objects.filter(pk=lead.pk).update(state=State.QUALIFIED, status=Status.NEW)

    def test_the_topic_falls_back_to_the_company_or_the_name(self, alice):
        assert make_lead(owner=alice, topic="").display_topic == "Fabrikam A/S"
        lead = make_lead(owner=alice, topic="", company_name="", email="x@example.com")
        assert lead.display_topic == "Anna Hansen"

    def test_the_ten_dynamics_sources_exist_after_migrate(self):
        from leads.models import LeadSource

        assert list(LeadSource.objects.values_list("name", flat=True)) == [
            "Advertisement",
            "Employee Referral",
            "External Referral",
            "Partner",
            "Public Relations",
            "Seminar",
            "Trade Show",
            "Web",
            "Word of Mouth",
            "Other",
        ]

    def test_source_names_are_unique_ignoring_case(self):
        from leads.models import LeadSource

        with pytest.raises(IntegrityError), transaction.atomic():
            LeadSource.objects.create(name="WEB")


class TestUpdate:
    def test_an_open_lead_is_updated_and_its_version_bumped(self, alice):
        lead = make_lead(owner=alice)

        updated = services.update_lead(
            lead=lead, user=alice, data={"city": "Aarhus"}, expected_version=1
        )

        assert (updated.city, updated.version) == ("Aarhus", 2)

    def test_a_stale_edit_is_refused(self, alice, bob):
        lead = make_lead(owner=alice)
        services.update_lead(lead=lead, user=bob, data={"city": "Aarhus"}, expected_version=1)

        with pytest.raises(StaleRecord, match="after you opened it"):
            services.update_lead(
                lead=lead, user=alice, data={"city": "Odense"}, expected_version=1
            )

    @pytest.mark.parametrize("close", ["qualify", "disqualify"])
    def test_a_closed_lead_cannot_be_edited(self, alice, close):
        lead = make_lead(owner=alice)
        if close == "qualify":
            services.qualify_lead(lead=lead, user=alice, create_account=True)
        else:
            services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

        with pytest.raises(DomainError, match="reactivate it first"):
            services.update_lead(lead=lead, user=alice, data={"city": "Aarhus"})


class TestStatus:
    def test_new_to_contacted_is_logged(self, alice):
        lead = make_lead(owner=alice)

        lead = services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)

        assert lead.status == Status.CONTACTED
        last = lead.status_changes.last()
        assert (last.from_status, last.to_status) == ("new", "contacted")

    def test_mark_contacted_is_a_no_op_once_contacted_or_closed(self, alice):
        lead = make_lead(owner=alice)
        services.mark_lead_contacted(lead=lead, user=alice)
        services.mark_lead_contacted(lead=lead, user=alice)

        assert lead.status_changes.count() == 2

    def test_an_open_status_cannot_be_a_closed_one(self, alice):
        lead = make_lead(owner=alice)
        with pytest.raises(DomainError, match="either New or Contacted"):
            services.set_lead_status(lead=lead, user=alice, status=Status.LOST)

    def test_disqualify_records_the_reason_and_note(self, alice):
        lead = make_lead(owner=alice)

        lead = services.disqualify_lead(
            lead=lead, user=alice, status=Status.NO_LONGER_INTERESTED, note="Bought elsewhere"
        )

        assert (lead.state, lead.status) == (State.DISQUALIFIED, Status.NO_LONGER_INTERESTED)
        last = lead.status_changes.last()
        assert (last.to_state, last.reason) == ("disqualified", "Bought elsewhere")

    def test_disqualify_needs_one_of_the_four_reasons(self, alice):
        lead = make_lead(owner=alice)
        with pytest.raises(DomainError, match="Choose a reason"):
            services.disqualify_lead(lead=lead, user=alice, status=Status.QUALIFIED)

    def test_disqualifying_twice_is_refused(self, alice):
        lead = make_lead(owner=alice)
        services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)
        with pytest.raises(DomainError, match="already disqualified"):
            services.disqualify_lead(lead=lead, user=alice, status=Status.CANCELED)

    def test_disqualifying_a_qualified_lead_is_refused(self, alice):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_contact=True)
        with pytest.raises(DomainError, match="reactivate it before disqualifying"):
            services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

    def test_disqualify_can_keep_the_person_as_a_contact(self, alice):
        from accounts.models import Contact

        lead = make_lead(owner=alice)

        services.disqualify_lead(lead=lead, user=alice, status=Status.LOST, keep_contact=True)

        contact = Contact.objects.get()
        assert (contact.last_name, contact.email, contact.owner) == (
            "Hansen",
            "anna.hansen@fabrikam.example",
            alice,
        )
        (kept,) = lead.qualifications.all()
        assert kept.kind == "kept_contact" and kept.contact == contact

    def test_reactivate_returns_the_lead_to_open_new(self, alice):
        lead = make_lead(owner=alice)
        services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

        lead = services.reactivate_lead(lead=lead, user=alice)

        assert (lead.state, lead.status) == (State.OPEN, Status.NEW)
        assert [c.to_status for c in lead.status_changes.all()] == ["new", "lost", "new"]

    def test_reactivating_an_open_lead_is_refused(self, alice):
        with pytest.raises(DomainError, match="already open"):
            services.reactivate_lead(lead=make_lead(owner=alice), user=alice)

    def test_the_status_log_is_append_only(self, alice):
        entry = make_lead(owner=alice).status_changes.get()
        entry.reason = "rewritten"
        with pytest.raises(DomainError):
            entry.save()
        with pytest.raises(DomainError):
            entry.delete()


class TestAssign:
    def test_assigning_changes_the_owner_and_notifies_after_commit(
        self, alice, bob, django_capture_on_commit_callbacks
    ):
        lead = make_lead(owner=alice)
        received = []

        def on_assigned(sender, lead, owner, assigned_by, reason, **kwargs):
            received.append((owner, assigned_by, reason))

        lead_assigned.connect(on_assigned)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                lead = services.assign_lead(lead=lead, user=alice, owner=bob)
        finally:
            lead_assigned.disconnect(on_assigned)

        assert lead.owner == bob
        assert received == [(bob, alice, "assigned")]

    def test_bulk_assign_reports_each_refusal_and_does_the_rest(self, alice, bob):
        leads = [make_lead(owner=alice), make_lead(owner=alice, email="b@example.com")]

        done, refused = services.assign_leads(leads=leads, user=alice, owner=bob)

        assert len(done) == 2 and refused == []
        assert set(Lead.objects.values_list("owner_user", flat=True)) == {bob.pk}


class TestAssociate:
    def test_links_are_refused_without_exactly_one_target(self, alice):
        with pytest.raises(DomainError, match="Choose an account or a contact"):
            services.associate_lead(lead=make_lead(owner=alice), user=alice)

    def test_removing_a_missing_link_is_refused(self, alice):
        from accounts.models import Account

        account = Account(name="Contoso", owner=alice)
        account.save()
        with pytest.raises(DomainError, match="not linked"):
            services.disassociate_lead(lead=make_lead(owner=alice), user=alice, account=account)


def test_the_status_of_a_closed_lead_cannot_be_set(alice):
    lead = make_lead(owner=alice)
    services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)
    with pytest.raises(DomainError, match="reactivate it first"):
        services.set_lead_status(lead=lead, user=alice, status=Status.CONTACTED)


def test_demo_data_covers_every_status_and_a_second_run_adds_nothing(db):
    from crm import demo as crm_demo
    from leads import demo

    context = {}
    crm_demo.seed(context)
    demo.seed(context)
    first = set(Lead.objects.values_list("pk", "status"))
    demo.seed(context)

    assert set(Lead.objects.values_list("pk", "status")) == first
    assert {status for _pk, status in first} == set(Status.values)


def test_the_ten_lead_sources_come_back_after_a_flush(transactional_db):
    from django.core.management import call_command

    from leads.models import LeadSource

    call_command("flush", "--no-input", verbosity=0)
    assert LeadSource.objects.count() == 10
    assert LeadSource.objects.filter(name="Web").exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_change_reason_is_in_the_history_of_one_lead_or_many(alice, count):
    """A one-row import chunk is saved, a bigger one inserted in bulk: both keep the reason."""
    leads = [Lead(**lead_data(last_name=f"Reason {n}")) for n in range(count)]

    created = services.create_leads(leads=leads, created_by=alice, change_reason="Import batch #7")

    for lead in created:
        record = lead.history.get()
        assert record.history_change_reason == "Import batch #7"
        assert record.history_user == alice
