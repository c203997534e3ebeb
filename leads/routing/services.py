"""Routing with the database: load the rules once per batch, lock the distribution state of
the teams involved, let the pure engine decide, store the state and the explanations.

Entry points: `route_new_leads` / `write_explanations` (the lead_creating / lead_created
receivers), `reroute_leads` ("Apply routing rules"), `claim_lead` / `claim_leads` (the
list's bulk Claim), `hand_over_open_leads` (a departing user), `preview_routing` (the
previews: decides, assigns nothing), `save_rule` / `set_rule_active` / `move_rule` (the rules
pages).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.errors import DomainError
from crm.history import Reason, change_reason, note_reason, routing_rule_reason
from crm.lib.bulk import insert_rows
from crm.models import Membership, Team, User, may_manage
from crm.services import enqueue_on_commit, lock_for_update, next_version
from leads.models import Campaign, Lead, LeadSource
from leads.routing import engine
from leads.routing.engine import AVAILABLE, Member, Rule, choose_member
from leads.routing.models import (
    AssignmentCondition,
    AssignmentExplanation,
    AssignmentNotification,
    AssignmentRule,
    Distribution,
    MemberDistribution,
    RoutingSettings,
    TeamDistribution,
)
from leads.services import set_owner

Outcome = AssignmentExplanation.Outcome
Kind = AssignmentExplanation.Kind

# Why a matching rule could not take the lead (besides the member statuses of the engine).
TEAM_INACTIVE = "team_inactive"
NOBODY_AVAILABLE = "nobody_available"


@dataclass
class Decision:
    """Who gets one lead and why; becomes an AssignmentExplanation once the lead has a pk."""

    outcome: str
    owner: User | Team | None
    rule: Rule | None = None
    distribution: str = ""
    candidates: list = field(default_factory=list)
    passed_over: list = field(default_factory=list)

    def explanation(self, *, lead: Lead, kind: str, performed_by: User) -> AssignmentExplanation:
        return AssignmentExplanation(
            lead=lead,
            kind=kind,
            outcome=self.outcome,
            rule_id=self.rule.id if self.rule else None,
            rule_name=self.rule.name if self.rule else "",
            distribution=self.distribution,
            owner_user=self.owner if isinstance(self.owner, User) else None,
            owner_team=self.owner if isinstance(self.owner, Team) else None,
            candidates=self.candidates,
            passed_over=self.passed_over,
            performed_by=performed_by,
        )


def load_rules() -> list[Rule]:
    """The active rules in priority order, compiled for the engine (two queries)."""
    rules = AssignmentRule.objects.filter(is_active=True).prefetch_related("conditions")
    return [engine.compile_rule(rule) for rule in rules.order_by("priority", "pk")]


class Router:
    """Routing for one batch of leads.

    Queries do not grow with the number of leads or rules: the rules and the settings are
    read once; the users, teams, members, open-lead counts and distribution state of the
    rules that match at least one lead are read once (the state under a row lock, teams in
    id order so two batches never deadlock); the state is written back once by `save()`.
    `dry_run` (the admin preview) takes no lock and writes nothing."""

    def __init__(self, *, dry_run: bool = False, exclude_user_ids: Iterable[int] = ()) -> None:
        self.dry_run = dry_run
        self.excluded = frozenset(exclude_user_ids)
        self.rules = load_rules()
        self.settings = RoutingSettings.load()
        self.now = timezone.now()
        self.users, self.teams, self.members = {}, {}, {}
        self.open_counts, self.team_states, self.member_states = {}, {}, {}
        self.dirty = set()

    # Loading ---------------------------------------------------------------------------

    def _matches(self, leads: list[Lead]) -> list[list[Rule]]:
        """The matching rules of each lead (in priority order)."""
        source_ids = {lead.source_id for lead in leads if lead.source_id}
        campaign_ids = {lead.campaign_id for lead in leads if lead.campaign_id}
        sources = dict(LeadSource.objects.filter(pk__in=source_ids).values_list("pk", "name"))
        campaigns = dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "name"))
        return engine.matching_rules_of_leads(
            self.rules, leads, source_names=sources, campaign_names=campaigns
        )

    def _load(self, rules: Iterable[Rule], extra_user_ids: set[int]) -> None:
        default = self.settings.default_owner if self.settings else None
        user_ids = {r.target_user_id for r in rules if r.target_user_id} | set(extra_user_ids)
        team_ids = {r.target_team_id for r in rules if r.target_team_id}
        if isinstance(default, User):
            user_ids.add(default.pk)
        elif isinstance(default, Team):
            team_ids.add(default.pk)
        distributing = sorted({r.target_team_id for r in rules if r.distributes})
        if team_ids:
            self.teams = Team.objects.in_bulk(team_ids)
        if distributing:
            self._lock_states(distributing)
            memberships = Membership.objects.filter(team_id__in=distributing).select_related(
                "user"
            )
            for membership in memberships.order_by("team_id", "user_id"):
                user = membership.user
                self.users[user.pk] = user
                self.members.setdefault(membership.team_id, []).append(
                    Member(
                        user_id=user.pk,
                        name=str(user),
                        is_active=user.is_active,
                        membership_active=membership.is_active,
                        away=user.is_away(),  # today where the user is
                    )
                )
            states = MemberDistribution.objects.filter(team_id__in=distributing)
            self.member_states = {(s.team_id, s.user_id): s for s in states}
            for team_id, members in self.members.items():
                for member in members:
                    state = self.member_states.get((team_id, member.user_id))
                    member.last_sequence = state.last_sequence if state else 0
        missing = user_ids - set(self.users)
        if missing:
            self.users.update(User.objects.in_bulk(missing))
        if self.users:
            # COUNT(*), not COUNT(id): PostgreSQL answers it from the (owner_user, state)
            # index alone where the table's pages are all-visible, instead of reading every
            # open lead's row (an import of 1,000,000 leads counts them once per chunk).
            counts = (
                Lead.objects.open()
                .filter(owner_user_id__in=list(self.users))
                .order_by()
                .values_list("owner_user_id")
                .annotate(n=Count("*"))
            )
            self.open_counts = dict(counts)

    def _lock_states(self, team_ids: list[int]) -> None:
        if self.dry_run:
            found = TeamDistribution.objects.in_bulk(team_ids)
            self.team_states = {
                pk: found.get(pk) or TeamDistribution(team_id=pk) for pk in team_ids
            }
            return
        TeamDistribution.objects.bulk_create(
            [TeamDistribution(team_id=pk) for pk in team_ids], ignore_conflicts=True
        )
        # The lock that makes round robin fair across processes: whoever holds a team's row
        # reads and advances its state; the others wait until that transaction commits.
        locked = TeamDistribution.objects.select_for_update().filter(team_id__in=team_ids)
        self.team_states = {state.team_id: state for state in locked.order_by("team_id")}

    # Deciding --------------------------------------------------------------------------

    def route(self, leads: list[Lead], *, fallbacks: list[User | None]) -> list[Decision]:
        """One Decision per lead; `fallbacks[i]` gets lead i when nothing else can."""
        matches = self._matches(leads)
        involved = {rule for rules in matches for rule in rules}
        self._load(involved, extra_user_ids={u.pk for u in fallbacks if u is not None})
        return [
            self._decide(rules, fallback=fallback)
            for rules, fallback in zip(matches, fallbacks, strict=True)
        ]

    def _user_status(self, user: User | None, *, capacity: int | None = None) -> str:
        if user is None:
            return engine.INACTIVE
        member = Member(
            user_id=user.pk,
            name=str(user),
            is_active=user.is_active,
            away=user.is_away(),  # today where the user is
            open_leads=self.open_counts.get(user.pk, 0),
        )
        return member.status(capacity=capacity, excluded=self.excluded)

    def _decide(self, rules: list[Rule], *, fallback: User | None) -> Decision:
        passed_over = []
        for rule in rules:
            if rule.target_user_id:
                user = self.users.get(rule.target_user_id)
                status = self._user_status(user, capacity=rule.capacity)
                candidate = {
                    "user_id": rule.target_user_id,
                    "name": str(user),
                    "status": engine.CHOSEN if status == AVAILABLE else status,
                    "open_leads": self.open_counts.get(rule.target_user_id, 0),
                }
                if status == AVAILABLE:
                    self._count(user.pk)
                    return Decision(Outcome.RULE, user, rule, "", [candidate], passed_over)
                passed_over.append(_passed(rule, status, [candidate]))
                continue
            team = self.teams.get(rule.target_team_id)
            if team is None or not team.is_active:
                passed_over.append(_passed(rule, TEAM_INACTIVE))
                continue
            if not rule.distributes:
                return Decision(Outcome.RULE, team, rule, Distribution.TEAM_OWNS, [], passed_over)
            members = self.members.get(team.pk, [])
            for member in members:
                member.open_leads = self.open_counts.get(member.user_id, 0)
            choice = choose_member(
                members,
                distribution=rule.distribution,
                capacity=rule.capacity,
                excluded=self.excluded,
            )
            if choice.member is None:
                passed_over.append(_passed(rule, NOBODY_AVAILABLE, choice.candidates))
                continue
            self._give(team.pk, choice.member)
            user = self.users[choice.member.user_id]
            return Decision(
                Outcome.RULE, user, rule, rule.distribution, choice.candidates, passed_over
            )
        return self._default(fallback, passed_over)

    def _default(self, fallback: User | None, passed_over: list) -> Decision:
        default = self.settings.default_owner if self.settings else None
        if isinstance(default, Team) and default.is_active:
            return Decision(Outcome.DEFAULT, default, passed_over=passed_over)
        if isinstance(default, User):
            status = self._user_status(self.users.get(default.pk))
            if status == AVAILABLE:
                self._count(default.pk)
                return Decision(Outcome.DEFAULT, default, passed_over=passed_over)
            passed_over.append({"rule_id": None, "name": _("Default owner"), "reason": status})
        if fallback is not None:
            self._count(fallback.pk)
        return Decision(Outcome.CREATOR, fallback, passed_over=passed_over)

    def _count(self, user_id: int) -> None:
        self.open_counts[user_id] = self.open_counts.get(user_id, 0) + 1

    def _give(self, team_id: int, member: Member) -> None:
        state = self.team_states[team_id]
        state.sequence += 1
        key = (team_id, member.user_id)
        member_state = self.member_states.get(key) or MemberDistribution(
            team_id=team_id, user_id=member.user_id
        )
        member_state.last_sequence = member.last_sequence = state.sequence
        member_state.last_routed_at = self.now
        member_state.routed_count += 1
        self.member_states[key] = member_state
        self.dirty.add(key)
        self._count(member.user_id)

    def save(self) -> None:
        """Write the advanced distribution state back (at most three queries)."""
        if self.dry_run or not self.dirty:
            return
        teams = {team_id for team_id, _user in self.dirty}
        TeamDistribution.objects.bulk_update(
            [self.team_states[t] for t in sorted(teams)], ["sequence"]
        )
        changed = [self.member_states[key] for key in sorted(self.dirty)]
        MemberDistribution.objects.bulk_create([s for s in changed if s.pk is None])
        MemberDistribution.objects.bulk_update(
            [s for s in changed if s.pk is not None],
            ["last_sequence", "last_routed_at", "routed_count"],
        )
        self.dirty.clear()


def _history_reason(decision: Decision) -> str:
    """What the lead's history says about a routing decision."""
    if decision.rule is not None:
        return routing_rule_reason(decision.rule.name)
    if decision.outcome == Outcome.DEFAULT:
        return Reason.ROUTING_DEFAULT
    return Reason.ROUTING_NO_RULE


def _passed(rule: Rule, reason: str, candidates: Iterable[dict] = ()) -> dict:
    return {"rule_id": rule.id, "name": rule.name, "reason": reason, "candidates": [*candidates]}


# New leads (the signal receivers) -------------------------------------------------------


def route_new_leads(*, leads: list[Lead], created_by: User) -> list[Decision]:
    """Set the owner of every lead without one from the rules table (before the insert).

    Runs inside create_leads' transaction, so the distribution rows stay locked until the
    leads are stored. The decision rides on the lead until `write_explanations`."""
    todo = [lead for lead in leads if not lead.has_owner]
    if not todo:
        return []
    with transaction.atomic(savepoint=False):
        router = Router()
        decisions = router.route(todo, fallbacks=[created_by] * len(todo))
        router.save()
    for lead, decision in zip(todo, decisions, strict=True):
        # The creator fallback is left to create_leads (it gives every ownerless lead its
        # creator), so other receivers of lead_creating still see these leads as ownerless.
        if decision.outcome != Outcome.CREATOR:
            lead.owner = decision.owner
        lead._routing_decision = decision
        note_reason(lead, _history_reason(decision))
    return decisions


EXPLANATION_COLUMNS = (
    "lead_id",
    "kind",
    "outcome",
    "rule_id",
    "rule_name",
    "distribution",
    "owner_user_id",
    "owner_team_id",
    "candidates",
    "passed_over",
    "performed_by_id",
    "created_at",
)


def write_explanations(
    *, leads: Iterable[Lead], performed_by: User | None, kind: str = Kind.ROUTED
) -> int:
    """After the insert: one explanation per routed lead, the same rows as
    `Decision.explanation` gives, written as plain rows (one multi-row INSERT per 500 leads,
    no model instances: imports of 100,000 leads spent a fifth of their time building them).
    Returns the number of rows written."""
    now, performed_by_id = timezone.now(), getattr(performed_by, "pk", None)
    rows = []
    for lead in leads:
        decision = lead.__dict__.pop("_routing_decision", None)
        if decision is None:
            continue
        owner, rule = decision.owner, decision.rule
        rows.append(
            (
                lead.pk,
                kind,
                decision.outcome,
                rule.id if rule else None,
                rule.name if rule else "",
                decision.distribution,
                owner.pk if isinstance(owner, User) else None,
                owner.pk if isinstance(owner, Team) else None,
                decision.candidates,
                decision.passed_over,
                performed_by_id,
                now,
            )
        )
    insert_rows(AssignmentExplanation, EXPLANATION_COLUMNS, rows)
    return len(rows)


# Changing the owner of stored leads ---------------------------------------------------


def _lock_open_leads(leads: Iterable[Lead]) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    """Lock the leads (in id order); closed ones are refused with a message."""
    locked = Lead.objects.select_for_update().filter(pk__in=[lead.pk for lead in leads])
    done, refused = [], []
    for lead in locked.order_by("pk"):
        if lead.is_open:
            done.append(lead)
        else:
            refused.append((lead, _("Only open leads are routed.")))
    return done, refused


def _reroute(
    leads: list[Lead], *, user: User, kind: str, exclude_user_ids: Iterable[int] = ()
) -> list[Lead]:
    router = Router(exclude_user_ids=exclude_user_ids)
    excluded = set(exclude_user_ids)
    # No rule and no default owner: the lead's creator, else the person re-routing.
    fallbacks = [
        lead.created_by
        if lead.created_by_id and lead.created_by_id not in excluded and lead.created_by.is_active
        else user
        for lead in leads
    ]
    decisions = router.route(leads, fallbacks=fallbacks)
    router.save()
    for lead, decision in zip(leads, decisions, strict=True):
        note_reason(lead, _history_reason(decision))
        set_owner(lead, owner=decision.owner, user=user, reason="routed", assigned_by=None)
    AssignmentExplanation.objects.bulk_create(
        decision.explanation(lead=lead, kind=kind, performed_by=user)
        for lead, decision in zip(leads, decisions, strict=True)
    )
    return leads


@transaction.atomic
def reroute_leads(
    *, leads: Iterable[Lead], user: User
) -> tuple[list[Lead], list[tuple[Lead, str]]]:
    """ "Apply routing rules": give the selected open leads to whoever the rules say now.

    Returns (re-routed leads, [(lead, reason refused)])."""
    done, refused = _lock_open_leads(leads)
    if done:
        done = _reroute(_with_creators(done), user=user, kind=Kind.REROUTED)
    return done, refused


def _with_creators(leads: list[Lead]) -> list[Lead]:
    creators = User.objects.in_bulk({lead.created_by_id for lead in leads if lead.created_by_id})
    for lead in leads:
        if lead.created_by_id:
            lead.created_by = creators[lead.created_by_id]
    return leads


class ClaimRefused(DomainError):
    """Why `claim_lead` refused: `reason` is one of CLOSED, TAKEN (`owner` has it), NOT_MEMBER."""

    CLOSED, TAKEN, NOT_MEMBER = "closed", "taken", "not_member"

    def __init__(self, message: str, *, reason: str, owner: User | None = None) -> None:
        super().__init__(message)
        self.reason, self.owner = reason, owner


@transaction.atomic
def claim_lead(*, lead: Lead, user: User) -> Lead:
    """A member takes a lead from their team's queue; refused (ClaimRefused) once someone
    else has, for a closed lead and for anyone who is not an active member of the team."""
    locked = lock_for_update(lead)
    if not locked.is_open:
        raise ClaimRefused(
            _("This lead is closed: only open leads can be claimed."), reason=ClaimRefused.CLOSED
        )
    if locked.owner_team_id is None:
        raise ClaimRefused(
            _("%(owner)s has already taken this lead.") % {"owner": locked.owner_user},
            reason=ClaimRefused.TAKEN,
            owner=locked.owner_user,
        )
    is_member = Membership.objects.filter(
        team_id=locked.owner_team_id, user=user, is_active=True, team__is_active=True
    ).exists()
    if not is_member or not user.is_active:
        raise ClaimRefused(
            _("Only members of %(team)s can claim it.") % {"team": locked.owner},
            reason=ClaimRefused.NOT_MEMBER,
        )
    team = locked.owner_team
    with change_reason(Reason.CLAIMED):
        set_owner(locked, owner=user, user=user, reason="claimed", assigned_by=user)
    AssignmentExplanation.objects.create(
        lead=locked,
        kind=Kind.CLAIMED,
        outcome=Outcome.CHOSEN,
        owner_user=user,
        rule_name=str(team),
        performed_by=user,
    )
    return locked


def claim_leads(
    *, leads: Iterable[Lead], user: User
) -> tuple[list[Lead], list[tuple[Lead, ClaimRefused]]]:
    """The list's bulk Claim: each lead through `claim_lead`, in its own transaction (a lead
    someone else took meanwhile is refused on its own; the others are still claimed).

    Returns (claimed leads, [(lead, ClaimRefused)]), both in the order of the leads' ids."""
    claimed, refused = [], []
    for lead in sorted(leads, key=lambda lead: lead.pk):  # one lock order for every claimer
        try:
            claimed.append(claim_lead(lead=lead, user=user))
        except ClaimRefused as error:
            refused.append((lead, error))
    return claimed, refused


def explain_assignment(
    *, lead: Lead, owner: User | Team, assigned_by: User
) -> AssignmentExplanation:
    """A lead given to `owner` by hand: recorded like a claim (who chose, whom), so the lead
    page says why it has this owner and the new owner's home page lists it."""
    return AssignmentExplanation.objects.create(
        lead=lead,
        kind=Kind.ASSIGNED,
        outcome=Outcome.CHOSEN,
        owner_user=owner if isinstance(owner, User) else None,
        owner_team=owner if isinstance(owner, Team) else None,
        performed_by=assigned_by,
    )


@transaction.atomic
def hand_over_open_leads(
    *,
    users: Iterable[User],
    performed_by: User,
    to: User | Team | None = None,
    deactivate: bool = False,
) -> list[Lead]:
    """A departing user's open leads in one step: to `to` (a user or a team), or, without
    it, re-routed by the rules with the departing users skipped. Returns the leads moved."""
    users = list(users)
    departing = {u.pk for u in users}
    if isinstance(to, User) and (to.pk in departing or not to.is_active):
        raise DomainError(_("Choose an active user who is not leaving."))
    if deactivate:
        User.objects.filter(pk__in=departing).update(is_active=False)
    leads = list(
        Lead.objects.open().filter(owner_user_id__in=departing).select_for_update().order_by("pk")
    )
    if not leads:
        return []
    if to is None:
        with change_reason(Reason.HANDED_OVER):
            return _reroute(
                _with_creators(leads),
                user=performed_by,
                kind=Kind.HANDED_OVER,
                exclude_user_ids=departing,
            )
    for lead in leads:
        with change_reason(Reason.HANDED_OVER):
            set_owner(
                lead, owner=to, user=performed_by, reason="assigned", assigned_by=performed_by
            )
    AssignmentExplanation.objects.bulk_create(
        Decision(Outcome.CHOSEN, to).explanation(
            lead=lead, kind=Kind.HANDED_OVER, performed_by=performed_by
        )
        for lead in leads
    )
    return leads


def preview_routing(*, lead: Lead) -> Decision:
    """Who would get this (saved or unsaved) lead now, and why; assigns nothing."""
    router = Router(dry_run=True)
    (decision,) = router.route([lead], fallbacks=[lead.created_by if lead.created_by_id else None])
    return decision


def preview_owners(leads: list[Lead], *, created_by: User) -> list[tuple[User | Team, bool]]:
    """[(owner, decided by a rule)] for unsaved, ownerless leads (an import's dry run): the
    rules read once for the batch; nothing is locked or written."""
    if not leads:
        return []
    decisions = Router(dry_run=True).route(leads, fallbacks=[created_by] * len(leads))
    return [(d.owner or created_by, d.outcome != Outcome.CREATOR) for d in decisions]


# Notifications ----------------------------------------------------------------------------


def notify_new_owner(
    *, lead: Lead, owner: User | Team | None, assigned_by: User | None, reason: str
) -> list[AssignmentNotification]:
    """Owe the new owner (or each active member of a team queue) one e-mail; the task sends
    it once even if it runs twice. Nobody is told about a lead they gave themselves."""
    from leads.routing.tasks import send_assignment_email

    if isinstance(owner, Team):
        recipients = list(
            User.objects.filter(
                memberships__team=owner, memberships__is_active=True, is_active=True
            )
        )
    else:
        recipients = [owner] if owner is not None else []
    recipients = [
        u for u in recipients if u.email and u.is_active and u.pk != getattr(assigned_by, "pk", 0)
    ]
    notifications = AssignmentNotification.objects.bulk_create(
        AssignmentNotification(lead=lead, user=user, reason=reason) for user in recipients
    )
    for notification in notifications:
        enqueue_on_commit(send_assignment_email, notification_id=notification.pk)
    return notifications


# The rules edited in the app ------------------------------------------------------------


def may_target(user: User, *, target: User | Team) -> bool:
    """Whether a rule of `user` may give leads to `target`: an owner they manage."""
    return may_manage(user, target)


# Why a rule changed, as its history stores it (English; crm.history shows it translated).
ACTIVATED = gettext_noop("Activated")
DEACTIVATED = gettext_noop("Deactivated")
MOVED_UP = gettext_noop("Moved up")
MOVED_DOWN = gettext_noop("Moved down")
RENUMBERED = gettext_noop("Renumbered")


def _save_with_history(record: models.Model, *, user: User, reason: str, at: datetime) -> None:
    record._change_reason = reason
    record._history_user = user
    # One date for the rule's row and its conditions' rows: the History tab shows one change.
    record._history_date = at
    record.save()


def _condition_values(condition: AssignmentCondition) -> tuple[str, str, str]:
    return (condition.field, condition.operator, condition.value)


@transaction.atomic
def save_rule(
    *,
    user: User,
    values: dict,
    conditions: list[tuple[int | None, str, str, str]],
    rule: AssignmentRule | None = None,
    expected_version: int | None = None,
) -> AssignmentRule:
    """Create a rule, or change one with a lost-update check: its fields (`values`, the target
    as `target_user` / `target_team`) and its conditions, each (id or None for a new one,
    field, operator, value); the rule's other conditions are deleted. Each row's history says
    who, when and why."""
    if rule is None:
        locked, existing = AssignmentRule(), {}
    else:
        # Locked, so two managers saving at once are told, not silently overwritten.
        locked = lock_for_update(rule, expected_version=expected_version)
        existing = {c.pk: c for c in locked.conditions.all()}
    for name, value in values.items():
        setattr(locked, name, value)
    if locked.target is None or not may_target(user, target=locked.target):
        raise DomainError(_("You may only give leads to your own teams and their members."))
    kept, changed = set(), []
    for pk, *wanted in conditions:
        # An id of another rule's condition is not found here: it becomes a new one.
        condition = existing.get(pk) or AssignmentCondition(rule=locked)
        before = _condition_values(condition)
        condition.field, condition.operator, condition.value = wanted
        condition.full_clean(exclude=["rule"])  # choice values stored as their codes
        kept.add(condition.pk)
        if condition.pk is None or before != _condition_values(condition):
            changed.append(condition)
    if rule is None:
        locked.stamp(user)
        reason = Reason.CREATED_IN_APP
    else:
        next_version(locked, user)
        reason = Reason.CHANGED_IN_APP
    locked.full_clean()
    now = timezone.now()
    _save_with_history(locked, user=user, reason=reason, at=now)
    for condition in changed:
        condition.rule = locked
        _save_with_history(condition, user=user, reason=reason, at=now)
    for pk, condition in existing.items():
        if pk not in kept:
            condition._change_reason, condition._history_user = reason, user
            condition._history_date = now
            condition.delete()
    return locked


@transaction.atomic
def set_rule_active(
    *, rule: AssignmentRule, user: User, active: bool, expected_version: int | None = None
) -> AssignmentRule:
    """Switch a rule on or off (kept in the table and in its explanations either way)."""
    locked = lock_for_update(rule, expected_version=expected_version)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    next_version(locked, user)
    reason = ACTIVATED if active else DEACTIVATED
    _save_with_history(locked, user=user, reason=reason, at=timezone.now())
    return locked


@transaction.atomic
def move_rule(*, rule: AssignmentRule, user: User, up: bool) -> AssignmentRule:
    """Swap the rule's place with the one before (or after) it among the rules `user` may
    change; rules of other teams keep their priorities."""
    # Every rule locked in one order: two moves at once cannot deadlock or swap stale numbers.
    every = list(AssignmentRule.objects.select_for_update().order_by("priority", "pk"))
    if len({r.priority for r in every}) < len(every):
        # Equal priorities are ordered by id, which a swap cannot change: number them apart
        # first, keeping the order (as the admin's "renumber").
        for number, each in enumerate(every, start=1):
            each.priority = number * 10
        AssignmentRule.objects.bulk_update(every, ["priority"])
    mine_ids = set(AssignmentRule.objects.manageable_by(user).values_list("pk", flat=True))
    mine = [r for r in every if r.pk in mine_ids]
    index = next(i for i, r in enumerate(mine) if r.pk == rule.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(mine):
        return mine[index]
    moved, other = mine[index], mine[other_index]
    moved.priority, other.priority = other.priority, moved.priority
    earlier, later = (moved, other) if up else (other, moved)
    now = timezone.now()
    for each, reason in ((earlier, MOVED_UP), (later, MOVED_DOWN)):
        next_version(each, user)
        _save_with_history(each, user=user, reason=reason, at=now)
    return moved


@transaction.atomic
def renumber_rules(*, user: User) -> int:
    """Number every rule's priority 10, 20, 30… keeping the order (the admin's "renumber");
    each rule whose number changes gets a new version and a history row. Returns how many
    changed."""
    every = list(AssignmentRule.objects.select_for_update().order_by("priority", "pk"))
    now, changed = timezone.now(), 0
    for number, rule in enumerate(every, start=1):
        if rule.priority == number * 10:
            continue
        rule.priority = number * 10
        next_version(rule, user)
        _save_with_history(rule, user=user, reason=RENUMBERED, at=now)
        changed += 1
    return changed
