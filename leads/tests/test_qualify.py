"""QualifyLead: what gets created or used, the links both ways, and what is refused."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from accounts.models import Account, Contact
from crm.errors import DomainError, StaleRecord
from leads import services
from leads.models import Lead, QualificationSettings, State, Status
from leads.qualification import plan_qualification
from leads.tests.factories import CampaignFactory, make_lead
from opportunities.models import Currency, Opportunity

pytestmark = pytest.mark.django_db


def an_account(owner, name="Contoso Ltd"):
    account = Account(name=name, owner=owner)
    account.save()
    return account


class TestQualify:
    def test_all_three_records_are_created_with_the_mapped_values(self, alice, bob):
        lead = make_lead(
            owner=alice,
            estimated_value=Decimal("25000"),
            website="https://fabrikam.example",
            industry=7,
            rating="hot",
            decision_maker=True,
            budget_status=2,
            purchase_timeframe=1,
        )

        qualification = services.qualify_lead(
            lead=lead,
            user=bob,
            create_account=True,
            create_contact=True,
            create_opportunity=True,
        )

        account, contact, opportunity = qualification.created_records
        assert (account.name, account.website, account.industry, account.city) == (
            "Fabrikam A/S",
            "https://fabrikam.example",
            7,
            "Copenhagen",
        )
        assert (contact.last_name, contact.account, contact.job_title) == (
            "Hansen",
            account,
            "Purchasing manager",
        )
        assert (opportunity.topic, opportunity.customer, opportunity.estimated_value) == (
            "50 laptops for the new office",
            account,
            Decimal("25000"),
        )
        # The qualification details go along (Dynamics' lead-to-opportunity mapping).
        assert (
            opportunity.rating,
            opportunity.decision_maker,
            opportunity.budget_status,
            opportunity.purchase_timeframe,
        ) == ("hot", True, 2, 1)
        assert opportunity.currency == Currency.objects.base()
        # Created records stay with the lead's owner; the history names who qualified.
        assert {account.owner, contact.owner, opportunity.owner} == {alice}
        assert account.created_by == bob
        lead.refresh_from_db()
        assert (lead.state, lead.status, lead.version) == (State.QUALIFIED, Status.QUALIFIED, 2)
        assert qualification.performed_by == bob
        # Links both ways.
        assert [q.lead for q in account.lead_qualifications.all()] == [lead]
        assert [q.lead for q in opportunity.lead_qualifications.all()] == [lead]
        assert lead.status_changes.last().to_status == "qualified"

    def test_a_contact_alone_becomes_the_opportunity_customer(self, alice):
        lead = make_lead(owner=alice)

        q = services.qualify_lead(
            lead=lead, user=alice, create_contact=True, create_opportunity=True
        )

        assert q.opportunity.customer == q.contact
        assert q.contact.account is None
        assert not Account.objects.exists()

    def test_an_opportunity_only_goes_to_the_lead_existing_account(self, alice):
        account = an_account(alice)
        lead = make_lead(owner=alice, existing_account=account)

        q = services.qualify_lead(lead=lead, user=alice, create_opportunity=True)

        assert q.opportunity.customer == account
        assert q.account == account and not q.created_account
        assert list(account.opportunities.all()) == [q.opportunity]
        assert Account.objects.count() == 1 and not Contact.objects.exists()

    def test_an_explicit_customer_wins(self, alice):
        other = an_account(alice, name="Northwind")
        q = services.qualify_lead(
            lead=make_lead(owner=alice),
            user=alice,
            create_account=True,
            create_opportunity=True,
            opportunity_customer=other,
        )
        assert q.opportunity.customer == other

    def test_an_opportunity_without_any_customer_is_refused(self, alice):
        lead = make_lead(owner=alice)
        with pytest.raises(DomainError, match="needs a customer"):
            services.qualify_lead(lead=lead, user=alice, create_opportunity=True)
        lead.refresh_from_db()
        assert lead.state == State.OPEN and not Opportunity.objects.exists()

    def test_nothing_chosen_is_refused(self, alice):
        with pytest.raises(DomainError, match="at least one record"):
            services.qualify_lead(lead=make_lead(owner=alice), user=alice)

    def test_an_existing_account_can_be_used_instead_of_a_duplicate(self, alice):
        existing = an_account(alice, name="Fabrikam")
        q = services.qualify_lead(
            lead=make_lead(owner=alice),
            user=alice,
            create_account=True,
            account=existing,
            create_contact=True,
        )
        assert q.account == existing and not q.created_account
        assert q.contact.account == existing
        assert Account.objects.count() == 1

    def test_another_teams_record_cannot_be_used(self, alice, carol):
        hidden = an_account(carol, name="Fabrikam")
        with pytest.raises(DomainError, match="cannot see"):
            services.qualify_lead(
                lead=make_lead(owner=alice), user=alice, create_contact=True, account=hidden
            )

    def test_several_leads_feed_one_existing_open_opportunity(self, alice):
        first = make_lead(owner=alice)
        opportunity = services.qualify_lead(
            lead=first, user=alice, create_account=True, create_opportunity=True
        ).opportunity
        second = make_lead(owner=alice, email="jens@fabrikam.example", last_name="Jensen")

        q = services.qualify_lead(lead=second, user=alice, existing_opportunity=opportunity)

        assert q.opportunity == opportunity and not q.created_opportunity
        source_leads = Lead.objects.filter(qualifications__opportunity=opportunity)
        assert set(source_leads) == {first, second}
        assert Opportunity.objects.count() == 1

    def test_a_closed_opportunity_cannot_take_more_leads(self, alice):
        opportunity = services.qualify_lead(
            lead=make_lead(owner=alice), user=alice, create_account=True, create_opportunity=True
        ).opportunity
        opportunity.close_as_lost()
        opportunity.save()
        with pytest.raises(DomainError, match="open opportunity"):
            services.qualify_lead(
                lead=make_lead(owner=alice, email="x@example.com"),
                user=alice,
                existing_opportunity=opportunity,
            )

    def test_creating_and_reusing_an_opportunity_at_once_is_refused(self, alice):
        opportunity = services.qualify_lead(
            lead=make_lead(owner=alice), user=alice, create_account=True, create_opportunity=True
        ).opportunity
        with pytest.raises(DomainError, match="not both"):
            services.qualify_lead(
                lead=make_lead(owner=alice, email="x@example.com"),
                user=alice,
                create_opportunity=True,
                existing_opportunity=opportunity,
            )

    def test_the_source_campaign_defaults_to_the_lead_campaign(self, alice):
        campaign = CampaignFactory()
        q = services.qualify_lead(
            lead=make_lead(owner=alice, campaign=campaign),
            user=alice,
            create_contact=True,
            create_opportunity=True,
        )
        assert q.source_campaign == campaign
        assert [x.source_campaign for x in q.opportunity.lead_qualifications.all()] == [campaign]

    def test_a_company_less_lead_cannot_create_an_account(self, alice):
        with pytest.raises(DomainError, match="account needs a name"):
            services.qualify_lead(
                lead=make_lead(owner=alice, company_name=""), user=alice, create_account=True
            )

    def test_qualifying_twice_is_refused(self, alice):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_contact=True)
        with pytest.raises(DomainError, match="already qualified"):
            services.qualify_lead(lead=lead, user=alice, create_contact=True)
        assert Contact.objects.count() == 1

    def test_a_disqualified_lead_cannot_be_qualified(self, alice):
        lead = make_lead(owner=alice)
        services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)
        with pytest.raises(DomainError, match="reactivate it before qualifying"):
            services.qualify_lead(lead=lead, user=alice, create_contact=True)

    def test_requalifying_after_reactivation_keeps_the_earlier_links(self, alice):
        lead = make_lead(owner=alice)
        first = services.qualify_lead(lead=lead, user=alice, create_account=True)
        services.reactivate_lead(lead=lead, user=alice)
        lead.refresh_from_db()
        assert lead.qualifications.get() == first  # still linked while open again

        second = services.qualify_lead(
            lead=lead, user=alice, create_contact=True, account=first.account
        )

        assert list(lead.qualifications.all()) == [first, second]

    def test_nothing_is_half_done_when_a_step_fails(self, alice, monkeypatch):
        lead = make_lead(owner=alice)
        real_create = services._create_record

        def fail_on_contact(model, values, **kwargs):
            if model is Contact:
                raise RuntimeError("disk full")
            return real_create(model, values, **kwargs)

        monkeypatch.setattr(services, "_create_record", fail_on_contact)

        with pytest.raises(RuntimeError):
            services.qualify_lead(
                lead=lead,
                user=alice,
                create_account=True,
                create_contact=True,
                create_opportunity=True,
            )

        lead.refresh_from_db()
        assert (lead.state, lead.version) == (State.OPEN, 1)
        assert not Account.objects.exists()
        assert not Account.history.exists()
        assert not Opportunity.objects.exists()
        assert not lead.qualifications.exists()
        assert lead.status_changes.count() == 1

    def test_bulk_qualify_uses_the_organisation_defaults(self, alice):
        QualificationSettings.objects.update_or_create(
            pk=1,
            defaults={"create_account": True, "create_contact": True, "create_opportunity": False},
        )
        ok = make_lead(owner=alice)
        closed = make_lead(owner=alice, email="c@example.com")
        services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)

        done, refused = services.qualify_leads(leads=[ok, closed], user=alice)

        assert len(done) == 1 and not Opportunity.objects.exists()
        assert Account.objects.count() == 1 and Contact.objects.count() == 1
        assert [(lead, message) for lead, message in refused] == [
            (closed, "This lead is disqualified: reactivate it before qualifying it.")
        ]

    def test_bulk_qualify_skips_the_account_of_a_lead_without_a_company(self, alice):
        """Dynamics creates what it can: no company name, no account; the new contact is
        then the opportunity's customer."""
        lead = make_lead(owner=alice, company_name="")

        (qualification,), refused = services.qualify_leads(leads=[lead], user=alice)

        assert refused == []
        assert not Account.objects.exists()
        contact = Contact.objects.get()
        assert (contact.last_name, contact.account) == ("Hansen", None)
        assert qualification.opportunity.customer == contact
        assert qualification.opportunity.parent_contact is None  # the customer is the person
        assert qualification.options["skipped"] == ["account"]
        assert (qualification.created_account, qualification.created_contact) == (False, True)

    def test_bulk_qualify_skips_the_contact_of_a_lead_without_a_last_name(self, alice):
        lead = make_lead(owner=alice, first_name="Anna", last_name="")

        (qualification,), refused = services.qualify_leads(leads=[lead], user=alice)

        assert refused == []
        assert not Contact.objects.exists()
        account = Account.objects.get()
        assert qualification.opportunity.customer == account
        assert qualification.opportunity.parent_contact is None
        assert qualification.options["skipped"] == ["contact"]

    def test_bulk_qualify_refuses_a_lead_that_can_make_neither(self, alice):
        lead = make_lead(owner=alice, company_name="", last_name="", email="x@example.com")

        done, ((refused_lead, message),) = services.qualify_leads(leads=[lead], user=alice)

        assert done == [] and refused_lead == lead
        assert "no company name" in message and "no last name" in message
        lead.refresh_from_db()
        assert lead.state == State.OPEN
        assert not (Account.objects.exists() or Contact.objects.exists())
        assert not Opportunity.objects.exists()

    def test_explicit_choices_are_not_skipped(self, alice):
        """Only the bulk defaults skip: asked for explicitly, a contact without a last
        name is still refused."""
        with pytest.raises(DomainError, match="contact needs a last name"):
            services.qualify_lead(
                lead=make_lead(owner=alice, last_name=""),
                user=alice,
                create_account=True,
                create_contact=True,
            )
        assert not Account.objects.exists()

    def test_the_opportunity_gets_the_campaign_and_the_new_contact(self, alice):
        campaign, chosen = CampaignFactory(), CampaignFactory(name="Spring fair")
        lead = make_lead(owner=alice, campaign=campaign)

        q = services.qualify_lead(
            lead=lead,
            user=alice,
            create_account=True,
            create_contact=True,
            create_opportunity=True,
            source_campaign=chosen,
        )

        assert q.opportunity.customer == q.account
        assert q.opportunity.parent_contact == q.contact
        assert q.opportunity.source_campaign == chosen

    def test_the_lead_campaign_and_a_chosen_contact_by_default(self, alice):
        campaign = CampaignFactory()
        account = an_account(alice)
        contact = Contact.objects.create(last_name="Berg", owner=alice, account=account)
        lead = make_lead(owner=alice, campaign=campaign)

        q = services.qualify_lead(
            lead=lead,
            user=alice,
            account=account,
            contact=contact,
            create_opportunity=True,
        )

        assert (q.opportunity.account, q.opportunity.parent_contact) == (account, contact)
        assert q.opportunity.source_campaign == campaign

    def test_a_stale_version_of_a_qualified_lead_says_already_qualified(self, alice):
        lead = make_lead(owner=alice)
        version = lead.version
        services.qualify_lead(lead=lead, user=alice, create_contact=True, expected_version=version)
        with pytest.raises(DomainError, match="already qualified") as refused:
            services.qualify_lead(
                lead=lead, user=alice, create_contact=True, expected_version=version
            )
        assert not isinstance(refused.value, StaleRecord)

    def test_a_stale_version_of_an_open_lead_is_still_refused(self, alice):
        lead = make_lead(owner=alice)
        services.update_lead(lead=lead, user=alice, data={"job_title": "CFO"})
        with pytest.raises(StaleRecord):
            services.qualify_lead(
                lead=lead, user=alice, create_contact=True, expected_version=lead.version
            )
        assert not Contact.objects.exists()

    def test_the_plan_previews_exactly_what_is_created(self, alice):
        lead = make_lead(owner=alice)
        plan = plan_qualification(
            lead=lead,
            user=alice,
            create_account=True,
            create_contact=True,
            create_opportunity=True,
        )
        assert plan.account_values["name"] == "Fabrikam A/S"
        assert plan.contact_values["last_name"] == "Hansen"
        assert plan.opportunity_values["topic"] == "50 laptops for the new office"
        assert (plan.customer_is_new, plan.customer_kind) == (True, "account")
        assert not Account.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_qualifications_create_exactly_one_of_each(alice):
    lead = make_lead(owner=alice)
    barrier = threading.Barrier(10)
    outcomes = []

    def qualify():
        try:
            barrier.wait()
            services.qualify_lead(
                lead=Lead.objects.get(pk=lead.pk),
                user=alice,
                create_account=True,
                create_contact=True,
                create_opportunity=True,
            )
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(str(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=qualify) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["This lead is already qualified."] * 9 + ["ok"]
    assert (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count()) == (
        1,
        1,
        1,
    )
    assert Lead.objects.get(pk=lead.pk).qualifications.count() == 1
