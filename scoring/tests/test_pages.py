"""The lead scoring page: a manager keeps the scoring rules and settings in the app (and the
open leads are re-scored after each change); a rep without the permission is told why; the
anonymous are sent to log in."""

import pytest
from django.urls import reverse

from leads.models import Lead
from leads.tests.factories import make_lead
from scoring.models import LeadScore, ScoreModel, ScoringRule, ScoringSettings
from scoring.tests.generated_leads import generate_leads

pytestmark = pytest.mark.django_db


def field_rule(**values):
    rule = ScoringRule(
        name="Danish leads", kind="field", field="country", operator="equals", value="Denmark"
    )
    for name, value in {"points": 30, **values}.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule


def rule_post(**values):
    """The rule form as the page posts it: a field rule unless told otherwise."""
    return {
        "name": "Danish leads",
        "kind": "field",
        "field": "country",
        "operator": "equals",
        "value": "Denmark",
        "engagement": "",
        "minimum": "1",
        "within_days": "30",
        "points": "30",
        "is_active": "on",
        "expected_version": "",
        **values,
    }


def settings_post(**values):
    current = ScoringSettings.current()
    return {
        "half_life_days": "14",
        "grade_a": "75",
        "grade_b": "50",
        "grade_c": "25",
        "min_closed_leads": "50",
        "expected_version": str(current.version),
        **values,
    }


class TestThePage:
    def test_a_manager_sees_the_rules_in_words_the_settings_and_why_there_is_no_model(
        self, as_manager
    ):
        field_rule()
        field_rule(name="No topic", operator="is_empty", field="topic", points=-6)
        response = as_manager.get(reverse("scoring:index"))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Country equals Denmark" in text and "+30" in text
        assert "\N{MINUS SIGN}6" in text
        assert 'name="half_life_days"' in text and 'name="grade_a"' in text
        assert "No prediction yet: the model learns from closed leads" in text
        assert "Retrain now" in text

    def test_a_trained_model_is_shown_with_when_how_many_and_its_auc(self, as_manager):
        ScoreModel.objects.create(trained_on=412, held_out=103, qualified=200, auc=0.8123)
        text = as_manager.get(reverse("scoring:index")).content.decode()
        assert "412 closed leads" in text and "103 held-out leads" in text
        assert "0.81" in text
        assert "No prediction yet" not in text

    def test_the_menu_links_the_page_for_a_manager_only(self, as_manager, client, alice):
        assert reverse("scoring:index") in as_manager.get(reverse("leads:list")).content.decode()
        client.force_login(alice)
        assert reverse("scoring:index") not in client.get(reverse("leads:list")).content.decode()

    def test_a_rep_is_refused_with_the_permission_named(self, as_alice):
        response = as_alice.get(reverse("scoring:index"))
        assert response.status_code == 403
        assert "Can change scoring rule" in response.content.decode()

    def test_the_anonymous_are_sent_to_log_in(self, client):
        response = client.get(reverse("scoring:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_the_page_only_answers_get(self, as_manager):
        assert as_manager.post(reverse("scoring:index")).status_code == 405


class TestRules:
    def test_a_manager_adds_a_field_rule(self, as_manager, manager):
        response = as_manager.post(reverse("scoring:rule_new"), rule_post(), follow=True)
        rule = ScoringRule.objects.get()
        assert (rule.field, rule.operator, rule.value, rule.points) == (
            "country",
            "equals",
            "Denmark",
            30,
        )
        assert rule.modified_by == manager
        assert rule.history.get().history_change_reason == "Created in the app"
        text = response.content.decode()
        assert "Rule “Danish leads” saved. Scores are being recomputed in the background." in text

    def test_an_activity_rule_keeps_no_field_condition(self, as_manager):
        post = rule_post(
            name="Called lately", kind="activity", engagement="phone_call", minimum="2"
        )
        as_manager.post(reverse("scoring:rule_new"), post)
        rule = ScoringRule.objects.get()
        assert (rule.kind, rule.engagement, rule.minimum) == ("activity", "phone_call", 2)
        assert (rule.field, rule.operator, rule.value) == ("", "", "")
        assert rule.describe() == "At least 2 × phone calls in the last 30 days"

    @pytest.mark.parametrize(
        ("values", "error"),
        [
            ({"points": "0"}, "A rule of 0 points changes nothing."),
            ({"points": "101"}, "Ensure this value is less than or equal to 100."),
            ({"field": "", "operator": ""}, "Choose a lead field and an operator."),
            ({"value": ""}, "Enter a value for this operator."),
            ({"field": "number_of_employees", "value": "many"}, "is not a number."),
            ({"kind": "activity", "engagement": ""}, "Choose the activity to count."),
        ],
    )
    def test_invalid_input_shows_the_form_again_with_the_error(self, as_manager, values, error):
        response = as_manager.post(reverse("scoring:rule_new"), rule_post(**values))
        assert response.status_code == 200
        assert error in response.content.decode()
        assert not ScoringRule.objects.exists()

    def test_a_manager_edits_a_rule_and_its_history_says_who_changed_what(
        self, as_manager, manager
    ):
        rule = field_rule()
        post = rule_post(value="Norway", points="-10", expected_version=rule.version)
        as_manager.post(reverse("scoring:rule_edit", args=[rule.pk]), post)
        rule.refresh_from_db()
        assert (rule.value, rule.points, rule.version) == ("Norway", -10, 2)
        page = as_manager.get(reverse("scoring:rule_edit", args=[rule.pk])).content.decode()
        history = page[page.index('data-testid="scoring-rule-history"') :]
        assert "Maria Manning" in history and "Changed in the app" in history
        assert "Denmark" in history and "Norway" in history

    def test_a_stale_edit_is_refused_and_changes_nothing(self, as_manager):
        rule = field_rule()
        post = rule_post(value="Norway", expected_version=rule.version - 1 or 99)
        response = as_manager.post(reverse("scoring:rule_edit", args=[rule.pk]), post)
        assert "Nothing was saved" in response.content.decode()
        rule.refresh_from_db()
        assert rule.value == "Denmark"

    def test_a_rep_may_neither_add_nor_edit(self, as_alice):
        rule = field_rule()
        assert as_alice.post(reverse("scoring:rule_new"), rule_post()).status_code == 403
        edit = reverse("scoring:rule_edit", args=[rule.pk])
        assert as_alice.post(edit, rule_post(value="Norway")).status_code == 403
        rule.refresh_from_db()
        assert rule.value == "Denmark" and ScoringRule.objects.count() == 1

    def test_a_missing_rule_is_not_found(self, as_manager):
        assert as_manager.get(reverse("scoring:rule_edit", args=[999])).status_code == 404

    def test_an_administrator_deletes_a_rule_after_a_confirmation(self, as_admin):
        rule = field_rule()
        url = reverse("scoring:rule_delete", args=[rule.pk])
        confirm = as_admin.get(url)
        assert "Delete the rule Danish leads?" in confirm.content.decode()
        assert ScoringRule.objects.exists()
        response = as_admin.post(url, follow=True)
        assert not ScoringRule.objects.exists()
        assert "Rule “Danish leads” deleted." in response.content.decode()

    def test_a_manager_may_not_delete_a_rule_by_default(self, as_manager):
        # Configuration is deleted by administrators only (crm/permissions.py); managers
        # deactivate a rule instead.
        rule = field_rule()
        response = as_manager.post(reverse("scoring:rule_delete", args=[rule.pk]))
        assert response.status_code == 403
        assert ScoringRule.objects.filter(pk=rule.pk).exists()
        page = as_manager.get(reverse("scoring:index")).content.decode()
        assert 'data-testid="delete-scoring-rule"' not in page


class TestRescoring:
    def test_adding_a_rule_rescores_the_open_leads(
        self, as_manager, alice, django_capture_on_commit_callbacks
    ):
        danish = make_lead(owner=alice, last_name="Larsen", country="Denmark")
        swedish = make_lead(owner=alice, last_name="Svensson", country="Sweden")
        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(reverse("scoring:rule_new"), rule_post())
        danish.refresh_from_db()
        swedish.refresh_from_db()
        assert (danish.score, swedish.score) == (30, 0)
        assert LeadScore.objects.get(lead=danish).factors == [
            {"label": "Danish leads", "points": 30, "part": "rule"}
        ]

    def test_changing_a_rule_rescores_with_the_new_points(
        self, as_manager, alice, django_capture_on_commit_callbacks
    ):
        danish = make_lead(owner=alice, last_name="Larsen", country="Denmark")
        rule = field_rule()
        post = rule_post(points="45", expected_version=rule.version)
        with django_capture_on_commit_callbacks(execute=True):
            as_manager.post(reverse("scoring:rule_edit", args=[rule.pk]), post)
        assert Lead.objects.get(pk=danish.pk).score == 45

    def test_changed_grade_boundaries_regrade_the_leads(
        self, as_manager, alice, django_capture_on_commit_callbacks
    ):
        danish = make_lead(owner=alice, last_name="Larsen", country="Denmark")
        field_rule()
        with django_capture_on_commit_callbacks(execute=True):
            response = as_manager.post(
                reverse("scoring:settings"),
                settings_post(grade_a="40", grade_b="30", grade_c="20"),
                follow=True,
            )
        assert "Scoring settings saved. Scores are being recomputed" in response.content.decode()
        assert Lead.objects.get(pk=danish.pk).grade == "B"  # 30 points, B from 30
        assert ScoringSettings.current().version == 2


class TestSettings:
    def test_falling_grade_boundaries_are_required(self, as_manager):
        response = as_manager.post(reverse("scoring:settings"), settings_post(grade_b="80"))
        assert response.status_code == 200
        form = response.context["settings_form"]
        assert form.errors["grade_a"] == ["Grade A must start above grade B (80)."]
        assert ScoringSettings.current().grade_b == 50

    def test_grade_c_at_or_above_b_is_said_on_b(self, as_manager):
        response = as_manager.post(reverse("scoring:settings"), settings_post(grade_c="50"))
        form = response.context["settings_form"]
        assert form.errors["grade_b"] == ["Grade B must start above grade C (50)."]
        assert ScoringSettings.current().grade_c == 25

    def test_too_few_closed_leads_for_a_model_are_refused(self, as_manager):
        response = as_manager.post(
            reverse("scoring:settings"), settings_post(min_closed_leads="5")
        )
        assert response.status_code == 200
        assert ScoringSettings.current().min_closed_leads == 50

    def test_a_rep_may_not_change_the_settings(self, as_alice):
        response = as_alice.post(reverse("scoring:settings"), settings_post(half_life_days="3"))
        assert response.status_code == 403
        assert ScoringSettings.current().half_life_days == 14

    def test_the_settings_only_take_a_post(self, as_manager):
        assert as_manager.get(reverse("scoring:settings")).status_code == 405


class TestRetrain:
    def test_retrain_learns_in_the_background_and_rescores(self, as_manager, alice):
        generate_leads(owner=alice, closed=60, open_=1)
        response = as_manager.post(reverse("scoring:retrain"), follow=True)
        assert "Learning the model again in the background" in response.content.decode()
        assert ScoreModel.objects.get().trained_on + ScoreModel.objects.get().held_out == 60
        assert LeadScore.objects.filter(lead__state="open").count() == 1

    def test_retrain_with_too_few_closed_leads_says_why_and_runs_nothing(self, as_manager, alice):
        lead = make_lead(owner=alice, last_name="Larsen")
        response = as_manager.post(reverse("scoring:retrain"), follow=True)
        text = response.content.decode()
        assert "No prediction yet: the model learns from closed leads" in text
        assert "Learning the model again" not in text and "Not retrained." in text
        assert not ScoreModel.objects.exists()
        assert not LeadScore.objects.filter(lead=lead).exists()

    def test_a_rep_may_not_retrain(self, as_alice):
        assert as_alice.post(reverse("scoring:retrain")).status_code == 403

    def test_retrain_only_takes_a_post(self, as_manager):
        assert as_manager.get(reverse("scoring:retrain")).status_code == 405


class TestReach:
    """How many open leads a rule holds for: on the form before saving (htmx) and said after
    a save, with the field's common values when it holds for none."""

    def test_the_form_counts_the_open_leads_the_unsaved_rule_holds_for(self, as_manager, alice):
        make_lead(owner=alice, last_name="Jensen", country="Denmark")
        make_lead(owner=alice, last_name="Hansen", country="DENMARK")
        make_lead(owner=alice, last_name="Schmidt", country="Germany")
        response = as_manager.post(reverse("scoring:rule_reach"), rule_post())
        text = response.content.decode()
        assert "This rule holds for 2 of the 3 open leads you can see." in text
        assert not ScoringRule.objects.exists()

    def test_a_rule_that_holds_for_none_names_the_values_the_field_holds(self, as_manager, alice):
        for name in ("Jensen", "Hansen"):
            make_lead(owner=alice, last_name=name, country="Danmark")
        make_lead(owner=alice, last_name="Schmidt", country="Tyskland")
        response = as_manager.post(reverse("scoring:rule_reach"), rule_post())
        text = response.content.decode()
        assert "This rule holds for none of the 3 open leads you can see." in text
        assert text.index("“Danmark” (2)") < text.index("“Tyskland” (1)")

    def test_saving_says_how_many_it_holds_for_or_warns(self, as_manager, alice):
        make_lead(owner=alice, last_name="Jensen", country="Danmark")
        response = as_manager.post(reverse("scoring:rule_new"), rule_post(), follow=True)
        text = response.content.decode()
        assert "“Danish leads” holds for none of the 1 open leads you can see." in text
        assert "The values this field holds most often: “Danmark” (1)." in text
        response = as_manager.post(
            reverse("scoring:rule_new"), rule_post(name="Danes", value="Danmark"), follow=True
        )
        assert "“Danes” holds for 1 of the 1 open leads you can see." in response.content.decode()

    def test_an_activity_rule_counts_leads_with_enough_recent_activities(self, as_manager, alice):
        from activities.services import log_activity

        called = make_lead(owner=alice, last_name="Jensen")
        make_lead(owner=alice, last_name="Hansen")
        log_activity(
            regarding=called,
            user=alice,
            kind="phone_call",
            data={"subject": "Intro call", "direction": "outgoing"},
        )
        post = rule_post(kind="activity", engagement="phone_call", minimum="1")
        response = as_manager.post(reverse("scoring:rule_reach"), post)
        assert "holds for 1 of the 2 open leads" in response.content.decode()
        post["minimum"] = "2"
        response = as_manager.post(reverse("scoring:rule_reach"), post)
        assert "holds for none of the 2 open leads" in response.content.decode()

    def test_the_count_needs_no_points_yet(self, as_manager, alice):
        make_lead(owner=alice, last_name="Jensen", country="Denmark")
        response = as_manager.post(reverse("scoring:rule_reach"), rule_post(points=""))
        assert "holds for 1 of the 1 open leads" in response.content.decode()

    def test_an_incomplete_rule_says_what_is_missing(self, as_manager):
        response = as_manager.post(reverse("scoring:rule_reach"), rule_post(value=""))
        text = response.content.decode()
        assert "Complete the rule to count the leads it holds for" in text
        assert "Enter a value for this operator." in text

    def test_only_the_leads_the_manager_may_see_are_counted(self, as_manager, alice, carol):
        make_lead(owner=alice, last_name="Jensen", country="Denmark")
        make_lead(owner=carol, last_name="Hansen", country="Denmark")
        response = as_manager.post(reverse("scoring:rule_reach"), rule_post())
        assert "holds for 1 of the 1 open leads you can see" in response.content.decode()

    def test_a_rep_may_not_count(self, as_alice):
        assert as_alice.post(reverse("scoring:rule_reach"), rule_post()).status_code == 403


class TestForm:
    def test_a_missing_field_and_operator_are_said_on_them(self, as_manager):
        response = as_manager.post(reverse("scoring:rule_new"), rule_post(field="", operator=""))
        errors = response.context["form"].errors
        assert errors["field"] == errors["operator"] == ["Choose a lead field and an operator."]

    def test_an_activity_rule_needs_its_numbers_and_a_field_rule_does_not(self, as_manager):
        post = rule_post(kind="activity", engagement="email", minimum="", within_days="")
        response = as_manager.post(reverse("scoring:rule_new"), post)
        assert response.context["form"].errors["minimum"] == ["Enter a number."]
        assert response.context["form"].errors["within_days"] == ["Enter a number."]
        as_manager.post(reverse("scoring:rule_new"), rule_post(minimum="", within_days=""))
        rule = ScoringRule.objects.get()
        assert (rule.minimum, rule.within_days) == (1, 30)

    def test_the_groups_are_marked_for_the_kind_and_neither_number_is_required(self, as_manager):
        text = as_manager.get(reverse("scoring:rule_new")).content.decode()
        assert 'data-shown-for="kind" data-shown-value="field"' in text
        assert 'data-shown-for="kind" data-shown-value="activity"' in text
        assert 'name="minimum"' in text and 'name="minimum" required' not in text
