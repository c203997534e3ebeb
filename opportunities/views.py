from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account, Contact
from activities.services import delete_record
from activities.views import delete_page
from crm.errors import DomainError, StaleRecord
from crm.lib.http import safe_next
from crm.lib.pagination import PAGE_SIZES, list_page, page_size
from crm.permissions import check_permission, require_permission
from opportunities.filters import OpportunityFilter
from opportunities.forms import CloseOpportunityForm, OpportunityForm
from opportunities.models import Opportunity
from opportunities.selectors import stage_steps
from opportunities.services import (
    create_opportunity,
    lose_opportunity,
    reopen_opportunity,
    set_sales_stage,
    update_opportunity,
    win_opportunity,
)


@require_http_methods(["GET"])
def opportunity_list(request):
    data = request.GET.copy()
    data.setdefault("state", str(Opportunity.State.OPEN))  # open ones until the user picks
    filterset = OpportunityFilter(
        data,
        queryset=Opportunity.objects.visible_to(request.user).order_by("-created_at", "-pk"),
        request=request,
    )
    # The page's rows only are joined (the count and OFFSET read the opportunity table alone).
    page = list_page(
        request,
        filterset.qs,
        decorate=lambda rows: rows.select_related(
            "account", "contact", "currency", "owner_user", "owner_team"
        ),
    )
    return render(
        request,
        "opportunities/opportunity_list.html",
        {
            "filter": filterset,
            "page": page,
            "per_page": page_size(request),
            "page_sizes": PAGE_SIZES,
            "scope": _list_scope(request),
        },
    )


def _list_scope(request):
    """The account or contact the list is narrowed to (its page's "see all" link), for the
    heading; one query, only when narrowed."""
    for name, model in (("account", Account), ("contact", Contact)):
        value = request.GET.get(name, "")
        if value.isdigit():
            return model.objects.visible_to(request.user).filter(pk=value).first()
    return None


@require_http_methods(["GET"])
def opportunity_detail(request, pk):
    opportunity = get_object_or_404(
        Opportunity.objects.visible_to(request.user)
        .with_access(request.user)
        .select_related(
            "account",
            "contact",
            "parent_contact",
            "source_campaign",
            "currency",
            "owner_user",
            "owner_team",
            "modified_by",
        ),
        pk=pk,
    )
    return render(
        request,
        "opportunities/opportunity_detail.html",
        {"opportunity": opportunity, "stages": stage_steps(opportunity)},
    )


def _initial_customer(request):
    """?account=<pk> or ?contact=<pk> from a customer's page preselects it (if visible)."""
    for name, model in (("account", Account), ("contact", Contact)):
        value = request.GET.get(name, "")
        if value.isdigit():
            return {name: model.objects.visible_to(request.user).filter(pk=value).first()}
    return {}


@require_http_methods(["GET", "POST"])
@require_permission("opportunities.add_opportunity")
def opportunity_create(request):
    initial = _initial_customer(request) if request.method == "GET" else {}
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        opportunity = create_opportunity(opportunity=form.instance, user=request.user)
        messages.success(request, _("Opportunity %(topic)s created.") % {"topic": opportunity})
        return redirect(opportunity)
    return render(request, "opportunities/opportunity_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def opportunity_edit(request, pk):
    opportunity = get_object_or_404(Opportunity.objects.editable_by(request.user), pk=pk)
    check_permission(request.user, "opportunities.change_opportunity")
    if not opportunity.is_open:
        messages.error(request, _("A closed opportunity cannot be edited; reopen it first."))
        return redirect(opportunity)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = update_opportunity(
                opportunity=opportunity,
                user=request.user,
                data=form.changed_values(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, _("Opportunity %(topic)s saved.") % {"topic": opportunity})
            return redirect(opportunity)
    return render(
        request,
        "opportunities/opportunity_form.html",
        {"form": form, "opportunity": opportunity},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def opportunity_close(request, pk):
    opportunity = get_object_or_404(Opportunity.objects.editable_by(request.user), pk=pk)
    check_permission(request.user, "opportunities.change_opportunity")
    form = CloseOpportunityForm(
        request.POST or None, opportunity=opportunity, outcome=request.GET.get("outcome", "")
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "opportunity": opportunity,
            "user": request.user,
            "close_date": data["close_date"],
            "description": data["description"],
            "expected_version": data["expected_version"],
        }
        try:
            if data["outcome"] == form.WON:
                opportunity = win_opportunity(actual_value=data["actual_value"], **common)
            else:
                lost_status = {
                    form.CANCELED: Opportunity.Status.CANCELED,
                    form.OUT_SOLD: Opportunity.Status.OUT_SOLD,
                }[data["outcome"]]
                opportunity = lose_opportunity(status=lost_status, **common)
        except DomainError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(
                request,
                _("Opportunity closed as %(state)s.")
                % {"state": opportunity.get_state_display().lower()},
            )
            return redirect(safe_next(request, opportunity))
    # The board opens the form alone in a dialog (?dialog=1), and it returns there (next).
    template = "opportunities/opportunity_close.html"
    return render(
        request,
        f"{template}#dialog" if request.GET.get("dialog") else template,
        {
            "form": form,
            "opportunity": opportunity,
            "next": safe_next(request, ""),
        },
        status=status,
    )


@require_POST
def opportunity_set_stage(request, pk):
    """The board's move: a card dropped on another stage (`Accept: application/json`: the new
    version, 409 for a stale card) or its Move button (back to `next`)."""
    opportunity = get_object_or_404(Opportunity.objects.editable_by(request.user), pk=pk)
    check_permission(request.user, "opportunities.change_opportunity")
    version = request.POST.get("expected_version", "")
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        opportunity = set_sales_stage(
            opportunity=opportunity,
            user=request.user,
            stage=request.POST.get("sales_stage", ""),
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        if wants_json:
            return JsonResponse(
                {"error": str(error)}, status=409 if isinstance(error, StaleRecord) else 400
            )
        messages.error(request, str(error))
    else:
        done = _("Sales stage set to %(stage)s.") % {
            "stage": opportunity.get_sales_stage_display()
        }
        if wants_json:
            return JsonResponse(
                {"version": opportunity.version, "stage": opportunity.sales_stage, "message": done}
            )
        messages.success(request, done)
    return redirect(safe_next(request, opportunity))


@require_POST
def opportunity_reopen(request, pk):
    opportunity = get_object_or_404(Opportunity.objects.editable_by(request.user), pk=pk)
    check_permission(request.user, "opportunities.change_opportunity")
    try:
        opportunity = reopen_opportunity(opportunity=opportunity, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Opportunity reopened."))
    return redirect(opportunity)


@require_http_methods(["GET", "POST"])
def opportunity_delete(request, pk):
    """GET: the confirmation; POST: delete an opportunity made by mistake, with the reason
    typed there (administrators: opportunities.delete_opportunity). One a qualified lead made
    stays (the funnel counts it)."""
    opportunity = get_object_or_404(Opportunity.objects.editable_by(request.user), pk=pk)
    check_permission(request.user, "opportunities.delete_opportunity")
    return delete_page(
        request,
        opportunity,
        delete=lambda reason: delete_record(record=opportunity, user=request.user, reason=reason),
        done=_("Opportunity %(topic)s deleted.") % {"topic": opportunity},
        back="opportunities:list",
        template="opportunities/opportunity_delete.html",
    )
