"""Read helpers other pages use (home tiles)."""

from django.db.models import Count
from django.utils import timezone

from leads.models import Lead, Status

FOLLOW_UPS_SHOWN = 5


def lead_home_tiles(user):
    """My open leads by status and my follow-ups due (two queries)."""
    mine = Lead.objects.open().owned_by(user)
    counts = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
    due = list(
        mine.filter(next_follow_up__lte=timezone.localdate())
        .order_by("next_follow_up", "pk")
        .only("pk", "topic", "company_name", "first_name", "last_name", "email", "next_follow_up")[
            : FOLLOW_UPS_SHOWN + 1
        ]
    )
    return {
        "my_open_leads_by_status": [
            (Status.NEW, Status.NEW.label, counts.get(Status.NEW, 0)),
            (Status.CONTACTED, Status.CONTACTED.label, counts.get(Status.CONTACTED, 0)),
        ],
        "my_follow_ups_due": due[:FOLLOW_UPS_SHOWN],
        "my_follow_ups_more": len(due) > FOLLOW_UPS_SHOWN,
    }
