"""The opportunities panel and the "New opportunity" button on account and contact pages
(crm/panels.py): accounts sits below this app and does not know it."""

from django.db.models import Count, Q, Window
from django.utils.translation import ngettext

from accounts.models import Account
from opportunities.models import Opportunity


def customer_opportunities(context, customer):
    """The customer's first opportunities (as many as the page's `related_limit`) and how
    many the viewer sees in all, in one query (the total is a window count over the rows
    before the limit). A contact's are those where it is the customer or the contact person
    at an account."""
    if isinstance(customer, Account):
        scope, mine = "account", Q(account=customer)
    else:
        scope, mine = "contact", Q(contact=customer) | Q(parent_contact=customer)
    limit = context["related_limit"]
    rows = list(
        Opportunity.objects.visible_to(context["request"].user)
        .filter(mine)
        .select_related("currency")
        .annotate(total=Window(Count("pk")))
        .order_by("state", "-created_at")[:limit]
    )
    return {
        "record": customer,
        "scope": scope,
        "opportunities": rows,
        "opportunity_count": rows[0].total if rows else 0,
        "related_limit": limit,
    }


def new_opportunity_button(context, customer):
    scope = "account" if isinstance(customer, Account) else "contact"
    user = context["request"].user
    return {
        "record": customer,
        "scope": scope,
        "may_add": user.has_perm("opportunities.add_opportunity"),
    }


def open_deals_warning(customer):
    """The confirmation page's warning before an account or contact is deactivated: its open
    opportunities stay open (counted whoever owns them: one query)."""
    if isinstance(customer, Account):
        mine = Q(account=customer)
    else:
        mine = Q(contact=customer) | Q(parent_contact=customer)
    count = Opportunity.objects.filter(mine, state=Opportunity.State.OPEN).count()
    if not count:
        return ""
    return ngettext(
        "%(count)s open opportunity has this customer. It stays open: close it or move it to"
        " another customer if the deal is off.",
        "%(count)s open opportunities have this customer. They stay open: close them or move"
        " them to another customer if the deals are off.",
        count,
    ) % {"count": count}
