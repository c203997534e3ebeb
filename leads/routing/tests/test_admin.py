"""Configuration by staff: rules with conditions, the preview, hand-over, lead admin action."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from crm.tests.factories import UserFactory
from leads import services as lead_services
from leads.models import Lead
from leads.routing.models import AssignmentRule, LeadField, Operator, TeamDistribution
from leads.routing.tests.factories import make_rule
from leads.tests.factories import lead_data

pytestmark = pytest.mark.django_db


def inline(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


class TestRuleAdmin:
    def test_an_admin_adds_a_rule_with_conditions(self, as_admin, east):
        data = {
            "name": "Big Danes",
            "priority": 5,
            "is_active": "on",
            "target_team": east.pk,
            "distribution": "load_balanced",
            "capacity": 20,
            **inline(
                "conditions",
                [
                    {"field": "country", "operator": "equals", "value": "Denmark"},
                    {"field": "industry", "operator": "in", "value": "Accounting, 2"},
                ],
            ),
        }

        response = as_admin.post(reverse("admin:routing_assignmentrule_add"), data)

        assert response.status_code == 302
        rule = AssignmentRule.objects.get()
        assert [c.value for c in rule.conditions.all()] == ["Denmark", "1, 2"]

    def test_an_admin_save_after_an_edit_in_the_app_is_refused_not_overwriting_it(
        self, as_admin, admin_user, bob
    ):
        from leads.routing.services import save_rule

        rule = make_rule("Web leads", bob)
        opened_at = rule.version
        save_rule(
            user=admin_user,
            values={"name": "Renamed in the app"},
            conditions=[],
            rule=rule,
            expected_version=opened_at,
        )
        data = {
            "name": "Renamed in the admin",
            "priority": rule.priority,
            "is_active": "on",
            "target_user": bob.pk,
            "distribution": "round_robin",
            "expected_version": opened_at,
            **inline("conditions", []),
        }

        response = as_admin.post(
            reverse("admin:routing_assignmentrule_change", args=[rule.pk]), data
        )

        assert response.status_code == 200  # the form again, with the refusal
        rule.refresh_from_db()
        assert rule.name == "Renamed in the app"
        assert rule.version == opened_at + 1

    def test_a_rule_needs_exactly_one_target_and_sensible_conditions(self, as_admin, east, bob):
        data = {
            "name": "Both",
            "priority": 5,
            "target_team": east.pk,
            "target_user": bob.pk,
            "distribution": "round_robin",
            **inline(
                "conditions",
                [{"field": "city", "operator": "gte", "value": "10"}],
            ),
        }

        response = as_admin.post(reverse("admin:routing_assignmentrule_add"), data)

        assert response.status_code == 200
        content = response.content.decode()
        assert "Assign to exactly one user or one team." in content
        assert "apply to number fields" in content
        assert not AssignmentRule.objects.exists()

    def test_the_list_is_ordered_by_priority_and_editable(self, as_admin, bob):
        make_rule("Second", bob, priority=20)
        make_rule("First", bob, priority=10)

        response = as_admin.get(reverse("admin:routing_assignmentrule_changelist"))

        assert [rule.name for rule in response.context["cl"].result_list] == ["First", "Second"]
        assert 'name="form-0-priority"' in response.content.decode()
        assert "Preview routing" in response.content.decode()

    def test_a_rep_may_read_but_not_change_rules(self, client, alice, bob):
        make_rule("Bob's", bob)
        alice.is_staff = True
        alice.save()
        client.force_login(alice)

        assert client.get(reverse("admin:routing_assignmentrule_add")).status_code == 403


class TestPreview:
    url = "admin:routing_assignmentrule_preview"

    def test_typed_values_show_the_rule_and_the_person_without_assigning(self, as_admin, east):
        make_rule("Danes", east, (LeadField.COUNTRY, Operator.EQUALS, "Denmark"))

        response = as_admin.get(reverse(self.url), {"country": "denmark", "company_name": "X"})

        content = response.content.decode()
        assert "Rule “Danes” matched." in content
        assert "Dan — got the lead" in content
        assert not TeamDistribution.objects.filter(sequence__gt=0).exists()
        assert not Lead.objects.exists()

    def test_a_stored_lead_can_be_previewed(self, as_admin, alice, bob):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice)
        make_rule("Bob's", bob)

        response = as_admin.get(reverse(self.url), {"lead_id": lead.pk})

        assert "Bob Berg" in response.content.decode()
        lead.refresh_from_db()
        assert lead.owner == alice

    def test_staff_without_the_view_permission_get_403_not_500(self, client, db):
        client.force_login(UserFactory(username="temp", is_staff=True))

        response = client.get(reverse(self.url), {"country": "Denmark"})

        assert response.status_code == 403

    def test_an_unknown_lead_number_is_a_form_error(self, as_admin):
        response = as_admin.get(reverse(self.url), {"lead_id": 999})

        assert "There is no lead with this number." in response.content.decode()


class TestHandOver:
    def test_a_departing_users_leads_are_rerouted_in_one_step(self, as_admin, alice, east, dan):
        make_rule("East", east)
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, route=True)
        assert lead.owner == dan
        url = reverse("admin:routing_departinguser_changelist")
        chosen = {"action": "hand_over", ACTION_CHECKBOX_NAME: [dan.pk]}

        confirm = as_admin.post(url, chosen)
        assert confirm.status_code == 200
        assert "Hand over open leads" in confirm.content.decode()
        done = as_admin.post(url, {**chosen, "apply": "1", "owner": "auto", "deactivate": "on"})

        assert done.status_code == 302
        lead.refresh_from_db()
        dan.refresh_from_db()
        assert lead.owner.username == "eve"
        assert not dan.is_active

    def test_the_leads_can_go_to_a_chosen_user(self, as_admin, alice, bob, carol):
        lead = lead_services.create_lead(data=lead_data(), created_by=bob)
        url = reverse("admin:routing_departinguser_changelist")

        as_admin.post(
            url,
            {
                "action": "hand_over",
                ACTION_CHECKBOX_NAME: [bob.pk],
                "apply": "1",
                "owner": f"user:{carol.pk}",
            },
        )

        lead.refresh_from_db()
        assert lead.owner == carol

    def test_the_list_shows_open_lead_counts(self, as_admin, bob):
        lead_services.create_lead(data=lead_data(), created_by=bob)

        response = as_admin.get(reverse("admin:routing_departinguser_changelist"))

        by_user = {u.username: u.open_lead_count for u in response.context["cl"].result_list}
        assert by_user["bob"] == 1


class TestLeadAdmin:
    def test_apply_routing_rules_is_a_lead_admin_action(self, as_admin, alice, bob):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice)
        make_rule("Bob's", bob)

        response = as_admin.post(
            reverse("admin:leads_lead_changelist"),
            {"action": "apply_routing_rules", ACTION_CHECKBOX_NAME: [lead.pk]},
        )

        assert response.status_code == 302
        lead.refresh_from_db()
        assert lead.owner == bob

    def test_the_lead_admin_shows_the_explanations(self, as_admin, alice, bob):
        make_rule("Bob's", bob)
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, route=True)

        response = as_admin.get(reverse("admin:leads_lead_change", args=[lead.pk]))

        assert "why the lead went to whom" in response.content.decode().lower()

    def test_the_explanations_have_a_read_only_list(self, as_admin, alice, bob):
        make_rule("Bob's", bob)
        lead_services.create_lead(data=lead_data(), created_by=alice, route=True)

        response = as_admin.get(reverse("admin:routing_assignmentexplanation_changelist"))

        assert response.status_code == 200
        assert "Bob&#x27;s" in response.content.decode()
