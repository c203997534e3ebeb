"""Routing through the database: rules, default owner, distribution state, explanations."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.errors import DomainError
from leads import services as lead_services
from leads.models import Lead, Status
from leads.routing import services
from leads.routing.models import (
    AssignmentExplanation,
    AssignmentNotification,
    Distribution,
    LeadField,
    MemberDistribution,
    Operator,
    RoutingSettings,
    TeamDistribution,
)
from leads.routing.tasks import send_assignment_email
from leads.routing.tests.factories import make_rule
from leads.tests.factories import lead_data

pytestmark = pytest.mark.django_db

DANISH = (LeadField.COUNTRY, Operator.EQUALS, "Denmark")
SWEDISH = (LeadField.COUNTRY, Operator.EQUALS, "Sweden")


def routed(created_by, **data):
    return lead_services.create_lead(data=lead_data(**data), created_by=created_by, route=True)


def owners(leads):
    return [lead.owner.username for lead in leads]


class TestRules:
    def test_the_first_matching_active_rule_wins(self, alice, bob, carol):
        make_rule("Swedes", carol, SWEDISH, priority=1)
        make_rule("Danes, off", alice, DANISH, priority=2, is_active=False)
        make_rule("Danes", bob, DANISH, priority=3)
        make_rule("Everyone", alice, priority=4)

        lead = routed(alice, country="Denmark")

        assert lead.owner == bob
        explanation = lead.assignment_explanations.get()
        assert (explanation.outcome, explanation.rule_name) == ("rule", "Danes")
        assert explanation.candidates[0]["status"] == "chosen"

    def test_priority_not_creation_order_decides(self, alice, bob):
        make_rule("Later", alice, priority=50)
        make_rule("Sooner", bob, priority=5)

        assert routed(alice).owner == bob

    def test_a_rule_whose_user_is_away_passes_the_lead_to_the_next_rule(self, alice, bob):
        bob.away_until = timezone.localdate() + datetime.timedelta(days=3)
        bob.save()
        make_rule("Bob's", bob, priority=1)
        make_rule("Alice's", alice, priority=2)

        lead = routed(alice)

        assert lead.owner == alice
        (passed,) = lead.assignment_explanations.get().passed_over
        assert (passed["name"], passed["reason"]) == ("Bob's", "away")

    def test_a_user_back_from_holiday_gets_leads_again(self, alice, bob):
        bob.away_until = timezone.localdate() - datetime.timedelta(days=1)
        bob.save()
        make_rule("Bob's", bob)

        assert routed(alice).owner == bob

    def test_away_until_ends_with_the_day_where_the_user_is(self, alice, bob):
        # 20:00 in UTC is already the next morning in Tokyo: bob, away until the 27th and
        # working from Tokyo, is back; on UTC he would still be away.
        bob.away_until, bob.time_zone = datetime.date(2026, 11, 27), "Asia/Tokyo"
        bob.save()
        make_rule("Bob's", bob)

        with time_machine.travel(datetime.datetime(2026, 11, 27, 20, 0, tzinfo=datetime.UTC)):
            assert routed(alice).owner == bob
            bob.time_zone = "UTC"
            bob.save()
            assert routed(alice, email="other@example.com").owner == alice

    def test_an_inactive_user_never_gets_a_lead(self, alice, bob):
        bob.is_active = False
        bob.save()
        make_rule("Bob's", bob)

        lead = routed(alice)

        assert lead.owner == alice
        assert lead.assignment_explanations.get().passed_over[0]["reason"] == "inactive"

    def test_an_inactive_team_is_passed_over(self, alice, east):
        east.is_active = False
        east.save()
        make_rule("East", east)

        assert routed(alice).owner == alice


class TestDefaultOwner:
    def test_without_a_match_or_a_default_the_creator_owns_the_lead(self, alice, bob):
        make_rule("Swedes", bob, SWEDISH)

        lead = routed(alice, country="Denmark")

        assert lead.owner == alice
        explanation = lead.assignment_explanations.get()
        assert (explanation.outcome, explanation.owner_user) == ("creator", alice)

    def test_the_default_user_gets_unmatched_leads(self, alice, bob):
        RoutingSettings.objects.create(default_owner_user=bob)

        lead = routed(alice)

        assert lead.owner == bob
        assert lead.assignment_explanations.get().outcome == "default"

    def test_the_default_team_queue_gets_unmatched_leads(self, alice, north):
        RoutingSettings.objects.create(default_owner_team=north)

        assert routed(alice).owner == north

    def test_an_away_default_user_falls_back_to_the_creator(self, alice, bob):
        bob.away_until = timezone.localdate()
        bob.save()
        RoutingSettings.objects.create(default_owner_user=bob)

        lead = routed(alice)

        assert lead.owner == alice
        assert lead.assignment_explanations.get().passed_over[0]["reason"] == "away"


class TestDistribution:
    def test_team_owns_it_puts_the_lead_in_the_queue(self, alice, east):
        make_rule("East queue", east, distribution=Distribution.TEAM_OWNS)

        lead = routed(alice)

        assert lead.owner == east
        assert lead.assignment_explanations.get().distribution == "team"

    def test_round_robin_takes_turns_and_keeps_its_state_in_the_database(self, alice, east):
        make_rule("East", east, distribution=Distribution.ROUND_ROBIN)

        leads = [routed(alice, email=f"p{i}@example.com") for i in range(6)]

        assert owners(leads) == ["dan", "eve", "finn", "dan", "eve", "finn"]
        assert TeamDistribution.objects.get(team=east).sequence == 6
        assert sorted(MemberDistribution.objects.values_list("routed_count", flat=True)) == [
            2,
            2,
            2,
        ]

    def test_round_robin_skips_away_inactive_and_inactive_memberships(self, alice, east, eve):
        finn = east.members.get(username="finn")
        gus = east.members.create(username="gus", email="gus@example.com")
        eve.away_until = timezone.localdate()
        eve.save()
        finn.memberships.update(is_active=False)
        gus.is_active = False
        gus.save()
        make_rule("East", east)

        leads = [routed(alice, email=f"p{i}@example.com") for i in range(3)]

        assert owners(leads) == ["dan", "dan", "dan"]
        statuses = {
            c["name"]: c["status"] for c in leads[0].assignment_explanations.get().candidates
        }
        assert statuses == {
            "Dan": "chosen",
            "Eve": "away",
            "Finn": "membership_inactive",
            "gus": "inactive",
        }

    def test_manual_assignments_do_not_count_in_the_rotation(self, alice, east, dan, eve):
        make_rule("East", east)
        first = routed(alice)
        lead_services.assign_lead(lead=routed(alice, email="x@example.com"), user=alice, owner=dan)

        # Eve got the second routed lead (later given to Dan by hand); Finn is next.
        assert first.owner == dan
        assert routed(alice, email="y@example.com").owner.username == "finn"

    def test_load_balanced_gives_the_lead_to_the_fewest_open_leads(self, alice, east, dan, eve):
        for i in range(2):
            lead_services.create_lead(data=lead_data(email=f"d{i}@x.example"), created_by=dan)
        lead_services.create_lead(data=lead_data(email="e@x.example"), created_by=eve)
        make_rule("East", east, distribution=Distribution.LOAD_BALANCED)

        leads = [routed(alice, email=f"p{i}@example.com") for i in range(4)]

        # Finn (0 open) twice to reach Eve's 1... then ties broken by least recently routed.
        assert owners(leads) == ["finn", "eve", "finn", "dan"]

    def test_closed_leads_do_not_count_as_load(self, alice, east, dan, eve, finn):
        for owner in (eve, finn):
            lead_services.create_lead(data=lead_data(), created_by=owner)
        closed = lead_services.create_lead(data=lead_data(), created_by=dan)
        lead_services.disqualify_lead(lead=closed, user=dan, status=Status.LOST)
        make_rule("East", east, distribution=Distribution.LOAD_BALANCED)

        assert routed(alice).owner == dan

    def test_capacity_skips_full_members_and_then_the_rule(self, alice, bob, east, dan, eve):
        lead_services.create_lead(data=lead_data(), created_by=dan)
        make_rule("East", east, capacity=1, priority=1)
        make_rule("Overflow", bob, priority=2)

        leads = [routed(alice, email=f"p{i}@example.com") for i in range(3)]

        assert owners(leads) == ["eve", "finn", "bob"]
        passed = leads[2].assignment_explanations.get().passed_over[0]
        assert passed["reason"] == "nobody_available"
        assert {c["status"] for c in passed["candidates"]} == {"at_capacity"}


class TestWhoIsRouted:
    def test_a_lead_with_an_owner_chosen_by_a_person_is_not_routed(self, alice, bob, carol):
        make_rule("Everything to Bob", bob)

        lead = lead_services.create_lead(
            data=lead_data(), created_by=alice, owner=carol, route=True
        )

        assert lead.owner == carol
        assert not lead.assignment_explanations.exists()

    def test_without_route_nothing_is_routed(self, alice, bob):
        make_rule("Everything to Bob", bob)

        lead = lead_services.create_lead(data=lead_data(), created_by=alice)

        assert lead.owner == alice
        assert not AssignmentExplanation.objects.exists()

    def test_a_batch_routes_each_lead_once_and_keeps_chosen_owners(self, alice, carol, east):
        make_rule("East", east)
        rows = [Lead(**lead_data(email=f"p{i}@example.com")) for i in range(7)]
        rows[0].owner = carol

        created = lead_services.create_leads(leads=rows, created_by=alice, route=True)

        assert owners(created) == ["carol", "dan", "eve", "finn", "dan", "eve", "finn"]
        assert AssignmentExplanation.objects.count() == 6
        assert AssignmentExplanation.objects.filter(lead=created[0]).count() == 0

    def test_the_batch_path_issues_no_query_per_lead_or_per_rule(self, alice, east, north):
        for i in range(20):
            make_rule(f"Swedes {i}", north, SWEDISH, (LeadField.CITY, Operator.IN, "a, b"))
        make_rule("East", east)

        def queries_for(n, start):
            rows = [Lead(**lead_data(email=f"p{start + i}@example.com")) for i in range(n)]
            with CaptureQueriesContext(connection) as captured:
                # validate=False: full_clean checks each lead's user keys (2 queries a lead),
                # which is the leads app's business; imports validate with the form first.
                lead_services.create_leads(
                    leads=rows, created_by=alice, route=True, validate=False
                )
            return len(captured)

        queries_for(5, 0)  # the first batch also creates the distribution rows
        assert queries_for(5, 100) == queries_for(60, 200)


class TestAssignByHand:
    def test_a_lead_given_by_hand_says_who_gave_it(self, alice, bob, manager, client):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=alice)

        lead_services.assign_lead(lead=lead, user=manager, owner=bob)

        explanation = lead.assignment_explanations.get()
        assert (explanation.kind, explanation.outcome) == ("assigned", "chosen")
        assert (explanation.owner_user, explanation.performed_by) == (bob, manager)
        client.force_login(bob)
        page = client.get(f"/leads/{lead.pk}/").text
        assert f"{manager} assigned it by hand." in page

    def test_giving_a_lead_to_its_owner_records_nothing(self, alice):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=alice)
        lead_services.assign_lead(lead=lead, user=alice, owner=alice)
        assert not lead.assignment_explanations.exists()

    def test_a_lead_given_to_a_team_names_the_team(self, alice, manager, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=alice)
        lead_services.assign_lead(lead=lead, user=manager, owner=north)
        assert lead.assignment_explanations.get().owner_team == north


class TestClaim:
    def test_a_member_claims_a_lead_from_the_team_queue(self, alice, bob, north):
        make_rule("North queue", north, distribution=Distribution.TEAM_OWNS)
        lead = routed(alice)

        claimed = services.claim_lead(lead=lead, user=bob)

        assert claimed.owner == bob
        assert claimed.version == lead.version + 1
        assert claimed.assignment_explanations.first().kind == "claimed"

    def test_a_second_claim_is_refused(self, alice, bob, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)
        services.claim_lead(lead=lead, user=bob)

        with pytest.raises(DomainError, match="Bob Berg has already taken this lead"):
            services.claim_lead(lead=lead, user=alice)

    def test_someone_outside_the_team_cannot_claim(self, alice, carol, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)

        with pytest.raises(DomainError, match="Only members of North"):
            services.claim_lead(lead=lead, user=carol)

    def test_a_closed_lead_cannot_be_claimed(self, alice, north):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=north)
        lead_services.disqualify_lead(lead=lead, user=alice, status=Status.LOST)

        with pytest.raises(DomainError, match="closed"):
            services.claim_lead(lead=lead, user=alice)

    def test_claiming_several_claims_each_and_says_why_the_others_were_refused(
        self, alice, bob, north, south
    ):
        def queued(owner, n):
            data = lead_data(topic=f"Lead {n}", email=f"lead{n}@example.com")
            return lead_services.create_lead(data=data, created_by=alice, owner=owner)

        free, taken, closed, elsewhere = (
            queued(north, 1),
            queued(north, 2),
            queued(north, 3),
            queued(south, 4),
        )
        services.claim_lead(lead=taken, user=alice)  # alice was quicker
        lead_services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)

        claimed, refused = services.claim_leads(leads=[elsewhere, closed, taken, free], user=bob)

        assert [lead.pk for lead in claimed] == [free.pk]
        assert [(lead.pk, error.reason, error.owner) for lead, error in refused] == [
            (taken.pk, services.ClaimRefused.TAKEN, alice),
            (closed.pk, services.ClaimRefused.CLOSED, None),
            (elsewhere.pk, services.ClaimRefused.NOT_MEMBER, None),
        ]
        owners = dict(Lead.objects.values_list("pk", "owner_user"))
        assert owners[free.pk] == bob.pk and owners[taken.pk] == alice.pk
        assert Lead.objects.get(pk=elsewhere.pk).owner_team == south


class TestReroute:
    def test_apply_routing_rules_gives_open_leads_to_whoever_the_rules_name_now(
        self, alice, bob, carol
    ):
        leads = [lead_services.create_lead(data=lead_data(), created_by=alice) for _ in range(2)]
        lead_services.disqualify_lead(lead=leads[1], user=alice, status=Status.LOST)
        make_rule("Danes", carol, DANISH)

        done, refused = services.reroute_leads(leads=leads, user=bob)

        assert [lead.owner for lead in done] == [carol]
        assert [(lead.pk, reason) for lead, reason in refused] == [
            (leads[1].pk, "Only open leads are routed.")
        ]
        leads[0].refresh_from_db()
        assert (leads[0].owner, leads[0].version, leads[0].modified_by) == (carol, 2, bob)
        assert leads[0].assignment_explanations.get().kind == "rerouted"

    def test_without_a_match_a_rerouted_lead_goes_to_its_creator(self, alice, bob):
        lead = lead_services.create_lead(data=lead_data(), created_by=alice, owner=bob)

        (done,), _refused = services.reroute_leads(leads=[lead], user=bob)

        assert done.owner == alice


class TestHandOver:
    def test_a_departing_users_open_leads_are_rerouted_without_them(self, alice, east, dan):
        make_rule("East", east)
        leads = [routed(alice, email=f"p{i}@example.com") for i in range(3)]
        assert owners(leads) == ["dan", "eve", "finn"]

        moved = services.hand_over_open_leads(users=[dan], performed_by=alice, deactivate=True)

        dan.refresh_from_db()
        assert not dan.is_active
        assert [lead.pk for lead in moved] == [leads[0].pk]
        leads[0].refresh_from_db()
        assert leads[0].owner.username == "eve"
        explanation = leads[0].assignment_explanations.first()
        assert explanation.kind == "handed_over"
        assert {c["name"]: c["status"] for c in explanation.candidates}["Dan"] == "excluded"

    def test_still_active_departing_users_are_excluded_too(self, alice, east, dan):
        make_rule("East", east)
        lead = routed(alice)
        assert lead.owner == dan

        services.hand_over_open_leads(users=[dan], performed_by=alice)

        lead.refresh_from_db()
        assert lead.owner.username == "eve"
        assert dan.is_active

    def test_open_leads_go_to_a_chosen_owner_and_closed_ones_stay(self, alice, bob, carol):
        kept = lead_services.create_lead(data=lead_data(), created_by=bob)
        closed = lead_services.create_lead(data=lead_data(), created_by=bob)
        lead_services.disqualify_lead(lead=closed, user=bob, status=Status.LOST)

        services.hand_over_open_leads(users=[bob], performed_by=alice, to=carol)

        kept.refresh_from_db()
        closed.refresh_from_db()
        assert (kept.owner, closed.owner) == (carol, bob)

    def test_the_leads_cannot_go_to_a_departing_user(self, alice, bob):
        with pytest.raises(DomainError, match="not leaving"):
            services.hand_over_open_leads(users=[bob], performed_by=alice, to=bob)


class TestNotification:
    def test_the_new_owner_gets_one_email_even_if_the_task_runs_twice(
        self, alice, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        make_rule("Bob's", bob)

        with django_capture_on_commit_callbacks(execute=True):
            lead = routed(alice)

        (notification,) = AssignmentNotification.objects.all()
        assert notification.sent_at is not None
        send_assignment_email.call(notification_id=notification.pk)
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == [bob.email]
        assert lead.get_absolute_url() in mailoutbox[0].body

    def test_nobody_is_told_about_a_lead_they_gave_themselves(
        self, alice, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            lead_services.create_lead(data=lead_data(), created_by=alice)

        assert mailoutbox == []

    def test_a_lead_routed_back_to_the_rep_who_typed_it_in_sends_no_email(
        self, alice, carol, mailoutbox, django_capture_on_commit_callbacks
    ):
        make_rule("Swedes", carol, SWEDISH)  # no match: the creator keeps the lead

        with django_capture_on_commit_callbacks(execute=True):
            lead = routed(alice, country="Denmark")

        assert lead.owner == alice
        assert mailoutbox == []

    def test_a_team_queue_lead_is_announced_to_the_active_members(
        self, alice, east, eve, mailoutbox, django_capture_on_commit_callbacks
    ):
        eve.is_active = False
        eve.save()
        make_rule("East queue", east, distribution=Distribution.TEAM_OWNS)

        with django_capture_on_commit_callbacks(execute=True):
            routed(alice)

        assert sorted(m.to[0] for m in mailoutbox) == ["dan@example.com", "finn@example.com"]

    def test_no_email_before_the_commit(self, alice, bob, mailoutbox):
        make_rule("Bob's", bob)

        routed(alice)

        assert mailoutbox == []


class TestPreview:
    def test_the_preview_decides_without_assigning_or_moving_the_rotation(self, alice, east):
        make_rule("East", east)
        routed(alice)

        decision = services.preview_routing(lead=Lead(**lead_data()))

        assert decision.owner.username == "eve"
        assert decision.rule.name == "East"
        assert TeamDistribution.objects.get(team=east).sequence == 1
        assert routed(alice, email="z@example.com").owner.username == "eve"
