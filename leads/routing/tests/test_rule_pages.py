"""The routing rules pages: a manager keeps the rules of their own teams in the app (and the
next lead follows them), never another team's; a rep without the permission is refused."""

import pytest
from django.urls import reverse

from crm.models import SALES_MANAGER_GROUP, Membership
from crm.tests.factories import MembershipFactory, UserFactory
from leads.models import Lead
from leads.routing import services
from leads.routing.models import AssignmentRule, LeadField, Operator
from leads.routing.tests.factories import make_rule
from leads.services import create_leads

pytestmark = pytest.mark.django_db


@pytest.fixture
def south_manager(south, carol):
    user = UserFactory(
        username="sam", first_name="Sam", last_name="South", groups=[SALES_MANAGER_GROUP]
    )
    MembershipFactory(user=user, team=south, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def danish_rule(alice):
    return make_rule("Danish leads", alice, (LeadField.COUNTRY, Operator.EQUALS, "Denmark"))


@pytest.fixture
def south_rule(carol):
    return make_rule("Swedish leads", carol, (LeadField.COUNTRY, Operator.EQUALS, "Sweden"))


def rule_post(rule, *, target, value, name=None, version=None):
    """The edit form as the page posts it, with the rule's one condition changed."""
    condition = rule.conditions.get()
    return {
        "name": name or rule.name,
        "target": target,
        "distribution": rule.distribution,
        "capacity": "",
        "priority": rule.priority,
        "is_active": "on",
        "expected_version": version if version is not None else rule.version,
        "conditions-TOTAL_FORMS": "2",
        "conditions-INITIAL_FORMS": "1",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "1000",
        "conditions-0-id": condition.pk,
        "conditions-0-rule": rule.pk,
        "conditions-0-field": condition.field,
        "conditions-0-operator": condition.operator,
        "conditions-0-value": value,
        "conditions-1-id": "",
        "conditions-1-rule": rule.pk,
        "conditions-1-field": "",
        "conditions-1-operator": "",
        "conditions-1-value": "",
    }


def new_lead(creator, **values):
    (lead,) = create_leads(
        leads=[Lead(last_name="Larsen", **values)], created_by=creator, route=True
    )
    return lead


class TestTheList:
    def test_a_manager_sees_their_teams_rules_in_order_with_conditions_in_words(
        self, as_manager, danish_rule, south_rule, bob
    ):
        make_rule("Big companies", bob, (LeadField.NUMBER_OF_EMPLOYEES, Operator.GTE, "500"))
        response = as_manager.get(reverse("routing:rules"))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Danish leads" in text and "Country equals Denmark" in text
        assert "Number of employees is greater than or equal to 500" in text
        assert text.index("Danish leads") < text.index("Big companies")
        assert "Swedish leads" not in text  # Carol is South's, not Maria's

    def test_an_administrator_sees_every_rule(self, as_admin, danish_rule, south_rule):
        text = as_admin.get(reverse("routing:rules")).content.decode()
        assert "Danish leads" in text and "Swedish leads" in text

    def test_a_salesperson_without_the_permission_is_refused(self, as_alice, danish_rule):
        assert as_alice.get(reverse("routing:rules")).status_code == 403
        assert as_alice.get(reverse("routing:rule_edit", args=[danish_rule.pk])).status_code == 403
        assert as_alice.get(reverse("routing:rule_preview")).status_code == 403
        assert "Routing rules" not in as_alice.get(reverse("leads:list")).content.decode()

    def test_the_menu_offers_the_page_to_the_manager(self, as_manager):
        assert reverse("routing:rules") in as_manager.get(reverse("leads:list")).content.decode()

    def test_the_wrong_method_is_refused(self, as_manager):
        assert as_manager.post(reverse("routing:rules")).status_code == 405

    def test_the_query_count_of_the_list(
        self, as_manager, manager, alice, bob, north, django_assert_num_queries
    ):
        for n in range(5):
            make_rule(
                f"Rule {n}",
                [alice, bob, north][n % 3],
                (LeadField.CITY, Operator.EQUALS, "Aarhus"),
            )
        as_manager.get(reverse("routing:rules"))  # warm the content types
        # session, user (with their permissions), the scope, the rules with their targets and
        # editor, their conditions
        with django_assert_num_queries(5):
            response = as_manager.get(reverse("routing:rules"))
        assert response.content.decode().count('data-testid="rule-row"') == 5


class TestEditing:
    def test_a_managers_rule_change_routes_the_next_lead(
        self, as_manager, manager, danish_rule, alice, bob
    ):
        assert new_lead(manager, country="Denmark").owner == alice
        response = as_manager.post(
            reverse("routing:rule_edit", args=[danish_rule.pk]),
            rule_post(danish_rule, target=f"user:{bob.pk}", value="Norway"),
        )
        assert response.status_code == 302, response.context["form"].errors

        assert new_lead(manager, country="Norway").owner == bob
        assert new_lead(manager, country="Denmark").owner == manager  # no rule: the creator
        danish_rule.refresh_from_db()
        assert danish_rule.version == 2
        record = danish_rule.history.first()
        assert (record.history_user, record.history_change_reason) == (
            manager,
            "Changed in the app",
        )
        (changed,) = danish_rule.conditions.get().history.filter(history_type="~")
        assert (changed.value, changed.history_user, changed.history_date) == (
            "Norway",
            manager,
            record.history_date,  # one save, one date: one entry on the History tab
        )

    def test_the_rules_page_shows_its_history_in_words(self, as_manager, danish_rule, bob):
        as_manager.post(
            reverse("routing:rule_edit", args=[danish_rule.pk]),
            rule_post(danish_rule, target=f"user:{bob.pk}", value="Norway"),
        )
        response = as_manager.get(reverse("routing:rule_edit", args=[danish_rule.pk]))
        newest = response.context["history"].entries[0]
        assert (newest.who, newest.kind_label, newest.reason) == (
            "Maria Manning",
            "Changed",
            "Changed in the app",
        )
        assert [(c.label, c.old, c.new) for c in newest.changes] == [
            ("Assign to user", "Alice Adams", "Bob Berg"),
            ("Condition", "Country equals Denmark", "Country equals Norway"),
        ]
        assert "Country equals Denmark</span> → Country equals Norway" in response.content.decode()

    def test_a_deleted_and_an_added_condition_are_in_the_history(
        self, as_manager, danish_rule, alice
    ):
        data = rule_post(danish_rule, target=f"user:{alice.pk}", value="Denmark")
        data.update(
            {
                "conditions-0-DELETE": "on",
                "conditions-1-field": "city",
                "conditions-1-operator": "equals",
                "conditions-1-value": "Aarhus",
            }
        )
        as_manager.post(reverse("routing:rule_edit", args=[danish_rule.pk]), data)
        assert [str(c) for c in danish_rule.conditions.all()] == ["City equals Aarhus"]
        response = as_manager.get(reverse("routing:rule_edit", args=[danish_rule.pk]))
        changes = [(c.old, c.new) for c in response.context["history"].entries[0].changes]
        assert sorted(changes) == [("Country equals Denmark", "—"), ("—", "City equals Aarhus")]

    def test_a_new_rule_with_a_condition(self, as_manager, manager, north):
        data = {
            "name": "Hotels",
            "target": f"team:{north.pk}",
            "distribution": "round_robin",
            "priority": "5",
            "is_active": "on",
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "1000",
            "conditions-0-field": "industry",
            "conditions-0-operator": "equals",
            "conditions-0-value": "Accounting",
        }
        response = as_manager.post(reverse("routing:rule_new"), data)
        assert response.status_code == 302, response.context["formset"].errors
        rule = AssignmentRule.objects.get(name="Hotels")
        assert rule.target == north
        assert rule.conditions.get().value == "1"  # stored as the code

    def test_a_manager_cannot_target_a_user_outside_their_teams(
        self, as_manager, danish_rule, carol
    ):
        response = as_manager.post(
            reverse("routing:rule_edit", args=[danish_rule.pk]),
            rule_post(danish_rule, target=f"user:{carol.pk}", value="Denmark"),
        )
        assert response.status_code == 200
        assert "target" in response.context["form"].errors
        assert f'value="user:{carol.pk}"' not in response.content.decode()  # not offered
        danish_rule.refresh_from_db()
        assert danish_rule.target_user_id != carol.pk

    def test_the_service_refuses_a_target_outside_the_teams_too(self, manager, danish_rule, carol):
        with pytest.raises(services.DomainError):
            services.save_rule(
                user=manager,
                values={"target_user": carol, "target_team": None},
                conditions=[],
                rule=danish_rule,
            )

    def test_another_teams_rule_is_not_found(self, as_manager, south_rule, alice):
        url = reverse("routing:rule_edit", args=[south_rule.pk])
        assert as_manager.get(url).status_code == 404
        posted = rule_post(south_rule, target=f"user:{alice.pk}", value="Norway")
        assert as_manager.post(url, posted).status_code == 404
        for name in ("routing:rule_set_active", "routing:rule_move"):
            assert as_manager.post(reverse(name, args=[south_rule.pk])).status_code == 404
        south_rule.refresh_from_db()
        assert south_rule.is_active and south_rule.conditions.get().value == "Sweden"

    def test_another_managers_rule_is_not_found_either(self, client, south_manager, danish_rule):
        client.force_login(south_manager)
        assert client.get(reverse("routing:rule_edit", args=[danish_rule.pk])).status_code == 404

    def test_a_stale_edit_is_refused(self, as_manager, danish_rule, bob, alice):
        url = reverse("routing:rule_edit", args=[danish_rule.pk])
        as_manager.post(url, rule_post(danish_rule, target=f"user:{bob.pk}", value="Norway"))
        response = as_manager.post(
            url, rule_post(danish_rule, target=f"user:{alice.pk}", value="Finland", version=1)
        )
        assert response.status_code == 200
        assert "after this page was opened" in response.content.decode()
        danish_rule.refresh_from_db()
        assert danish_rule.target_user == bob

    def test_deactivating_a_rule_stops_it_routing(self, as_manager, manager, danish_rule):
        response = as_manager.post(
            reverse("routing:rule_set_active", args=[danish_rule.pk]),
            {"active": "0", "version": danish_rule.version},
        )
        assert response.status_code == 302
        danish_rule.refresh_from_db()
        assert not danish_rule.is_active
        assert danish_rule.history.first().history_change_reason == "Deactivated"
        assert new_lead(manager, country="Denmark").owner == manager

    def test_moving_a_rule_up_makes_it_win(self, as_manager, manager, alice, bob, south_rule):
        first = make_rule("Everything to Alice", alice, priority=10)
        second = make_rule("Everything to Bob", bob, priority=10)
        as_manager.post(reverse("routing:rule_move", args=[second.pk]), {"direction": "up"})
        assert new_lead(manager).owner == bob
        first.refresh_from_db()
        second.refresh_from_db()
        assert second.priority < first.priority


class TestPreview:
    def test_a_described_lead_shows_the_rule_and_the_owner(self, as_manager, danish_rule):
        response = as_manager.get(reverse("routing:rule_preview"), {"country": "denmark"})
        text = response.content.decode()
        assert "Rule “Danish leads” matched." in text and "Alice Adams" in text
        assert Lead.objects.count() == 0

    def test_htmx_gets_the_form_and_result_alone(self, as_manager, danish_rule):
        response = as_manager.get(
            reverse("routing:rule_preview"), {"country": "Denmark"}, headers={"HX-Request": "true"}
        )
        text = response.content.decode()
        assert "Alice Adams" in text and "<nav" not in text

    def test_another_teams_rule_is_not_named(self, as_manager, south_rule):
        text = as_manager.get(reverse("routing:rule_preview"), {"country": "Sweden"}).content
        assert b"Swedish leads" not in text and b"Carol" not in text
        assert b"a rule of another team" in text

    def test_only_visible_leads_can_be_picked(self, as_manager, carol):
        lead = new_lead(carol, country="Sweden")
        response = as_manager.get(reverse("routing:rule_preview"), {"lead_id": lead.pk})
        assert "There is no lead with this number." in response.content.decode()
