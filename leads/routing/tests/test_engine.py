"""The pure matcher and member choice: plain values in, no database."""

from decimal import Decimal

import pytest

from leads.models import Lead
from leads.routing import engine
from leads.routing.engine import Condition, Member, Rule, choose_member, lead_facts
from leads.routing.models import Distribution, LeadField, Operator


def facts(**values):
    sources = {1: "Web", 2: "Trade Show"}
    campaigns = {7: "Spring Launch"}
    return lead_facts(Lead(**values), source_names=sources, campaign_names=campaigns)


def holds(field, operator, *values, **lead_values):
    return Condition.of(field, operator, values).holds(facts(**lead_values))


class TestFacts:
    def test_text_is_casefolded_and_trimmed_and_the_email_gives_its_domain(self):
        f = facts(country="  Denmark ", email="Anna@Fabrikam.EXAMPLE", source_id=2)

        assert f[LeadField.COUNTRY] == "denmark"
        assert f[LeadField.EMAIL_DOMAIN] == "fabrikam.example"
        assert f[LeadField.SOURCE] == "trade show"

    def test_empty_values_are_empty_strings_or_none(self):
        f = facts()

        assert f[LeadField.CITY] == ""
        assert f[LeadField.EMAIL_DOMAIN] == ""
        assert f[LeadField.ANNUAL_REVENUE] is None
        assert f[LeadField.INDUSTRY] == ""


class TestOperators:
    def test_equals_ignores_case(self):
        assert holds(LeadField.COUNTRY, Operator.EQUALS, "DENMARK", country="Denmark")
        assert not holds(LeadField.COUNTRY, Operator.EQUALS, "Sweden", country="Denmark")

    def test_not_equals_holds_for_other_values_and_for_empty_fields(self):
        assert holds(LeadField.COUNTRY, Operator.NOT_EQUALS, "Sweden", country="Denmark")
        assert holds(LeadField.COUNTRY, Operator.NOT_EQUALS, "Sweden")
        assert not holds(LeadField.COUNTRY, Operator.NOT_EQUALS, "denmark", country="Denmark")

    def test_in_list(self):
        assert holds(LeadField.CITY, Operator.IN, "Aarhus", "Copenhagen", city="copenhagen")
        assert not holds(LeadField.CITY, Operator.IN, "Aarhus", "Odense", city="Copenhagen")

    def test_contains(self):
        assert holds(LeadField.TOPIC, Operator.CONTAINS, "laptop", topic="50 Laptops")
        assert not holds(LeadField.TOPIC, Operator.CONTAINS, "printer", topic="50 Laptops")

    def test_starts_with(self):
        assert holds(
            LeadField.COMPANY_NAME, Operator.STARTS_WITH, "fabri", company_name="Fabrikam"
        )
        assert not holds(
            LeadField.COMPANY_NAME, Operator.STARTS_WITH, "kam", company_name="Fabrikam"
        )

    def test_greater_than_or_equal(self):
        assert holds(
            LeadField.ANNUAL_REVENUE, Operator.GTE, "1000000", annual_revenue=Decimal("1000000")
        )
        assert holds(LeadField.NUMBER_OF_EMPLOYEES, Operator.GTE, "50", number_of_employees=51)
        assert not holds(LeadField.NUMBER_OF_EMPLOYEES, Operator.GTE, "50", number_of_employees=49)

    def test_less_than_or_equal(self):
        assert holds(
            LeadField.ESTIMATED_VALUE, Operator.LTE, "500", estimated_value=Decimal("499.99")
        )
        assert not holds(
            LeadField.ESTIMATED_VALUE, Operator.LTE, "500", estimated_value=Decimal("501")
        )

    def test_is_empty_and_is_not_empty(self):
        assert holds(LeadField.STATE_PROVINCE, Operator.IS_EMPTY)
        assert not holds(LeadField.STATE_PROVINCE, Operator.IS_EMPTY, state_province="Zealand")
        assert holds(LeadField.ANNUAL_REVENUE, Operator.IS_NOT_EMPTY, annual_revenue=Decimal(0))
        assert not holds(LeadField.ANNUAL_REVENUE, Operator.IS_NOT_EMPTY)

    @pytest.mark.parametrize(
        "operator", [Operator.EQUALS, Operator.IN, Operator.CONTAINS, Operator.STARTS_WITH]
    )
    def test_an_empty_text_field_matches_no_positive_operator(self, operator):
        assert not holds(LeadField.CITY, operator, "")
        assert not holds(LeadField.CITY, operator, "x")

    @pytest.mark.parametrize("operator", [Operator.GTE, Operator.LTE, Operator.EQUALS])
    def test_an_empty_number_matches_no_comparison(self, operator):
        assert not holds(LeadField.ANNUAL_REVENUE, operator, "0")

    def test_numbers_compare_as_numbers_not_text(self):
        assert holds(
            LeadField.NUMBER_OF_EMPLOYEES, Operator.EQUALS, "100.0", number_of_employees=100
        )
        assert holds(LeadField.NUMBER_OF_EMPLOYEES, Operator.GTE, "9", number_of_employees=10)

    def test_choice_fields_compare_their_codes(self):
        assert holds(LeadField.RATING, Operator.EQUALS, "hot", rating="hot")
        assert holds(LeadField.INDUSTRY, Operator.IN, "1", "2", industry=2)

    def test_source_and_campaign_compare_names(self):
        assert holds(LeadField.SOURCE, Operator.EQUALS, "web", source_id=1)
        assert holds(LeadField.CAMPAIGN, Operator.CONTAINS, "spring", campaign_id=7)
        assert not holds(LeadField.SOURCE, Operator.EQUALS, "web", source_id=2)


class TestRuleOrder:
    def rules(self):
        danish = Condition.of(LeadField.COUNTRY, Operator.EQUALS, ["Denmark"])
        big = Condition.of(LeadField.NUMBER_OF_EMPLOYEES, Operator.GTE, ["1000"])
        return [
            Rule(1, "Big Danish", (danish, big), target_user_id=10),
            Rule(2, "Danish", (danish,), target_user_id=20),
            Rule(3, "Everyone", (), target_team_id=5),
        ]

    def test_every_condition_of_a_rule_must_hold(self):
        matched = engine.matching_rules(
            self.rules(), facts(country="Denmark", number_of_employees=10)
        )

        assert [rule.name for rule in matched] == ["Danish", "Everyone"]

    def test_rules_come_back_in_the_order_given_so_the_first_wins(self):
        matched = engine.matching_rules(
            self.rules(), facts(country="Denmark", number_of_employees=5000)
        )

        assert [rule.name for rule in matched] == ["Big Danish", "Danish", "Everyone"]

    def test_a_rule_without_conditions_matches_every_lead(self):
        assert [r.name for r in engine.matching_rules(self.rules(), facts())] == ["Everyone"]

    def test_a_batch_of_leads_matches_as_each_lead_alone(self):
        """matching_rules_of_leads tests each distinct combination of facts once: the
        answers are those of matching_rules lead by lead."""
        sources = {1: "Web", 2: "Trade Show"}
        rules = [
            *self.rules()[:2],
            Rule(4, "Web", (Condition.of(LeadField.SOURCE, Operator.EQUALS, ["web"]),)),
            self.rules()[2],
        ]
        leads = [
            Lead(country=country, number_of_employees=employees, source_id=source)
            for country in ("Denmark", " denmark", "Sweden", "")
            for employees in (None, 10, 5000)
            for source in (None, 1, 2)
        ]

        batch = engine.matching_rules_of_leads(rules, leads, source_names=sources)

        alone = [
            engine.matching_rules(rules, lead_facts(lead, source_names=sources)) for lead in leads
        ]
        assert batch == alone
        assert {tuple(r.name for r in rules) for rules in batch} == {
            ("Big Danish", "Danish", "Everyone"),
            ("Big Danish", "Danish", "Web", "Everyone"),
            ("Danish", "Everyone"),
            ("Danish", "Web", "Everyone"),
            ("Web", "Everyone"),
            ("Everyone",),
        }


def team(**overrides):
    members = {
        "ann": Member(1, "Ann", last_sequence=3, open_leads=5),
        "ben": Member(2, "Ben", last_sequence=1, open_leads=9),
        "cat": Member(3, "Cat", last_sequence=2, open_leads=2),
    }
    for name, changes in overrides.items():
        for key, value in changes.items():
            setattr(members[name], key, value)
    return list(members.values())


def chosen(choice):
    return choice.member.name if choice.member else None


class TestChooseMember:
    def test_round_robin_gives_the_lead_to_whoever_waited_longest(self):
        assert chosen(choose_member(team(), distribution=Distribution.ROUND_ROBIN)) == "Ben"

    def test_round_robin_serves_a_member_who_never_got_one_first(self):
        members = team(cat={"last_sequence": 0})

        assert chosen(choose_member(members, distribution=Distribution.ROUND_ROBIN)) == "Cat"

    def test_load_balanced_gives_the_lead_to_the_fewest_open_leads(self):
        assert chosen(choose_member(team(), distribution=Distribution.LOAD_BALANCED)) == "Cat"

    def test_load_balanced_ties_go_to_the_least_recently_routed(self):
        members = team(ann={"open_leads": 2}, cat={"open_leads": 2})

        assert chosen(choose_member(members, distribution=Distribution.LOAD_BALANCED)) == "Cat"
        members[2].last_sequence = 9
        assert chosen(choose_member(members, distribution=Distribution.LOAD_BALANCED)) == "Ann"

    def test_capacity_skips_members_with_that_many_open_leads(self):
        choice = choose_member(team(), distribution=Distribution.ROUND_ROBIN, capacity=9)

        assert chosen(choice) == "Cat"
        assert [c["status"] for c in choice.candidates] == ["available", "at_capacity", "chosen"]

    @pytest.mark.parametrize(
        ("change", "status"),
        [
            ({"away": True}, engine.AWAY),
            ({"is_active": False}, engine.INACTIVE),
            ({"membership_active": False}, engine.MEMBERSHIP_INACTIVE),
        ],
    )
    def test_away_and_inactive_members_are_skipped_and_say_why(self, change, status):
        choice = choose_member(team(ben=change), distribution=Distribution.ROUND_ROBIN)

        assert chosen(choice) == "Cat"
        assert choice.candidates[1] == {
            "user_id": 2,
            "name": "Ben",
            "status": status,
            "open_leads": 9,
        }

    def test_excluded_members_are_skipped(self):
        choice = choose_member(team(), distribution=Distribution.ROUND_ROBIN, excluded={2})

        assert chosen(choice) == "Cat"
        assert choice.candidates[1]["status"] == engine.EXCLUDED

    def test_nobody_available_chooses_nobody(self):
        members = team(ann={"away": True}, ben={"away": True}, cat={"is_active": False})

        assert choose_member(members, distribution=Distribution.ROUND_ROBIN).member is None
