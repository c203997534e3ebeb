import csv
import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.models import Account, Contact
from activities.forms import quick_add_labels
from activities.views import delete_page
from crm.errors import DomainError, StaleRecord
from crm.forms import OwnerRows
from crm.history import Reason, change_reason
from crm.lib.http import safe_next
from crm.lib.pagination import PAGE_SIZES, ListPaginator, page_size
from crm.permissions import check_permission, read_only_denied, require_permission
from crm.replica import reads_from_replica
from leads import actions, qualification, services
from leads.duplicates import possible_duplicates, qualification_duplicates
from leads.exports import BOM, csv_delimiter, export_rows
from leads.filters import LeadFilter, apply_saved_view, saved_views_for
from leads.forms import (
    BULK_PERMISSIONS,
    INLINE_FIELDS,
    AssignForm,
    BulkActionForm,
    DisqualifyForm,
    LeadFieldForm,
    LeadForm,
    LinkForm,
    QualifyForm,
    RecordLinkForm,
)
from leads.models import DISQUALIFY_REASONS, Lead, LeadLink, State, Status
from leads.selectors import import_batch_of_lead, link_candidates, process_steps


def _filtered(request, owners=None):
    """(saved view key, FilterSet) for the list and its export: same leads in both."""
    views = dict(saved_views_for(request.user))
    view = request.GET.get("view", "mine")
    if view not in views:
        view = "mine"
    leads = apply_saved_view(Lead.objects.visible_to(request.user), view, request.user)
    filterset = LeadFilter(
        request.GET, queryset=leads.order_by("-created_at", "-pk"), owners=owners
    )
    return view, filterset


def _row_decoration(user):
    """What a row shows beyond its columns, applied to the page's rows only (never to the
    rows OFFSET skips): owner, source and campaign joined, can_edit, and other apps'
    annotations (routing's Claim button)."""

    def decorate(leads):
        return leads.for_list().annotate(
            can_edit=Exists(Lead.objects.editable_by(user).filter(pk=OuterRef("pk"))),
            **actions.row_annotations(user),
        )

    return decorate


@require_GET
def lead_list(request):
    # Users and teams read once for the owner filter and the bulk bar's owner select.
    owners = OwnerRows(request.user)
    view, filterset = _filtered(request, owners)
    per_page = page_size(request)
    leads = filterset.qs
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Some filters were not understood and are ignored."))
        leads = filterset.queryset
    paginator = ListPaginator(leads, per_page, decorate=_row_decoration(request.user))
    page = paginator.get_page(
        request.GET.get("page"), after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(
        request,
        "leads/lead_list.html",
        {
            "filter": filterset,
            "page": page,
            "view": view,
            "saved_views": saved_views_for(request.user),
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "bulk_form": BulkActionForm(user=request.user, owners=owners),
            "bulk_buttons": actions.bulk_buttons(),
            "row_extras": [extra.template for extra in actions.row_extras()],
            "sort": request.GET.get("sort", ""),
            # The filter panel opens when a filter is set (sorting alone is not filtering).
            "filtering": any(
                request.GET.get(name) for name in filterset.filters if name != "sort"
            ),
        },
    )


class _Echo:
    def write(self, value):
        return value


@require_GET
@reads_from_replica
def lead_export(request):
    """The filtered list as CSV, streamed row by row (memory stays flat), API field names."""
    _view, filterset = _filtered(request)
    leads = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset
    writer = csv.writer(_Echo(), delimiter=csv_delimiter())
    rows = itertools.chain([BOM], (writer.writerow(row) for row in export_rows(leads)))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    return response


def _detail_queryset(user, *, existing=True):
    """The lead with what its pages show joined. existing=False leaves out the existing
    account and contact (rarely set; read when set): each join costs the planner time."""
    related = ["owner_user", "owner_team", "source", "campaign", "created_by", "modified_by"]
    return (
        Lead.objects.visible_to(user)
        .select_related(*related, *(["existing_account", "existing_contact"] if existing else []))
        .with_access(user)
        # Assign and the owner's inline edit: not offered on a lead shared with the user.
        .annotate(can_assign=Exists(Lead.objects.assignable_by(user).filter(pk=OuterRef("pk"))))
    )


def _lead_or_404(leads, pk):
    """get_object_or_404 without get()'s LIMIT 21: with a LIMIT, PostgreSQL plans every order
    of these joins for a fast start as well (9.8 ms to plan 8 joins at 1M leads, 2.9 without,
    for a 0.3 ms query)."""
    for lead in leads.filter(pk=pk):
        return lead
    raise Http404


def _editable_lead(request, pk):
    """A lead the user may change: another team's is a 404, a visible read-only one a 403."""
    lead = _lead_or_404(_detail_queryset(request.user), pk)
    if not lead.can_edit:
        raise read_only_denied(lead)
    return lead


QUICK_ACTIONS = ("phone_call", "email", "note")


def _detail_context(request, lead):
    qualifications = lead.qualifications.select_related(
        "account", "contact", "opportunity", "performed_by", "source_campaign"
    )
    return {
        "lead": lead,
        "qualifications": qualifications,
        "disqualify_form": DisqualifyForm(initial={"expected_version": lead.version}),
        "links": lead.links.select_related("account", "contact", "linked_by").order_by(
            "linked_at", "pk"
        ),
        "link_form": LinkForm(user=request.user) if lead.can_edit else None,
        # Called by the template only for a qualified lead without a qualification (one
        # an import created qualified): "Qualified by import #N".
        "import_batch": lambda: import_batch_of_lead(lead),
        "process": process_steps(lead),
        # The header's quick actions (the timeline's quick-add forms).
        "quick_actions": [
            (kind, label) for kind, label in quick_add_labels().items() if kind in QUICK_ACTIONS
        ],
    }


@require_GET
def lead_detail(request, pk):
    lead = _lead_or_404(_detail_queryset(request.user, existing=False), pk)
    return render(request, "leads/lead_detail.html", _detail_context(request, lead))


@require_http_methods(["GET", "POST"])
@require_permission("leads.add_lead")
def lead_create(request):
    form = LeadForm(request.POST or None, user=request.user)
    matches = []
    if request.method == "POST" and form.is_valid():
        if "save_anyway" not in request.POST:
            matches = possible_duplicates(user=request.user, data=form.cleaned_data)
        if not matches:
            owner, route = form.owner_and_route()
            lead = services.create_lead(
                lead=form.instance, created_by=request.user, owner=owner, route=route
            )
            messages.success(request, _("Lead %(lead)s created.") % {"lead": lead})
            return redirect(lead)
    return render(
        request, "leads/lead_form.html", {"form": form, "matches": matches, "creating": True}
    )


@require_http_methods(["GET", "POST"])
def lead_edit(request, pk):
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.change_lead")
    try:
        lead.ensure_editable()
    except DomainError:
        # The page's own words: the form was opened (or bookmarked) while the lead was open.
        messages.error(request, _("This lead is closed and read-only: reactivate it first."))
        return redirect(lead)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.update_lead(
                lead=lead,
                user=request.user,
                data=form.changed_values(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:  # StaleRecord included
            form.add_error(None, str(error))
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Lead %(lead)s saved.") % {"lead": lead})
            return redirect(lead)
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead}, status=status)


def _report_qualified(request, qualified):
    created = qualified.created_records
    messages.success(
        request,
        _("Lead qualified. Created: %(records)s.")
        % {"records": ", ".join(str(r) for r in created) or _("nothing new")},
    )
    if qualified.value_added is not None:
        messages.success(
            request,
            qualification.describe_value_added(
                qualified.opportunity,
                qualified.value_added,
                done=True,
                currency=qualified.opportunity.currency,
            )
            + ".",
        )


@require_http_methods(["GET", "POST"])
def lead_qualify(request, pk):
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.qualify_lead")
    try:
        lead.ensure_qualifiable()
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(lead)
    # A GET is bound to the defaults too (a sure duplicate preselected), so the preview shows
    # at once. A confirmed POST that qualifies never looks for duplicates.
    duplicates = None
    if request.method == "POST":
        data = request.POST
    else:
        duplicates = qualification_duplicates(user=request.user, lead=lead)
        defaults = qualification.defaults_for(
            lead, sure_account=duplicates["sure_account"], sure_contact=duplicates["sure_contact"]
        )
        data = {**defaults, "source_campaign": lead.campaign_id or ""}
    form = QualifyForm(data, user=request.user, lead=lead)
    plan, problem, status = None, None, 200
    confirmed = request.method == "POST" and "confirm" in request.POST
    if form.is_valid():
        if confirmed:
            # The service plans under the lead's lock; the preview is only planned again to
            # show the page when it refused.
            try:
                qualified = services.qualify_lead(
                    lead=lead,
                    user=request.user,
                    expected_version=request.POST.get("expected_version") or None,
                    **form.options(),
                )
            except DomainError as error:
                if not Lead.objects.filter(pk=lead.pk, state=State.OPEN).exists():
                    # Qualified (or disqualified) by a concurrent request since this one
                    # read the lead, e.g. a double click: the lead's page tells the story.
                    messages.error(request, str(error))
                    return redirect(lead)
                problem, status = str(error), 409
            except ValidationError as error:  # a stored value the lead's form would refuse
                problem, status = " ".join(error.messages), 400
            else:
                _report_qualified(request, qualified)
                return redirect(safe_next(request, lead))
        try:
            plan = qualification.plan_qualification(lead=lead, user=request.user, **form.options())
        except DomainError as error:
            problem = problem or str(error)
            status = 200 if status == 409 else status
        except ValidationError as error:
            problem = " ".join(error.messages)
            status = 400 if confirmed else 200
    elif request.method == "POST" and "confirm" in request.POST:
        status = 400  # a preview refresh (htmx) stays 200 so the problems are swapped in
    context = {
        "next": _next_of(request),
        "lead": lead,
        "form": form,
        "plan": plan,
        "preview": plan.display_blocks() if plan else [],
        "problem": problem,
        "duplicates": duplicates or qualification_duplicates(user=request.user, lead=lead),
    }
    return render(
        request, _dialog_or_page(request, "leads/lead_qualify.html"), context, status=status
    )


def _after_action(request, lead, *, fragment_status=200, focus=""):
    """htmx requests get the refreshed status panel; others a redirect to the page. `focus`:
    the header field whose pencil takes the keyboard focus again (after an inline edit)."""
    if request.htmx:
        lead = _lead_or_404(_detail_queryset(request.user, existing=False), lead.pk)
        return render(
            request,
            "leads/lead_detail.html#status-panel",
            {**_detail_context(request, lead), "focus_field": focus},
            status=fragment_status,
        )
    return redirect(lead)


@require_http_methods(["GET", "POST"])
def lead_disqualify(request, pk):
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.qualify_lead")
    form = DisqualifyForm(request.POST or None, initial={"expected_version": lead.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.disqualify_lead(
                lead=lead,
                user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                keep_contact=form.cleaned_data["keep_contact"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Lead disqualified."))
        if (target := safe_next(request, None)) is not None:
            return redirect(target)
        return _after_action(request, lead)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        _dialog_or_page(request, "leads/lead_disqualify.html"),
        {"lead": lead, "form": form, "next": _next_of(request)},
        status=status,
    )


@require_POST
def lead_reactivate(request, pk):
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.qualify_lead")
    try:
        services.reactivate_lead(lead=lead, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Lead reactivated."))
    return _after_action(request, lead)


def _dialog_or_page(request, template):
    """The board opens a form in a dialog: `?dialog=1` renders only the page's `dialog`
    partial (the same form as the page)."""
    return f"{template}#dialog" if request.GET.get("dialog") else template


def _next_of(request):
    """Where a form opened from the board goes back to (a local URL), or ""."""
    return safe_next(request, "")


@require_POST
def lead_set_status(request, pk):
    """New <-> Contacted: from the lead's page, a board card's "Move to" button (POST `next`:
    back to the board) or a card dropped on the board (`Accept: application/json`: the new
    version, or 409 when the card's `expected_version` is stale)."""
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.change_lead")
    status = request.POST.get("status", "")
    version = request.POST.get("expected_version", "")
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:  # Lead.set_open_status refuses a status an open lead cannot have
        lead = services.set_lead_status(
            lead=lead,
            user=request.user,
            status=status,
            expected_version=int(version) if version.isdigit() else None,
        )
    except StaleRecord as error:
        if wants_json:
            return JsonResponse({"error": str(error)}, status=409)
        messages.error(request, str(error))
    except DomainError as error:
        if wants_json:
            return JsonResponse({"error": str(error)}, status=400)
        messages.error(request, str(error))
    else:
        done = _("Status set to %(status)s.") % {"status": Status(status).label}
        if wants_json:
            return JsonResponse({"version": lead.version, "status": lead.status, "message": done})
        messages.success(request, done)
    if (target := safe_next(request, None)) is not None:
        return redirect(target)
    return _after_action(request, lead)


@require_http_methods(["GET", "POST"])
def lead_assign(request, pk):
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.reassign_lead")
    form = AssignForm(
        request.POST or None, initial={"expected_version": lead.version}, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.assign_lead(
                lead=lead,
                user=request.user,
                owner=form.cleaned_data["owner"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Lead assigned to %(owner)s.") % {"owner": lead.owner})
        return redirect(lead)
    status = 400 if request.method == "POST" else 200
    return render(request, "leads/lead_assign.html", {"lead": lead, "form": form}, status=status)


def _change_field(lead, user, form):
    """The service behind one header field: the owner is an assignment, the status reason a
    status change (with its log entry), the rest an edit; each with the form's version."""
    version = form.cleaned_data["expected_version"]
    if form.name == "owner":
        return services.assign_lead(
            lead=lead, user=user, owner=form.value, expected_version=version
        )
    if form.name == "status":
        return services.set_lead_status(
            lead=lead, user=user, status=form.value, expected_version=version
        )
    return services.update_lead(
        lead=lead, user=user, data={form.name: form.value}, expected_version=version
    )


@require_http_methods(["GET", "POST"])
def lead_edit_field(request, pk, name):
    """Inline edit of a header field (owner, status reason, rating, follow-up) on the lead's
    page: htmx swaps the small form in place of the value and the saved header back in; without
    JavaScript it is a page of its own that returns to the lead."""
    if name not in INLINE_FIELDS:
        raise Http404
    lead = _editable_lead(request, pk)
    check_permission(
        request.user, "leads.reassign_lead" if name == "owner" else "leads.change_lead"
    )
    if request.GET.get("cancel"):
        return _after_action(request, lead, focus=name)
    if name != "owner" and not lead.is_open:
        messages.error(request, _("This lead is closed and read-only: reactivate it first."))
        return _after_action(request, lead)
    form = LeadFieldForm(request.POST or None, lead=lead, name=name, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with change_reason(Reason.INLINE_EDIT):
                    lead = _change_field(lead, request.user, form)
            except StaleRecord as error:
                form.add_error(None, error.message_for(request.user))
                status = 409
            except DomainError as error:
                form.add_error(None, str(error))
                status = 400
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("%(field)s saved.") % {"field": form.field.label})
                return _after_action(request, lead, focus=name)
        else:
            status = 400
    context = {"lead": lead, "form": form, "name": name}
    if request.htmx:
        # The form (or its errors) goes back in place of the value: 200, or htmx would not swap.
        response = render(request, "leads/lead_edit_field.html#form", context)
        return reswap(retarget(response, f"#fact-{name}"), "innerHTML")
    return render(request, "leads/lead_edit_field.html", context, status=status)


SKIPPED_NOTES = {
    "account": gettext_lazy(
        "Qualified without an account (no company name): %(leads)s.",
    ),
    "contact": gettext_lazy("Qualified without a contact (no last name): %(leads)s."),
}


def _skipped_notes(qualifications, *, shown=5):
    """One line per kind of skipped record, naming the first `shown` leads."""
    notes = []
    for kind, text in SKIPPED_NOTES.items():
        leads = [str(q.lead) for q in qualifications if kind in q.options.get("skipped", ())]
        if not leads:
            continue
        names = ", ".join(leads[:shown])
        if len(leads) > shown:
            more = len(leads) - shown
            names += " " + ngettext("and %(n)s more", "and %(n)s more", more) % {"n": more}
        notes.append(text % {"leads": names})
    return notes


def _bulk_summary(data, count):
    """What the bulk action will do, in one sentence (None: it runs without asking)."""
    action = data["action"]
    if action == "qualify":
        options = qualification.qualification_defaults()
        made = [
            text
            for key, text in (
                ("create_account", _("an account")),
                ("create_contact", _("a contact")),
                ("create_opportunity", _("an opportunity")),
            )
            if options[key]
        ]
        if not made:
            return ngettext(
                "Qualify %(n)s lead, creating no records.",
                "Qualify %(n)s leads, creating no records.",
                count,
            ) % {"n": count}
        records = made[-1]
        if len(made) > 1:
            first = ", ".join(made[:-1])
            records = _("%(first)s and %(last)s") % {"first": first, "last": records}
        return ngettext(
            "Qualify %(n)s lead, creating %(records)s for it.",
            "Qualify %(n)s leads, creating %(records)s for each.",
            count,
        ) % {"n": count, "records": records}
    if action == "disqualify":
        reason = dict(DISQUALIFY_REASONS).get(data["status"], data["status"])
        return ngettext(
            "Disqualify %(n)s lead as “%(reason)s”.",
            "Disqualify %(n)s leads as “%(reason)s”.",
            count,
        ) % {"n": count, "reason": reason}
    if action == "assign":
        return ngettext(
            "Give %(n)s lead to %(owner)s.", "Give %(n)s leads to %(owner)s.", count
        ) % {"n": count, "owner": data["owner"]}
    registered = actions.bulk_action(action)
    if registered and registered.confirm:
        return registered.confirm(count)
    return None


@require_POST
def lead_bulk(request):
    if permission := BULK_PERMISSIONS.get(request.POST.get("action", "")):
        check_permission(request.user, permission)
    elif (registered := actions.bulk_action(request.POST.get("action"))) and registered.permission:
        check_permission(request.user, registered.permission)
    form = BulkActionForm(request.POST, user=request.user)
    back = request.POST.get("next") or reverse("leads:list")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("leads:list")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    data, user = form.cleaned_data, request.user
    leads = list(data["leads"])
    if request.POST.get("step") == "confirm":
        summary = _bulk_summary(data, len(leads))
        if summary:  # what will happen to how many: the user confirms on the next page
            return render(
                request,
                "leads/lead_bulk_confirm.html",
                {"summary": summary, "leads": leads, "form": form, "back": back},
            )
    skipped_notes = []
    if data["action"] == "qualify":
        done, refused = services.qualify_leads(leads=leads, user=user)
        text = ngettext("%(n)s lead qualified.", "%(n)s leads qualified.", len(done))
        skipped_notes = _skipped_notes(done)
    elif data["action"] == "disqualify":
        done, refused = services.disqualify_leads(leads=leads, user=user, status=data["status"])
        text = ngettext("%(n)s lead disqualified.", "%(n)s leads disqualified.", len(done))
    elif registered := actions.bulk_action(data["action"]):
        registered.run(request, leads)
        return redirect(back)
    else:
        done, refused = services.assign_leads(leads=leads, user=user, owner=data["owner"])
        text = ngettext("%(n)s lead assigned.", "%(n)s leads assigned.", len(done))
    messages.success(request, text % {"n": len(done)})
    for note in skipped_notes:
        messages.info(request, note)
    for lead, reason in refused:
        messages.warning(request, f"{lead}: {reason}")
    return redirect(back)


@require_http_methods(["GET", "POST"])
def lead_delete(request, pk):
    """GET: the confirmation (what goes with the lead); POST: delete it, with the reason typed
    there in its history. Administrators only (leads.delete_lead); never a closed lead."""
    lead = _editable_lead(request, pk)
    check_permission(request.user, "leads.delete_lead")
    return delete_page(
        request,
        lead,
        delete=lambda reason: services.delete_lead(lead=lead, user=request.user, reason=reason),
        done=_("Lead %(lead)s deleted.") % {"lead": lead},
        back="leads:list",
        template="leads/lead_delete.html",
        refusal=services.lead_deletion_refusal(lead),
    )


@require_POST
def lead_link(request, pk):
    lead = _editable_lead(request, pk)
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            link = services.associate_lead(lead=lead, user=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            target = link.account or link.contact
            messages.success(request, _("Linked to %(record)s.") % {"record": target})
    else:
        messages.error(request, " ".join(form.non_field_errors()) or _("Choose a valid record."))
    return redirect(lead)


@require_POST
def lead_unlink(request, pk, link_pk):
    lead = _editable_lead(request, pk)
    link = get_object_or_404(lead.links.select_related("account", "contact"), pk=link_pk)
    try:
        services.disassociate_lead(
            lead=lead, user=request.user, account=link.account, contact=link.contact
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Link removed."))
    return redirect(lead)


# Links from the other side: an account's or a contact's page links and unlinks leads.

LINKABLE_RECORDS = {"account": Account, "contact": Contact}


def _linkable_record_or_404(request, record_kind, record_pk):
    model = LINKABLE_RECORDS.get(record_kind)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.visible_to(request.user), pk=record_pk)


@require_http_methods(["GET", "POST"])
def record_link(request, record_kind, record_pk):
    """GET: search the leads the user may change (a fragment in the record's page with htmx,
    a page of its own without); POST: link one to the account or contact."""
    record = _linkable_record_or_404(request, record_kind, record_pk)
    if request.method == "POST":
        form = RecordLinkForm(request.POST, user=request.user)
        if form.is_valid():
            lead = form.cleaned_data["lead"]
            try:
                services.associate_lead(lead=lead, user=request.user, **{record_kind: record})
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Linked to %(record)s.") % {"record": lead})
        else:
            messages.error(request, " ".join(form.errors.get("lead", [])))
        return redirect(record)
    text = request.GET.get("q", "").strip()[:100]
    context = {
        "record": record,
        "record_kind": record_kind,
        "q": text,
        "candidates": link_candidates(record, request.user, text),
    }
    template = "leads/record_link.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#link-search"
    return render(request, template, context)


@require_POST
def record_unlink(request, record_kind, record_pk, link_pk):
    record = _linkable_record_or_404(request, record_kind, record_pk)
    links = LeadLink.objects.filter(
        **{record_kind: record}, lead__in=Lead.objects.visible_to(request.user)
    )
    link = get_object_or_404(links.select_related("lead"), pk=link_pk)
    if not Lead.objects.editable_by(request.user).filter(pk=link.lead_id).exists():
        raise read_only_denied(link.lead)
    try:
        services.disassociate_lead(lead=link.lead, user=request.user, **{record_kind: record})
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Link removed."))
    return redirect(record)
