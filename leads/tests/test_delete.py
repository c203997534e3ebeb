"""Deleting a lead made by mistake: administrators only (leads.delete_lead), after a
confirmation, in its history with who and why; qualified and disqualified leads never."""

import pytest
from django.urls import reverse

from activities.services import add_note, delete_record
from crm.errors import DomainError
from crm.models import ADMINISTRATOR_GROUP
from crm.tests.factories import UserFactory
from leads import services
from leads.models import Lead, Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def url(name, lead):
    return reverse(f"leads:{name}", args=[lead.pk])


@pytest.fixture
def grouped_admin(db):
    """An administrator by group (not a superuser): the permissions decide."""
    return UserFactory(username="ida", groups=[ADMINISTRATOR_GROUP], is_staff=True)


@pytest.fixture
def as_grouped_admin(client, grouped_admin):
    client.force_login(grouped_admin)
    return client


class TestTheService:
    def test_deletes_an_open_lead_with_its_notes_and_a_history_row_saying_why(
        self, alice, admin_user
    ):
        lead = make_lead(owner=alice)
        note = add_note(regarding=lead, user=alice, text="Called twice")

        services.delete_lead(lead=lead, user=admin_user, reason="Entered twice")

        assert not Lead.objects.filter(pk=lead.pk).exists()
        assert not type(note).objects.filter(pk=note.pk).exists()
        deleted = Lead.history.get(id=lead.pk, history_type="-")
        assert deleted.history_user == admin_user
        assert deleted.history_change_reason == "Deleted by Ada Admin: Entered twice"

    @pytest.mark.parametrize("close", ["qualify", "disqualify"])
    def test_a_closed_lead_is_never_deleted_not_even_by_a_superuser(
        self, alice, admin_user, close
    ):
        lead = make_lead(owner=alice)
        if close == "qualify":
            services.qualify_lead(lead=lead, user=alice, create_contact=True)
        else:
            services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

        with pytest.raises(DomainError, match="never deleted"):
            services.delete_lead(lead=lead, user=admin_user, reason="Oops")
        # Nor through the generic path.
        with pytest.raises(DomainError, match="never deleted"):
            delete_record(record=lead, user=admin_user, reason="Oops")
        assert Lead.objects.filter(pk=lead.pk).exists()

    def test_a_customer_a_qualified_lead_made_stays(self, alice, admin_user):
        lead = make_lead(owner=alice)
        qualified = services.qualify_lead(lead=lead, user=alice, create_account=True)

        with pytest.raises(DomainError, match="qualified lead"):
            delete_record(record=qualified.account, user=admin_user, reason="Oops")

    def test_a_reason_is_required(self, alice, admin_user):
        with pytest.raises(DomainError):
            services.delete_lead(lead=make_lead(owner=alice), user=admin_user, reason=" ")


class TestThePage:
    def test_an_administrator_confirms_and_the_lead_is_gone(
        self, as_grouped_admin, grouped_admin, alice
    ):
        lead = make_lead(owner=alice)
        add_note(regarding=lead, user=alice, text="Called twice")

        page = as_grouped_admin.get(url("delete", lead))
        assert page.status_code == 200
        assert "1 note" in page.content.decode()
        assert url("delete", lead) in as_grouped_admin.get(url("detail", lead)).content.decode()

        response = as_grouped_admin.post(url("delete", lead), {"reason": "Test entry"})

        assert response.status_code == 302
        assert not Lead.objects.filter(pk=lead.pk).exists()
        history = Lead.history.get(id=lead.pk, history_type="-")
        assert history.history_change_reason == f"Deleted by {grouped_admin}: Test entry"

    def test_without_a_reason_nothing_is_deleted(self, as_grouped_admin, alice):
        lead = make_lead(owner=alice)

        assert as_grouped_admin.post(url("delete", lead), {"reason": ""}).status_code == 400
        assert Lead.objects.filter(pk=lead.pk).exists()

    @pytest.mark.parametrize("persona", ["alice", "manager"])
    def test_a_role_without_the_delete_permission_gets_403_and_no_button(
        self, client, alice, manager, persona
    ):
        lead = make_lead(owner=alice)
        client.force_login({"alice": alice, "manager": manager}[persona])

        assert client.get(url("delete", lead)).status_code == 403
        assert client.post(url("delete", lead), {"reason": "x"}).status_code == 403
        assert url("delete", lead) not in client.get(url("detail", lead)).content.decode()
        assert Lead.objects.filter(pk=lead.pk).exists()

    def test_a_qualified_lead_has_no_button_and_its_page_refuses(self, as_admin, alice):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_contact=True)

        assert url("delete", lead) not in as_admin.get(url("detail", lead)).content.decode()
        response = as_admin.post(url("delete", lead), {"reason": "x"})
        assert response.status_code == 400
        assert "never deleted" in response.content.decode()
        assert Lead.objects.filter(pk=lead.pk).exists()

    def test_another_teams_lead_stays_a_404_before_the_permission(self, as_carol, alice):
        assert as_carol.get(url("delete", make_lead(owner=alice))).status_code == 404


class TestTheApi:
    def test_a_rep_gets_403_json(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.delete(f"/api/v1/leads/{lead.pk}/")

        assert response.status_code == 403
        assert "Can delete lead" in response.json()["detail"]
        assert Lead.objects.filter(pk=lead.pk).exists()

    def test_a_qualified_lead_is_a_409(self, as_admin, alice):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_contact=True)

        response = as_admin.delete(f"/api/v1/leads/{lead.pk}/")

        assert response.status_code == 409
        assert "never deleted" in response.json()["detail"]

    def test_an_administrator_deletes_an_open_lead_with_a_reason(self, as_admin, alice):
        lead = make_lead(owner=alice)

        response = as_admin.delete(
            f"/api/v1/leads/{lead.pk}/", {"reason": "Duplicate"}, content_type="application/json"
        )

        assert response.status_code == 204
        history = Lead.history.get(id=lead.pk, history_type="-")
        assert history.history_change_reason == "Deleted by Ada Admin: Duplicate"


class TestTheAdmin:
    def test_the_delete_view_refuses_a_qualified_lead_even_to_a_superuser(self, as_admin, alice):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_contact=True)

        response = as_admin.post(
            reverse("admin:leads_lead_delete", args=[lead.pk]), {"post": "yes"}
        )

        assert response.status_code == 403
        assert Lead.objects.filter(pk=lead.pk).exists()

    def test_the_delete_action_refuses_a_selection_with_a_qualified_lead(self, as_admin, alice):
        open_lead, qualified = make_lead(owner=alice), make_lead(owner=alice)
        services.qualify_lead(lead=qualified, user=alice, create_contact=True)

        response = as_admin.post(
            reverse("admin:leads_lead_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [open_lead.pk, qualified.pk],
                "post": "yes",
            },
        )

        assert response.status_code == 403
        assert Lead.objects.filter(pk__in=[open_lead.pk, qualified.pk]).count() == 2

    def test_the_admin_deletes_an_open_lead_through_the_service(self, as_admin, alice):
        lead = make_lead(owner=alice)

        as_admin.post(reverse("admin:leads_lead_delete", args=[lead.pk]), {"post": "yes"})

        assert not Lead.objects.filter(pk=lead.pk).exists()
        history = Lead.history.get(id=lead.pk, history_type="-")
        assert history.history_change_reason == "Deleted by Ada Admin: Deleted in the admin"

    def test_deleted_leads_are_listed_with_who_and_why(self, as_admin, admin_user, alice):
        lead = make_lead(owner=alice, topic="Typed by mistake")
        services.delete_lead(lead=lead, user=admin_user, reason="Test entry")

        response = as_admin.get(reverse("admin:leads_lead_deleted"))

        content = response.content.decode()
        assert "Typed by mistake" in content and "Deleted by Ada Admin: Test entry" in content

    def test_the_deleted_leads_page_needs_the_delete_permission(self, client, manager):
        manager.is_staff = True
        manager.save()
        client.force_login(manager)

        assert client.get(reverse("admin:leads_lead_deleted")).status_code == 403


class TestCustomersAndOpportunities:
    def test_an_administrator_deletes_an_account_made_by_mistake(self, as_admin, alice):
        from accounts.models import Account
        from accounts.tests.factories import AccountFactory

        account = AccountFactory(owner_user=alice, name="Typo A/S")
        page = reverse("accounts:account_delete", args=[account.pk])

        assert as_admin.get(page).status_code == 200
        assert as_admin.post(page, {"reason": "Typo"}).status_code == 302
        assert not Account.objects.filter(pk=account.pk).exists()
        history = Account.history.get(id=account.pk, history_type="-")
        assert history.history_change_reason == "Deleted by Ada Admin: Typo"

    def test_an_account_a_qualified_lead_made_stays_and_the_page_says_why(self, as_admin, alice):
        lead = make_lead(owner=alice)
        account = services.qualify_lead(lead=lead, user=alice, create_account=True).account
        page = reverse("accounts:account_delete", args=[account.pk])

        response = as_admin.post(page, {"reason": "Oops"})

        assert response.status_code == 400
        assert "A qualified lead made this record" in response.content.decode()
        assert type(account).objects.filter(pk=account.pk).exists()

    def test_an_account_with_opportunities_stays(self, admin_user, alice):
        from accounts.tests.factories import AccountFactory
        from opportunities.tests.factories import OpportunityFactory

        account = AccountFactory(owner_user=alice)
        OpportunityFactory(owner_user=alice, account=account)

        with pytest.raises(DomainError, match="Opportunities have this customer"):
            delete_record(record=account, user=admin_user, reason="Oops")

    def test_a_rep_cannot_delete_a_contact_or_an_opportunity(self, as_alice, alice):
        from accounts.tests.factories import ContactFactory
        from opportunities.tests.factories import OpportunityFactory

        contact = ContactFactory(owner_user=alice)
        deal = OpportunityFactory(owner_user=alice, contact=contact)

        for page in (
            reverse("accounts:contact_delete", args=[contact.pk]),
            reverse("opportunities:delete", args=[deal.pk]),
        ):
            assert as_alice.post(page, {"reason": "x"}).status_code == 403
        assert as_alice.delete(f"/api/v1/opportunities/{deal.pk}/").status_code == 403
        assert type(deal).objects.filter(pk=deal.pk).exists()

    def test_an_opportunity_a_qualified_lead_made_stays(self, as_admin, alice):
        lead = make_lead(owner=alice)
        deal = services.qualify_lead(
            lead=lead, user=alice, create_account=True, create_opportunity=True
        ).opportunity

        response = as_admin.delete(f"/api/v1/opportunities/{deal.pk}/")

        assert response.status_code == 409
        assert type(deal).objects.filter(pk=deal.pk).exists()
