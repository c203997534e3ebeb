"""The routing app's reactions to the leads app's signals (connected in apps.py)."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.services import enqueue_on_commit
from crm.tasks import send_email
from leads.models import Lead
from leads.routing import services


def route_creating_leads(sender, leads, created_by, route, **kwargs):
    """lead_creating: owners from the rules table for leads nobody chose an owner for."""
    if route:
        services.route_new_leads(leads=leads, created_by=created_by)


def explain_created_leads(sender, leads, created_by, route, **kwargs):
    """lead_created: the explanations need the leads' primary keys."""
    if route:
        services.write_explanations(leads=leads, performed_by=created_by)


def notify_assigned_owner(sender, lead, owner, assigned_by, reason, **kwargs):
    """lead_assigned (after commit): an e-mail to the new owner."""
    services.notify_new_owner(lead=lead, owner=owner, assigned_by=assigned_by, reason=reason)


def explain_assignment(sender, lead, owner, assigned_by, **kwargs):
    """lead_reassigned (in the transaction): record who gave the lead to whom."""
    services.explain_assignment(lead=lead, owner=owner, assigned_by=assigned_by)


def send_import_digests(sender, batch, owner_counts, **kwargs):
    """leads_imported (once per finished import, in its transaction): one e-mail per owner
    per import, not one per lead; none to the importing user. Sent after commit."""
    users = get_user_model().objects.filter(pk__in=[int(pk) for pk in owner_counts])
    for user in users:
        if not user.email or user.pk == batch.created_by_id:
            continue
        count = owner_counts[str(user.pk)]
        with translation.override(user.language_or_default):
            subject = _("%(count)d new leads for you") % {"count": count}
            body = _("An import (%(name)s) gave you %(count)d new leads.") % {
                "name": batch.file_name,
                "count": count,
            }
        enqueue_on_commit(send_email, to=user.email, subject=subject, body=body)


def warn_about_open_leads(sender, user, **kwargs):
    """user_deactivated: an inactive owner's open leads are stuck with nobody to work them:
    say how many, and link to the hand-over ("Hand over open leads" in the admin)."""
    count = Lead.objects.open().filter(owner_user=user).count()
    if not count:
        return None
    link = (
        reverse("admin:routing_departinguser_changelist")
        + "?"
        + urlencode({"is_active__exact": "0", "q": user.username})
    )
    text = ngettext(
        "%(user)s is inactive and still owns %(count)s open lead.",
        "%(user)s is inactive and still owns %(count)s open leads.",
        count,
    ) % {"user": user, "count": count}
    return format_html('{} <a href="{}">{}</a>', text, link, _("Hand their open leads over…"))
