"""The pure part of routing: which rules a lead matches and which member of a team gets it.

Nothing here touches the database. `services.Router` loads the rules once per batch,
compiles them with `compile_rule`, reads the members and the distribution state under a
row lock and calls these functions for every lead; tests call them with plain values.
"""

from dataclasses import dataclass, field
from operator import attrgetter

from leads.conditions import FACTS, Condition, lead_facts  # noqa: F401 (tests import them here)
from leads.routing.models import Distribution

# Why a member did not get the lead (stored in the explanation, shown on the lead page).
CHOSEN = "chosen"
AVAILABLE = "available"
INACTIVE = "inactive"
MEMBERSHIP_INACTIVE = "membership_inactive"
AWAY = "away"
AT_CAPACITY = "at_capacity"
EXCLUDED = "excluded"


def tested_fields(rules):
    """The lead fields that the conditions of `rules` test."""
    return {condition.field for rule in rules for condition in rule.conditions}


def matching_rules_of_leads(rules, leads, *, source_names=None, campaign_names=None):
    """`matching_rules(rules, lead_facts(lead, ...))` for each lead, in order.

    The answer depends only on the facts the rules test, and a batch of leads repeats them
    (a file's countries, sources): each distinct combination is matched once and leads with
    the same facts share one (read-only) list of rules."""
    source_names = source_names or {}
    campaign_names = campaign_names or {}
    fields = tested_fields(rules)
    readers = [(name, read) for name, read in FACTS.items() if name in fields]
    answers, result = {}, []
    for lead in leads:
        key = tuple([read(lead, source_names, campaign_names) for _name, read in readers])
        try:
            matched = answers[key]
        except KeyError:
            facts = {name: value for (name, _read), value in zip(readers, key, strict=True)}
            matched = answers[key] = matching_rules(rules, facts)
        result.append(matched)
    return result


@dataclass(frozen=True)
class Rule:
    id: int | None
    name: str
    conditions: tuple = ()
    target_user_id: int | None = None
    target_team_id: int | None = None
    distribution: str = Distribution.ROUND_ROBIN
    capacity: int | None = None

    def matches(self, facts):
        return all(condition.holds(facts) for condition in self.conditions)

    @property
    def distributes(self):
        """True when the rule picks a member of a team (rather than a user or the queue)."""
        return self.target_team_id is not None and self.distribution != Distribution.TEAM_OWNS


def compile_rule(rule):
    """An AssignmentRule (with its conditions prefetched) as a plain, hashable Rule."""
    return Rule(
        id=rule.pk,
        name=rule.name,
        conditions=tuple(
            Condition.of(c.field, c.operator, c.items()) for c in rule.conditions.all()
        ),
        target_user_id=rule.target_user_id,
        target_team_id=rule.target_team_id,
        distribution=rule.distribution,
        capacity=rule.capacity,
    )


def matching_rules(rules, facts):
    """The rules (already in priority order) whose conditions all hold; the first one wins
    unless it cannot take the lead (its user is away, its team has nobody available)."""
    return [rule for rule in rules if rule.matches(facts)]


@dataclass
class Member:
    """A team member as routing sees them; `last_sequence` is the team's counter value when
    they last received a lead through this team's routing (0: never)."""

    user_id: int
    name: str
    is_active: bool = True
    membership_active: bool = True
    away: bool = False
    open_leads: int = 0
    last_sequence: int = 0

    def status(self, *, capacity=None, excluded=frozenset()):
        if self.user_id in excluded:
            return EXCLUDED
        if not self.is_active:
            return INACTIVE
        if not self.membership_active:
            return MEMBERSHIP_INACTIVE
        if self.away:
            return AWAY
        if capacity is not None and self.open_leads >= capacity:
            return AT_CAPACITY
        return AVAILABLE


@dataclass
class Choice:
    member: Member | None
    candidates: list = field(default_factory=list)


# (open leads, last sequence, user id) and (last sequence, user id), read in C.
_LOAD_BALANCED_ORDER = attrgetter("open_leads", "last_sequence", "user_id")
_ROUND_ROBIN_ORDER = attrgetter("last_sequence", "user_id")


def choose_member(members, *, distribution, capacity=None, excluded=frozenset()):
    """Pick the member who gets the next lead, and say why every other one did not.

    Round robin: the member who least recently received a lead through this team's routing
    (never first). Load balanced: fewest open leads, ties by least recently routed. The user
    id breaks remaining ties so the outcome never depends on row order."""
    statuses = [(m, m.status(capacity=capacity, excluded=excluded)) for m in members]
    eligible = [m for m, status in statuses if status == AVAILABLE]
    chosen = None
    if eligible:
        if distribution == Distribution.LOAD_BALANCED:
            chosen = min(eligible, key=_LOAD_BALANCED_ORDER)
        else:
            chosen = min(eligible, key=_ROUND_ROBIN_ORDER)
    candidates = [
        {
            "user_id": m.user_id,
            "name": m.name,
            "status": CHOSEN if m is chosen else status,
            "open_leads": m.open_leads,
        }
        for m, status in statuses
    ]
    return Choice(member=chosen, candidates=candidates)
