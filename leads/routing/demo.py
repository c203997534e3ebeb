"""Demo routing rules: big companies to the Nord manager, the Nordics shared round robin in
Nord, southern Europe to the Syd queue, trade-show leads load balanced with a capacity.
Deterministic and idempotent (rules are found by name)."""

from leads.routing.models import AssignmentCondition, AssignmentRule, Distribution

# name, priority, target (username or team name), distribution, capacity, conditions
DEMO_RULES = [
    ("Store firmaer til Maria", 10, "maria", Distribution.ROUND_ROBIN, None,
     [("number_of_employees", "gte", "1000")]),
    ("Nordiske kundeemner på skift i Nord", 20, "Nord", Distribution.ROUND_ROBIN, None,
     [("country", "in", "Danmark, Denmark, Sverige, Sweden, Norge, Norway, Finland, Island, Iceland")]),  # noqa: E501
    ("Sydeuropa til Syds kø", 30, "Syd", Distribution.TEAM_OWNS, None,
     [("country", "in", "Spanien, Spain, Portugal, Italien, Italy, Frankrig, France, Tyskland, Germany")]),  # noqa: E501
    ("Messekundeemner, jævnt fordelt", 40, "Nord", Distribution.LOAD_BALANCED, 25,
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
