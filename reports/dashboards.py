"""The home page's tiles that belong to reports: the salesperson's week and day, and what a
manager adds for the teams she manages. Each tile is one aggregate query and carries the
query string of the list behind it."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from crm.models import Membership, Team, managed_team_ids_of, team_ids_of
from leads.models import Lead
from leads.routing.models import AssignmentExplanation
from reports.forms import time_zone_of
from reports.lead_sources import chart_data, lead_source_report
from reports.queries import Criteria

UNTOUCHED_DAYS = 7
RECENTLY_ASSIGNED_DAYS = 7
RECENTLY_ASSIGNED_SHOWN = 10


def _leads_url(**params):
    return f"{reverse('leads:list')}?{urlencode({'view': 'any', **params})}"


def _local_today(user):
    return timezone.localtime(timezone.now(), time_zone_of(user)).date()


def _midnight(day, user):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=time_zone_of(user))


def salesperson_tiles(user):
    """New leads of mine this week; my activities overdue and due today; the leads recently
    assigned to me; my teams' queues (four queries)."""
    today = _local_today(user)
    monday = today - datetime.timedelta(days=today.weekday())
    new_this_week = Lead.objects.filter(
        owner_user=user, created_at__gte=_midnight(monday, user)
    ).count()
    now = timezone.now()
    tomorrow = _midnight(today + datetime.timedelta(days=1), user)
    due = Activity.objects.filter(
        owner_user=user, state=Activity.State.OPEN, due_at__lt=tomorrow
    ).aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        today=Count("pk", filter=Q(due_at__gte=now)),
    )
    return {
        "new_leads_this_week": new_this_week,
        "new_leads_this_week_url": _leads_url(owner=f"user:{user.pk}", created_after=monday),
        "activities_overdue": due["overdue"],
        "activities_due_today": due["today"],
        "recently_assigned": recently_assigned(user, now=now),
        "my_team_queues": my_team_queues(user),
    }


def recently_assigned(user, now=None):
    """My open leads given to me in the last RECENTLY_ASSIGNED_DAYS days by routing, a
    re-route or a hand-over (the routing's explanation rows: claims are the user's own doing
    and are left out), newest first; each with `assigned_at` and `assigned_kind`. One query."""
    since = (now or timezone.now()) - datetime.timedelta(days=RECENTLY_ASSIGNED_DAYS)
    latest = (
        AssignmentExplanation.objects.filter(lead=OuterRef("pk"), owner_user=user)
        .exclude(kind=AssignmentExplanation.Kind.CLAIMED)
        .order_by("-created_at", "-pk")
    )
    leads = (
        Lead.objects.open()
        .filter(owner_user=user)
        .annotate(
            assigned_at=Subquery(latest.values("created_at")[:1]),
            assigned_kind=Subquery(latest.values("kind")[:1]),
        )
        .filter(assigned_at__gte=since)
        .select_related("source")
        .order_by("-assigned_at", "-pk")[:RECENTLY_ASSIGNED_SHOWN]
    )
    kinds = dict(AssignmentExplanation.Kind.choices)
    rows = list(leads)
    for lead in rows:
        lead.assigned_how = kinds.get(lead.assigned_kind, "")
    return rows


def my_team_queues(user):
    """Each active team of the user's with its open leads nobody has claimed yet (the leads
    the team owns), and the lead list behind the count. One query."""
    queue = (
        Lead.objects.open()
        .filter(owner_team=OuterRef("pk"))
        .order_by()
        .values("owner_team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    teams = (
        Team.objects.filter(pk__in=team_ids_of(user))
        .annotate(open_queue=Coalesce(Subquery(queue), Value(0), output_field=IntegerField()))
        .order_by("name", "pk")
    )
    return [
        {
            "name": team.name,
            "count": team.open_queue,
            "url": _leads_url(state="open", owner=f"team:{team.pk}"),
        }
        for team in teams
    ]


def managed_teams(user):
    """The teams whose dashboard the user sees: those she manages (administrators: all)."""
    teams = Team.objects.filter(is_active=True)
    if user.is_administrator:
        return teams
    return teams.filter(pk__in=managed_team_ids_of(user))


def team_leads(user):
    """Open leads the user may see that belong to her managed teams or their members."""
    teams = managed_teams(user)
    members = Membership.objects.filter(team__in=teams, is_active=True).values("user_id")
    return (
        Lead.objects.visible_to(user)
        .open()
        .filter(Q(owner_team__in=teams) | Q(owner_user_id__in=members))
    )


def untouched_leads(user, now=None):
    """Team leads nobody changed, and no activity was added to, for UNTOUCHED_DAYS days."""
    since = (now or timezone.now()) - datetime.timedelta(days=UNTOUCHED_DAYS)
    recent_activity = Activity.objects.filter(
        content_type__app_label="leads",
        content_type__model="lead",
        object_id=OuterRef("pk"),
        created_at__gte=since,
    )
    return team_leads(user).filter(modified_at__lt=since).exclude(Exists(recent_activity))


def manager_tiles(user):
    """Open leads by owner, team queues, untouched leads, this month's sources (5 queries)."""
    leads = team_leads(user).order_by()
    by_owner = (
        leads.filter(owner_user__isnull=False)
        .values(
            "owner_user",
            "owner_user__first_name",
            "owner_user__last_name",
            "owner_user__username",
        )
        .annotate(count=Count("pk"))
        .order_by("owner_user__first_name", "owner_user__last_name", "owner_user")
    )
    queues = (
        leads.filter(owner_team__isnull=False)
        .values("owner_team", "owner_team__name")
        .annotate(count=Count("pk"))
        .order_by("owner_team__name")
    )
    first_of_month = _local_today(user).replace(day=1)
    criteria = Criteria(created_from=first_of_month, time_zone=time_zone_of(user))
    report = lead_source_report(user=user, criteria=criteria)
    return {
        "team_open_leads_by_owner": [
            {
                "name": f"{row['owner_user__first_name']} {row['owner_user__last_name']}".strip()
                or row["owner_user__username"],
                "count": row["count"],
                "url": _leads_url(state="open", owner=f"user:{row['owner_user']}"),
            }
            for row in by_owner
        ],
        "team_queues": [
            {
                "name": row["owner_team__name"],
                "count": row["count"],
                "url": _leads_url(state="open", owner=f"team:{row['owner_team']}"),
            }
            for row in queues
        ],
        "untouched_leads": untouched_leads(user).count(),
        "month_sources_chart": chart_data(report),
        "month_sources_url": (
            f"{reverse('reports:lead_sources')}?{urlencode({'created_from': first_of_month})}"
        ),
    }
