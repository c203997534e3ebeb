import csv

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Account, Contact
from crm.permissions import require_permission
from crm.replica import reads_from_replica
from leads.exports import BOM, csv_delimiter
from leads.models import Status
from leads.selectors import lead_home_tiles
from opportunities.models import Opportunity
from reports import dashboards
from reports.csv_headings import headings
from reports.forms import ReportFilterForm
from reports.funnel import chart_data as funnel_chart
from reports.funnel import csv_rows as funnel_csv
from reports.funnel import funnel_report
from reports.lead_sources import (
    REASONS,
    chart_data,
    csv_rows,
    disqualification_chart_data,
    disqualification_csv_rows,
    lead_source_report,
)
from reports.links import add_count_links
from reports.time_in_status import chart_data as time_in_status_chart
from reports.time_in_status import csv_rows as time_in_status_csv
from reports.time_in_status import time_in_status_report


@require_GET
def home(request):
    """The signed-in user's own work; each app's tile is added as the app lands. Managers
    (and administrators) also get their teams' dashboard."""
    memberships = request.user.memberships.filter(is_active=True, team__is_active=True)
    teams = [m.team for m in memberships.select_related("team").order_by("team__name")]
    customer_tiles = {
        "my_open_opportunities": Opportunity.objects.open().owned_by(request.user).count(),
        "my_active_accounts": Account.objects.active().owned_by(request.user).count(),
        "my_active_contacts": Contact.objects.active().owned_by(request.user).count(),
    }
    is_manager = request.user.is_administrator or request.user.is_sales_manager
    return render(
        request,
        "reports/home.html",
        {
            "teams": teams,
            **customer_tiles,
            **lead_home_tiles(request.user),
            **dashboards.salesperson_tiles(request.user),
            "is_manager": is_manager,
            **(dashboards.manager_tiles(request.user) if is_manager else {}),
        },
    )


# The report index: what each report answers, in the words of a sales manager's question.
REPORTS = [
    (
        "reports:lead_sources",
        gettext_lazy("Lead sources"),
        gettext_lazy(
            "Which sources, campaigns, owners or teams bring leads that qualify and win:"
            " leads, qualified, disqualified, opportunities and won revenue for each."
        ),
    ),
    (
        "reports:funnel",
        gettext_lazy("Funnel"),
        gettext_lazy(
            "How far the leads of a period got: contacted, qualified, opportunity, won, with"
            " the share of each step that reached the next."
        ),
    ),
    (
        "reports:time_in_status",
        gettext_lazy("Time in status"),
        gettext_lazy(
            "How long leads wait in each status reason before they move on, and where they stall."
        ),
    ),
    (
        "reports:disqualification",
        gettext_lazy("Disqualification reasons"),
        gettext_lazy(
            "Why leads are disqualified (lost, cannot contact, no longer interested,"
            " canceled), by source, campaign, owner or team."
        ),
    ),
    # The scoring app's report (scoring/report_views.py), named by its URL: no import.
    (
        "scoring_report:report",
        gettext_lazy("Lead scoring"),
        gettext_lazy(
            "How well the predicted likelihood tells the leads that qualify from those that"
            " do not: its accuracy on held-out leads, the qualification rate by grade, the"
            " fields that matter most, and the open leads by grade."
        ),
    ),
    (
        "reports:untouched_leads",
        gettext_lazy("Untouched leads"),
        gettext_lazy(
            "Open leads of the teams you manage that nobody changed or logged an activity on"
            " for 7 days or more, oldest first."
        ),
    ),
]


@require_GET
@require_permission("crm.view_reports")
@reads_from_replica
def index(request):
    # Untouched leads are those of the teams a manager manages: a rep's page would be empty.
    managing = request.user.is_administrator or request.user.is_sales_manager
    reports = [
        {"url": reverse(name), "title": title, "answers": answers}
        for name, title, answers in REPORTS
        if managing or name != "reports:untouched_leads"
    ]
    return render(request, "reports/index.html", {"reports": reports})


def _filters(request, *, by_choices=None):
    """(form, criteria); criteria is None when the filters are not valid."""
    form = ReportFilterForm(request.GET, by_choices=by_choices, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Check the filters: some values were not understood."))
        return form, None
    return form, form.criteria(user=request.user)


def _csv_response(report):
    return _csv_download(csv_rows(report), f"lead-{report.by}-report.csv")


@require_GET
@require_permission("crm.view_reports")
@reads_from_replica
def lead_sources(request):
    """Lead source effectiveness (or by campaign, owner, team); `?format=csv` downloads it."""
    form, criteria = _filters(request)
    if criteria is None:
        if request.GET.get("format") == "csv":
            return HttpResponse(
                _("Check the filters: some values were not understood."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return render(request, "reports/lead_sources.html", {"form": form, "report": None})
    report = lead_source_report(user=request.user, criteria=criteria)
    if request.GET.get("format") == "csv":
        return _csv_response(report)
    add_count_links(report, criteria)
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "reports/lead_sources.html",
        {
            "form": form,
            "report": report,
            "chart": chart_data(report),
            "csv_query": query.urlencode(),
            "by_label": dict(form.fields["by"].choices)[criteria.by],
            "base_currency": settings.BASE_CURRENCY,
        },
    )


def _wants_csv(request):
    return request.GET.get("format") == "csv"


def _bad_filters_response():
    return HttpResponse(
        _("Check the filters: some values were not understood."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _csv_download(rows, filename):
    """A report as CSV: UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8
    (without one it guesses Windows-1252 and "Søren" becomes "SÃ¸ren"); in Danish ";",
    decimal commas and Danish headings."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response, delimiter=csv_delimiter())
    rows = iter(rows)
    writer.writerow(headings(next(rows)))
    writer.writerows(rows)
    return response


def _csv_query(request):
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


@require_GET
@require_permission("crm.view_reports")
@reads_from_replica
def funnel(request):
    """The funnel; `?format=csv` downloads its rows."""
    form, criteria = _filters(request, by_choices=["source", "team"])
    if criteria is None and _wants_csv(request):
        return _bad_filters_response()
    rows, totals = funnel_report(user=request.user, criteria=criteria) if criteria else ([], None)
    if _wants_csv(request):
        return _csv_download(funnel_csv(criteria.by, rows), f"funnel-{criteria.by}-report.csv")
    return render(
        request,
        "reports/funnel.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
            "chart": funnel_chart(totals) if totals else None,
            "csv_query": _csv_query(request) if criteria else None,
        },
    )


@require_GET
@require_permission("crm.view_reports")
@reads_from_replica
def time_in_status(request):
    """Time in status; `?format=csv` downloads one row per group and status."""
    form, criteria = _filters(request, by_choices=["owner", "team"])
    if criteria is None and _wants_csv(request):
        return _bad_filters_response()
    rows, statuses = (
        time_in_status_report(user=request.user, criteria=criteria) if criteria else ([], [])
    )
    if _wants_csv(request):
        return _csv_download(
            time_in_status_csv(criteria.by, rows, statuses),
            f"time-in-status-{criteria.by}-report.csv",
        )
    return render(
        request,
        "reports/time_in_status.html",
        {
            "form": form,
            "rows": rows,
            "statuses": statuses,
            "chart": time_in_status_chart(rows, statuses) if rows else None,
            "csv_query": _csv_query(request) if criteria else None,
        },
    )


@require_GET
@require_permission("crm.view_reports")
@reads_from_replica
def disqualification(request):
    """Disqualification reasons by source (the headline report's reason columns)."""
    form, criteria = _filters(request, by_choices=["source", "campaign", "owner", "team"])
    if criteria is None and _wants_csv(request):
        return _bad_filters_response()
    report = lead_source_report(user=request.user, criteria=criteria) if criteria else None
    if _wants_csv(request):
        return _csv_download(
            disqualification_csv_rows(report), f"disqualification-{criteria.by}-report.csv"
        )
    return render(
        request,
        "reports/disqualification.html",
        {
            "form": form,
            "report": report,
            "reason_labels": [(reason, Status(reason).label) for reason in REASONS],
            "chart": disqualification_chart_data(report) if report else None,
            "csv_query": _csv_query(request) if criteria else None,
        },
    )


@require_GET
@require_permission("crm.view_reports")
@reads_from_replica
def untouched_leads(request):
    """The manager's "untouched for 7+ days" tile: the leads behind it."""
    leads = dashboards.untouched_leads(request.user).for_list().order_by("modified_at", "pk")
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/untouched_leads.html",
        {"page": page, "days": dashboards.UNTOUCHED_DAYS},
    )
