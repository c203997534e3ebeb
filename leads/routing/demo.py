"""Demo routing rules: big companies to the North manager, the Nordics shared round robin in
North, southern Europe to the South queue, trade-show leads load balanced with a capacity.
Deterministic and idempotent (rules are found by name)."""

from leads.routing.models import AssignmentCondition, AssignmentRule, Distribution

# name, priority, target (username or team name), distribution, capacity, conditions
DEMO_RULES = [
    ("Large companies to Maria", 10, "maria", Distribution.ROUND_ROBIN, None,
     [("number_of_employees", "gte", "1000")]),
    ("Nordic leads, round robin in North", 20, "North", Distribution.ROUND_ROBIN, None,
     [("country", "in", "Denmark, Sweden, Norway, Finland, Iceland")]),
    ("Southern Europe to the South queue", 30, "South", Distribution.TEAM_OWNS, None,
     [("country", "in", "Spain, Portugal, Italy, France, Germany")]),
    ("Trade-show leads, load balanced", 40, "North", Distribution.LOAD_BALANCED, 25,
     [("source", "equals", "Trade Show"), ("email_domain", "is_not_empty", "")]),
]  # fmt: skip


def seed(context):
    for name, priority, target, distribution, capacity, conditions in DEMO_RULES:
        if AssignmentRule.objects.filter(name=name).exists():
            continue
        user = context["users"].get(target)
        rule = AssignmentRule.objects.create(
            name=name,
            priority=priority,
            target_user=user,
            target_team=None if user else context["teams"][target],
            distribution=distribution,
            capacity=capacity,
        )
        for field, operator, value in conditions:
            condition = AssignmentCondition(rule=rule, field=field, operator=operator, value=value)
            condition.full_clean()
            condition.save()
