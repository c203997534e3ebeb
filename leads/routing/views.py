from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm.errors import DomainError
from crm.lib.http import safe_next
from crm.permissions import check_permission
from leads.models import Lead
from leads.routing import services


@require_POST
def lead_claim(request, pk):
    """Claim from the lead page, or from a row of the list (which posts `next`: back there)."""
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
    check_permission(request.user, "leads.reassign_lead")
    back = safe_next(request, None)
    try:
        services.claim_lead(lead=lead, user=request.user)
    except DomainError as error:
        messages.error(request, f"{lead}: {error}" if back else str(error))
    else:
        if back:
            messages.success(request, _("You now own %(lead)s.") % {"lead": lead})
        else:
            messages.success(request, _("You now own this lead."))
    return redirect(back or lead)


@require_POST
def apply_rules(request):
    """ "Apply routing rules" on the leads selected in the list (only those the user may
    change; the others are ignored as if they were not there)."""
    check_permission(request.user, "leads.reassign_lead")
    back = safe_next(request, reverse("leads:list"))
    ids = [value for value in request.POST.getlist("leads") if value.isdigit()]
    leads = list(Lead.objects.editable_by(request.user).filter(pk__in=ids))
    if not leads:
        messages.error(request, _("Select the leads to route."))
        return redirect(back)
    done, refused = services.reroute_leads(leads=leads, user=request.user)
    messages.success(
        request,
        ngettext("%(n)s lead re-routed.", "%(n)s leads re-routed.", len(done)) % {"n": len(done)},
    )
    for lead, reason in refused:
        messages.warning(request, f"{lead}: {reason}")
    return redirect(back)
