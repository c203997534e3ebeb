"""What a role may do comes from its group's permissions (crm/permissions.py): the defaults
each group gets, that an administrator's change in the admin outlives the next migrate, and
that the pages and the API refuse (403, saying what is missing) and hide what is not allowed."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP
from crm.permissions import check_permission, declared_actions
from crm.tests.factories import UserFactory
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

ACTIONS = {
    "leads.qualify_lead",
    "leads.reassign_lead",
    "imports.import_leads",
    "accounts.reassign_account",
    "accounts.reassign_contact",
    "opportunities.reassign_opportunity",
    "crm.view_reports",
    "crm.export_personal_data",
}


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def remove(group_name, codename):
    app_label, name = codename.split(".")
    Group.objects.get(name=group_name).permissions.remove(
        Permission.objects.get(content_type__app_label=app_label, codename=name)
    )


class TestDefaults:
    def test_every_action_permission_is_declared_and_exists(self):
        assert set(declared_actions()) == ACTIONS
        for codename in ACTIONS:
            app_label, name = codename.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=name
            ).exists()

    def test_a_salesperson_creates_changes_qualifies_reassigns_and_sees_reports(self):
        granted = codenames(SALESPERSON_GROUP)
        assert {
            "leads.add_lead",
            "leads.change_lead",
            "leads.qualify_lead",
            "leads.reassign_lead",
            "accounts.add_account",
            "accounts.reassign_contact",
            "opportunities.reassign_opportunity",
            "crm.view_reports",
        } <= granted
        assert (
            not {
                "imports.import_leads",
                "crm.export_personal_data",
                "routing.change_assignmentrule",
                "capture.change_webform",
            }
            & granted
        )

    def test_a_sales_manager_also_imports_and_configures_routing_and_web_forms(self):
        granted = codenames(SALES_MANAGER_GROUP)
        assert codenames(SALESPERSON_GROUP) <= granted
        assert {
            "imports.import_leads",
            "routing.change_assignmentrule",
            "capture.change_webform",
        } <= granted
        assert "crm.export_personal_data" not in granted

    def test_only_administrators_delete_business_records(self):
        deletes = {"leads.delete_lead", "accounts.delete_account", "accounts.delete_contact"}
        deletes.add("opportunities.delete_opportunity")
        assert deletes <= codenames(ADMINISTRATOR_GROUP)
        for group in (SALESPERSON_GROUP, SALES_MANAGER_GROUP):
            assert not deletes & codenames(group)

    def test_administrators_have_every_permission(self):
        assert codenames(ADMINISTRATOR_GROUP) >= ACTIONS
        assert Group.objects.get(name=ADMINISTRATOR_GROUP).permissions.count() == (
            Permission.objects.count()
        )


class TestTheGroupsStayEditable:
    def test_a_permission_removed_in_the_admin_is_not_granted_again_by_migrate(self, as_admin):
        group = Group.objects.get(name=SALESPERSON_GROUP)
        qualify = Permission.objects.get(codename="qualify_lead")
        kept = group.permissions.exclude(pk=qualify.pk).values_list("pk", flat=True)
        response = as_admin.post(
            reverse("admin:auth_group_change", args=[group.pk]),
            {"name": group.name, "permissions": [str(pk) for pk in kept]},
        )
        assert response.status_code == 302
        assert "leads.qualify_lead" not in codenames(SALESPERSON_GROUP)

        call_command("migrate", verbosity=0)

        assert "leads.qualify_lead" not in codenames(SALESPERSON_GROUP)
        assert "leads.reassign_lead" in codenames(SALESPERSON_GROUP)

    def test_a_model_permission_removed_stays_removed_too(self):
        remove(SALES_MANAGER_GROUP, "leads.change_lead")

        call_command("migrate", verbosity=0)

        assert "leads.change_lead" not in codenames(SALES_MANAGER_GROUP)

    def test_a_permission_created_by_a_migrate_gets_its_default_groups(self):
        # As when a new version declares a new action: the run that creates it grants it.
        Permission.objects.filter(codename="reassign_lead").delete()
        assert "leads.reassign_lead" not in codenames(SALESPERSON_GROUP)

        call_command("migrate", verbosity=0)

        for group in (SALESPERSON_GROUP, SALES_MANAGER_GROUP, ADMINISTRATOR_GROUP):
            assert "leads.reassign_lead" in codenames(group)

    def test_a_model_permission_created_by_a_migrate_gets_its_default_groups(self):
        # As when a new version adds a model: Django creates its permissions in that migrate.
        Permission.objects.filter(codename="view_leadsource").delete()
        assert "leads.view_leadsource" not in codenames(SALESPERSON_GROUP)

        call_command("migrate", verbosity=0)

        assert "leads.view_leadsource" in codenames(SALESPERSON_GROUP)
        assert "leads.change_leadsource" not in codenames(SALESPERSON_GROUP)

    def test_the_first_migrate_with_action_permissions_takes_delete_from_sales_managers(self):
        # A database set up before: its sales managers could delete business records.
        manager_group = Group.objects.get(name=SALES_MANAGER_GROUP)
        manager_group.permissions.add(Permission.objects.get(codename="delete_lead"))
        Permission.objects.filter(codename="export_personal_data").delete()

        call_command("migrate", verbosity=0)

        assert "leads.delete_lead" not in codenames(SALES_MANAGER_GROUP)
        assert "crm.export_personal_data" in codenames(ADMINISTRATOR_GROUP)


class TestTheCheck:
    def test_the_refusal_names_the_missing_permission(self, alice):
        remove(SALESPERSON_GROUP, "leads.qualify_lead")
        alice = type(alice).objects.get(pk=alice.pk)  # a fresh permission cache

        with pytest.raises(Exception) as refused:
            check_permission(alice, "leads.qualify_lead")

        assert "Can qualify, disqualify and reactivate leads" in str(refused.value)

    def test_a_model_permission_is_named_in_words(self, alice):
        with pytest.raises(Exception) as refused:
            check_permission(alice, "leads.delete_lead")

        assert "Can delete lead" in str(refused.value)

    def test_the_request_user_brings_its_permissions_in_its_own_query(
        self, as_alice, django_assert_num_queries
    ):
        from crm.backends import UserBackend

        user = UserFactory(username="ida", groups=[SALESPERSON_GROUP])
        with django_assert_num_queries(1):
            loaded = UserBackend().get_user(user.pk)
            assert loaded.has_perm("leads.qualify_lead")
            assert not loaded.has_perm("leads.delete_lead")


class TestASalespersonWithoutQualify:
    @pytest.fixture(autouse=True)
    def _no_qualify(self, db):
        remove(SALESPERSON_GROUP, "leads.qualify_lead")

    def test_gets_a_403_saying_what_is_missing(self, as_alice, alice):
        lead = make_lead(owner=alice)

        for name in ("qualify", "disqualify"):
            response = as_alice.get(reverse(f"leads:{name}", args=[lead.pk]))
            assert response.status_code == 403
            assert "Can qualify, disqualify and reactivate leads" in response.content.decode()
        assert as_alice.post(reverse("leads:reactivate", args=[lead.pk])).status_code == 403

    def test_sees_no_qualify_or_disqualify_button(self, as_alice, alice):
        lead = make_lead(owner=alice)

        content = as_alice.get(reverse("leads:detail", args=[lead.pk])).content.decode()

        assert reverse("leads:qualify", args=[lead.pk]) not in content
        assert reverse("leads:disqualify", args=[lead.pk]) not in content

    def test_another_teams_lead_stays_a_404(self, as_alice, carol):
        lead = make_lead(owner=carol)

        assert as_alice.get(reverse("leads:qualify", args=[lead.pk])).status_code == 404

    def test_the_bulk_bar_offers_no_qualify_and_refuses_it(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.get(reverse("leads:list"))
        actions = dict(response.context["bulk_form"].fields["action"].choices)
        assert "qualify" not in actions and "disqualify" not in actions and "assign" in actions
        response = as_alice.post(reverse("leads:bulk"), {"action": "qualify", "leads": [lead.pk]})
        assert response.status_code == 403
        lead.refresh_from_db()
        assert lead.is_open

    def test_the_api_answers_403_json(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.post(
            f"/api/v1/leads/{lead.pk}/qualify/", {}, content_type="application/json"
        )

        assert response.status_code == 403
        assert "Can qualify, disqualify and reactivate leads" in response.json()["detail"]


class TestCustomersImportsAndReports:
    def test_a_role_without_add_account_gets_403_and_no_new_button(self, as_alice):
        remove(SALESPERSON_GROUP, "accounts.add_account")

        assert as_alice.get(reverse("accounts:account_create")).status_code == 403
        content = as_alice.get(reverse("accounts:account_list")).content.decode()
        assert reverse("accounts:account_create") not in content

    def test_without_change_account_deactivating_is_403_but_another_teams_is_404(
        self, as_alice, alice, carol
    ):
        from accounts.tests.factories import AccountFactory

        remove(SALESPERSON_GROUP, "accounts.change_account")
        mine, theirs = AccountFactory(owner_user=alice), AccountFactory(owner_user=carol)

        assert (
            as_alice.get(reverse("accounts:account_deactivate", args=[mine.pk])).status_code == 403
        )
        assert (
            as_alice.get(reverse("accounts:account_deactivate", args=[theirs.pk])).status_code
            == 404
        )

    def test_without_reassign_the_owner_of_an_account_cannot_change(self, alice, bob):
        from accounts.forms import AccountForm
        from accounts.tests.factories import AccountFactory

        remove(SALESPERSON_GROUP, "accounts.reassign_account")
        alice = type(alice).objects.get(pk=alice.pk)
        account = AccountFactory(owner_user=alice)

        form = AccountForm(instance=account, user=alice)

        assert form.fields["owner"].disabled

    def test_the_api_refuses_a_new_owner_without_reassign(self, as_alice, alice, bob):
        from accounts.tests.factories import AccountFactory

        remove(SALESPERSON_GROUP, "accounts.reassign_account")
        account = AccountFactory(owner_user=alice)

        response = as_alice.patch(
            f"/api/v1/accounts/{account.pk}/",
            {"owner": {"type": "user", "id": bob.pk}},
            content_type="application/json",
        )

        assert response.status_code == 403, response.content
        assert "Can give accounts to another owner" in response.json()["detail"]

    def test_importing_follows_the_permission_not_the_role(self, as_alice, as_manager):
        assert as_manager.get(reverse("imports:list")).status_code == 200
        remove(SALES_MANAGER_GROUP, "imports.import_leads")
        response = as_manager.get(reverse("imports:list"))
        assert response.status_code == 403
        assert "Can import leads" in response.content.decode()

    def test_a_salesperson_may_be_given_imports(self, client, alice):
        Group.objects.get(name=SALESPERSON_GROUP).permissions.add(
            Permission.objects.get(codename="import_leads")
        )
        client.force_login(alice)

        assert client.get(reverse("imports:list")).status_code == 200

    def test_reports_need_their_permission_and_the_menu_hides_them(self, as_alice):
        assert as_alice.get(reverse("reports:funnel")).status_code == 200
        remove(SALESPERSON_GROUP, "crm.view_reports")

        assert as_alice.get(reverse("reports:index")).status_code == 403
        assert as_alice.get(reverse("reports:funnel")).status_code == 403
        assert reverse("reports:index") not in as_alice.get(reverse("home")).content.decode()

    def test_without_reassign_no_bulk_assign_claim_or_apply(self, as_alice, alice):
        remove(SALESPERSON_GROUP, "leads.reassign_lead")
        lead = make_lead(owner=alice)

        response = as_alice.get(reverse("leads:list"))
        actions = dict(response.context["bulk_form"].fields["action"].choices)
        assert "assign" not in actions and "claim" not in actions and "qualify" in actions
        assert 'data-testid="apply-routing"' not in response.content.decode()
        for action in ("assign", "claim"):
            posted = as_alice.post(reverse("leads:bulk"), {"action": action, "leads": [lead.pk]})
            assert posted.status_code == 403
        assert as_alice.post(reverse("routing:apply"), {"leads": [lead.pk]}).status_code == 403
        assert as_alice.post(reverse("routing:claim", args=[lead.pk])).status_code == 403
        assert as_alice.get(reverse("leads:assign", args=[lead.pk])).status_code == 403
        owner_field = reverse("leads:edit_field", args=[lead.pk, "owner"])
        assert as_alice.get(owner_field).status_code == 403
        assert (
            owner_field
            not in as_alice.get(reverse("leads:detail", args=[lead.pk])).content.decode()
        )
