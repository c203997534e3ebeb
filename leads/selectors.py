"""Read helpers other pages use (home tiles, the leads panel on customer pages)."""

from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import Account, Contact
from crm.lib import search
from leads import search as lead_search
from leads.models import (
    Lead,
    LeadLink,
    LeadStatusChange,
    Qualification,
    State,
    Status,
    import_batch_of,
)

FOLLOW_UPS_SHOWN = 5
LINK_CANDIDATES_SHOWN = 20


def lead_home_tiles(user):
    """My open leads by status and my follow-ups due, today being the user's (two queries)."""
    mine = Lead.objects.open().owned_by(user)
    counts = dict(mine.values_list("status").annotate(n=Count("pk")).order_by())
    due = list(
        mine.filter(next_follow_up__lte=user.local_today())
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


# The leads panel on account, contact and opportunity pages ({% record_leads record %}) ------


def record_leads(record, user):
    """The leads behind a customer record, for its page: the originating leads (qualifying
    them created or used the record), the leads linked to it (with who linked and when, and
    whether the user may remove the link), the originating leads' other links, and the leads
    that came from this customer (their existing account or contact). Only leads, accounts
    and contacts the user may see.

    Queries: originating leads, links, leads from the customer (none for an opportunity):
    2 or 3, whatever the number of leads."""
    field = record._meta.model_name  # "account", "contact" or "opportunity"
    visible = Lead.objects.visible_to(user)
    origins = list(
        Qualification.objects.filter(**{field: record}, lead__in=visible)
        .select_related("lead", "performed_by", "source_campaign")
        .order_by("performed_at", "pk")
    )
    is_customer = field in ("account", "contact")
    links, origin_links = [], {}
    # The originating leads' links come in the same query as the record's own (a subquery).
    produced = Qualification.objects.filter(**{field: record}).values("lead")
    wanted = Q(lead__in=produced)
    if is_customer:
        wanted |= Q(**{field: record})
    target_visible = Q(account__in=Account.objects.visible_to(user).values("pk")) | Q(
        contact__in=Contact.objects.visible_to(user).values("pk")
    )
    rows = (
        LeadLink.objects.filter(wanted, target_visible, lead__in=visible)
        .select_related("lead", "account", "contact", "linked_by")
        .annotate(can_unlink=Exists(Lead.objects.editable_by(user).filter(pk=OuterRef("lead_id"))))
        .order_by("linked_at", "pk")
    )
    for link in rows:
        if is_customer and getattr(link, f"{field}_id") == record.pk:
            links.append(link)
        else:
            origin_links.setdefault(link.lead_id, []).append(link)
    for qualification in origins:
        qualification.other_links = origin_links.get(qualification.lead_id, [])
    customer_leads = []
    if is_customer:
        customer_leads = list(
            visible.filter(**{f"existing_{field}": record}).order_by("-created_at", "-pk")
        )
    return {
        "record": record,
        "origins": origins,
        "links": links,
        "customer_leads": customer_leads,
        "can_link": is_customer and not record.merged_into_id,  # a merged one is read-only
        "record_kind": field,
    }


def search_leads(queryset, text):
    """Leads matching every term of `text` in a name, company, e-mail, phone or topic: the lead
    search index (leads.search: trigram GIN on PostgreSQL, FTS5 on SQLite; accents and case
    folded, phones by their digits)."""
    return lead_search.filter_by_terms(queryset, search.search_terms(text))


def link_candidates(record, user, text=""):
    """Leads the user may link to `record` (an account or contact): those they may change,
    not linked to it yet, matching `text`, newest first; one query, at most
    LINK_CANDIDATES_SHOWN (the search narrows it, so the page never lists every lead)."""
    field = record._meta.model_name
    linked = LeadLink.objects.filter(**{field: record}).values("lead")
    leads = Lead.objects.editable_by(user).exclude(pk__in=linked)
    return list(
        search_leads(leads, text)
        .select_related("owner_user", "owner_team")
        .order_by("-created_at", "-pk")[:LINK_CANDIDATES_SHOWN]
    )


def import_batch_of_lead(lead):
    """The number of the import batch that created `lead`, or None (one query): its first
    status-log entry says so (leads.models.import_batch_reason)."""
    reason = (
        LeadStatusChange.objects.filter(lead=lead, from_state="")
        .order_by("changed_at", "pk")
        .values_list("reason", flat=True)
        .first()
    )
    return import_batch_of(reason or "")


def process_steps(lead):
    """The lead's process bar (its page's header): New -> Contacted -> Qualified, or
    Disqualified as the last step, each with when the lead first reached it and which is
    current (one query: its status log, a handful of rows)."""
    reached = {}
    for status, state, when in (
        LeadStatusChange.objects.filter(lead=lead)
        .order_by("changed_at", "pk")
        .values_list("to_status", "to_state", "changed_at")
    ):
        reached.setdefault(status, when)
        reached.setdefault(state, when)
    reached.setdefault(Status.NEW, lead.created_at)
    closing = State.DISQUALIFIED if lead.state == State.DISQUALIFIED else State.QUALIFIED
    steps = [
        (Status.NEW, Status.NEW.label),
        (Status.CONTACTED, Status.CONTACTED.label),
        (closing, State(closing).label),
    ]
    current = closing if not lead.is_open else lead.status
    # A later step reached makes the earlier ones done, even if skipped (New -> Qualified).
    order = [key for key, _label in steps]
    at = order.index(current)
    return [
        {
            "key": key,
            "label": label,
            "since": reached.get(key) if index <= at else None,
            "current": index == at,
            "done": index < at,
        }
        for index, (key, label) in enumerate(steps)
    ]
