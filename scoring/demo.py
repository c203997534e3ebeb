"""Demo scoring rules: hot leads and leads from a trade show earn points, a recent phone call
earns engagement points; then every open demo lead is scored. Deterministic and idempotent
(rules are found by name). The demo holds too few closed leads for a prediction, and the
Score panel and the report say so."""

from scoring import services
from scoring.models import Engagement, ScoringRule

DEMO_RULES = [
    ("Varme kundeemner", {"field": "rating", "operator": "equals", "value": "hot"}, 25),
    ("Fra en messe", {"field": "source", "operator": "equals", "value": "Trade Show"}, 10),
    ("Ingen mailadresse", {"field": "email_domain", "operator": "is_empty"}, -15),
    (
        "Ringet op inden for 14 dage",
        {
            "kind": ScoringRule.Kind.ACTIVITY,
            "engagement": Engagement.PHONE_CALL,
            "within_days": 14,
        },
        20,
    ),
]


def seed(context):
    for name, values, points in DEMO_RULES:
        if ScoringRule.objects.filter(name=name).exists():
            continue
        rule = ScoringRule(name=name, points=points, **values)
        rule.full_clean()
        rule.save()
    services.score_all()
