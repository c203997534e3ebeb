"""The home page's tiles that belong to reports: the salesperson's week and day, and what a
manager adds for the teams she manages. Each tile is one aggregate query and carries the
query string of the list behind it."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from crm.models import Membership, Team, managed_team_ids_of
from leads.models import Lead
from reports.forms import time_zone_of
from reports.lead_sources import chart_data, lead_source_report
from reports.queries import Criteria

UNTOUCHED_DAYS = 7


def _leads_url(**params):
    return f"{reverse('leads:list')}?{urlencode({'view': 'any', **params})}"


def _local_today(user):
    return timezone.localtime(timezone.now(), time_zone_of(user)).date()


def _midnight(day, user):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=time_zone_of(user))


def salesperson_tiles(user):
    """New leads of mine this week; my activities overdue and due today (two queries)."""
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
    }


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
