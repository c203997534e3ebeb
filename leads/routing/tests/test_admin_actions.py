"""The rules admin's bulk actions go through the services the in-app rule pages use: each
changed rule gets a new version (an edit opened before is refused), who changed it and when,
and a history row saying why."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from crm.history import history_page
from leads.routing.models import AssignmentRule
from leads.routing.tests.factories import make_rule

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:routing_assignmentrule_changelist"


def _act(client, action, *rules):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, ACTION_CHECKBOX_NAME: [rule.pk for rule in rules]},
    )


def _latest(rule):
    return rule.history.order_by("-history_date", "-history_id").first()


class TestActivateAndDeactivate:
    @pytest.mark.parametrize(
        ("action", "active", "reason"),
        [
            ("deactivate", False, "Deactivated"),
            ("activate", True, "Activated"),
        ],
    )
    def test_each_rule_gets_a_version_who_and_a_history_row(
        self, as_admin, admin_user, bob, action, active, reason
    ):
        first = make_rule("Web", bob, is_active=not active)
        second = make_rule("Fairs", bob, is_active=not active)
        rows_before = AssignmentRule.history.count()

        response = _act(as_admin, action, first, second)

        assert response.status_code == 302
        for rule in (first, second):
            rule.refresh_from_db()
            assert (rule.is_active, rule.version, rule.modified_by) == (active, 2, admin_user)
            row = _latest(rule)
            assert (row.history_change_reason, row.history_user) == (reason, admin_user)
        assert AssignmentRule.history.count() == rows_before + 2

    def test_the_history_tab_reads_it(self, as_admin, admin_user, bob):
        rule = make_rule("Web", bob)

        _act(as_admin, "deactivate", rule)

        [entry, *_older] = history_page(rule, user=admin_user).entries
        assert "Deactivated" in str(vars(entry))

    def test_a_rule_already_so_is_left_alone(self, as_admin, bob):
        rule = make_rule("Web", bob, is_active=True)
        rows_before = rule.history.count()

        _act(as_admin, "activate", rule)

        rule.refresh_from_db()
        assert (rule.version, rule.history.count()) == (1, rows_before)

    def test_a_manager_changes_only_their_teams_rules(self, client, manager, bob, carol):
        manager.is_staff = True
        manager.save()
        client.force_login(manager)
        mine, theirs = make_rule("North", bob), make_rule("South", carol)

        response = _act(client, "deactivate", mine, theirs)

        assert response.status_code == 302
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.is_active, mine.version) == (False, 2)
        assert (theirs.is_active, theirs.version) == (True, 1)


class TestRenumber:
    def test_each_renumbered_rule_gets_a_version_and_a_history_row(
        self, as_admin, admin_user, bob
    ):
        first = make_rule("First", bob, priority=3)  # the one ticked: all are renumbered
        make_rule("Second", bob, priority=20)
        make_rule("Third", bob, priority=7)

        _act(as_admin, "renumber", first)

        rules = list(AssignmentRule.objects.order_by("priority"))
        assert [(r.name, r.priority) for r in rules] == [
            ("First", 10),
            ("Third", 20),
            ("Second", 30),
        ]
        for rule in rules:
            assert (rule.version, rule.modified_by) == (2, admin_user)
            row = _latest(rule)
            assert (row.history_change_reason, row.history_user) == ("Renumbered", admin_user)
