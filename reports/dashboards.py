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
from crm.models import Membership, Team, User, scope_of, team_ids_of
from leads.models import Lead, State
from leads.routing.models import AssignmentExplanation
from reports.forms import time_zone_of
from reports.lead_sources import chart_data, lead_source_report
from reports.queries import Criteria

UNTOUCHED_DAYS = 7
RECENTLY_ASSIGNED_DAYS = 7
RECENTLY_ASSIGNED_SHOWN = 10
_RECENTLY_ASSIGNED_BATCH = 50  # explanation rows read at a time (a lead may repeat)


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
    # Leads created since Monday that the user owns, split by who created them: the user (typed
    # in, so chosen by a person) or someone else (routed, imported, captured, handed over).
    # One query; the "given to you" part agrees with "Assigned to you" below for the routed.
    new_this_week = Lead.objects.filter(
        owner_user=user, created_at__gte=_midnight(monday, user)
    ).aggregate(total=Count("pk"), by_me=Count("pk", filter=Q(created_by=user)))
    now = timezone.now()
    tomorrow = _midnight(today + datetime.timedelta(days=1), user)
    due = Activity.objects.filter(
        owner_user=user, state=Activity.State.OPEN, due_at__lt=tomorrow
    ).aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        today=Count("pk", filter=Q(due_at__gte=now)),
    )
    return {
        "new_leads_this_week": new_this_week["total"],
        "new_leads_this_week_created_by_me": new_this_week["by_me"],
        "new_leads_this_week_given": new_this_week["total"] - new_this_week["by_me"],
        "new_leads_this_week_url": _leads_url(owner=f"user:{user.pk}", created_after=monday),
        "activities_overdue": due["overdue"],
        "activities_due_today": due["today"],
        "recently_assigned": recently_assigned(user, now=now),
        "my_team_queues": my_team_queues(user),
    }


def recently_assigned(user, now=None):
    """My open leads given to me in the last RECENTLY_ASSIGNED_DAYS days by routing, a
    re-route or a hand-over (the routing's explanation rows: claims are the user's own doing
    and are left out, and so are leads I created myself), newest first; each with
    `assigned_at` and `assigned_kind`.

    Read from the explanations, newest first (routing_expl_owner_idx: this user's rows of
    the week), joined to their leads: a user owning 100,000 open leads costs what one with
    ten does, where a subquery per open lead did not. A lead given to me twice in the week
    shows once, at its latest assignment. One query (one more per 50 rows if leads repeat)."""
    since = (now or timezone.now()) - datetime.timedelta(days=RECENTLY_ASSIGNED_DAYS)
    explanations = (
        AssignmentExplanation.objects.filter(
            owner_user=user,
            created_at__gte=since,
            lead__owner_user=user,
            lead__state=State.OPEN,
        )
        .exclude(kind=AssignmentExplanation.Kind.CLAIMED)
        # A lead I created (typed in, imported) that a rule gave back to me is one of mine,
        # counted as "created by you" on the new-leads tile, not as given to me.
        .exclude(lead__created_by=user)
        .select_related("lead__source")
        .order_by("-created_at", "-pk")
    )
    kinds = dict(AssignmentExplanation.Kind.choices)
    rows, seen, offset = [], set(), 0
    while len(rows) < RECENTLY_ASSIGNED_SHOWN:
        batch = list(explanations[offset : offset + _RECENTLY_ASSIGNED_BATCH])
        for explanation in batch:
            lead = explanation.lead
            if lead.pk in seen or len(rows) == RECENTLY_ASSIGNED_SHOWN:
                continue
            seen.add(lead.pk)
            lead.assigned_at, lead.assigned_kind = explanation.created_at, explanation.kind
            lead.assigned_how = kinds.get(explanation.kind, "")
            rows.append(lead)
        if len(batch) < _RECENTLY_ASSIGNED_BATCH:
            break
        offset += _RECENTLY_ASSIGNED_BATCH
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


def _managed_ids(user):
    """(team ids, member ids) of the teams the user manages (administrators: every active
    team), as literal lists: each owner column is then read from its own index."""
    if user.is_administrator:
        team_ids = list(Team.objects.filter(is_active=True).values_list("pk", flat=True))
        members = Membership.objects.filter(team_id__in=team_ids, is_active=True)
        return team_ids, sorted(set(members.values_list("user_id", flat=True)))
    scope = scope_of(user)
    return scope.managed_team_ids, scope.managed_member_ids


def team_leads(user, ids=None):
    """Open leads that belong to the user's managed teams or their members. Visibility needs
    no filter of its own: a manager sees her teams' queues and members' leads, an
    administrator everything."""
    team_ids, member_ids = ids or _managed_ids(user)
    return Lead.objects.open().filter(
        Q(owner_team_id__in=team_ids) | Q(owner_user_id__in=member_ids)
    )


def untouched_leads(user, now=None, ids=None):
    """Team leads nobody changed, and no activity was added to, for UNTOUCHED_DAYS days."""
    since = (now or timezone.now()) - datetime.timedelta(days=UNTOUCHED_DAYS)
    recent_activity = Activity.objects.filter(
        content_type__app_label="leads",
        content_type__model="lead",
        object_id=OuterRef("pk"),
        created_at__gte=since,
    )
    return team_leads(user, ids).filter(modified_at__lt=since).exclude(Exists(recent_activity))


def open_leads_by_owner(member_ids):
    """[(user, open leads)] of the members who own open leads, by name. Counted per owner
    id first, from an index alone (leads_lead_open_status_idx), then the few owners are read:
    joining the users before counting hashed every open lead of the teams (two queries)."""
    counts = dict(
        Lead.objects.open()
        .filter(owner_user_id__in=member_ids)
        .values_list("owner_user")
        .annotate(n=Count("pk"))
        .order_by()
    )
    owners = User.objects.filter(pk__in=counts).order_by("first_name", "last_name", "pk")
    return [
        (owner, counts[owner.pk]) for owner in owners.only("first_name", "last_name", "username")
    ]


def manager_tiles(user):
    """Open leads by owner, team queues, untouched leads, this month's sources (6 queries).
    The counts by owner and by queue each read one owner column (a lead has one owner)."""
    team_ids, member_ids = ids = _managed_ids(user)
    by_owner = open_leads_by_owner(member_ids)
    queues = (
        Lead.objects.open()
        .filter(owner_team_id__in=team_ids)
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
                "name": owner.get_full_name() or owner.username,
                "count": count,
                "url": _leads_url(state="open", owner=f"user:{owner.pk}"),
            }
            for owner, count in by_owner
        ],
        "team_queues": [
            {
                "name": row["owner_team__name"],
                "count": row["count"],
                "url": _leads_url(state="open", owner=f"team:{row['owner_team']}"),
            }
            for row in queues
        ],
        "untouched_leads": untouched_leads(user, ids=ids).count(),
        "month_sources_chart": chart_data(report),
        "month_sources_url": (
            f"{reverse('reports:lead_sources')}?{urlencode({'created_from': first_of_month})}"
        ),
    }
