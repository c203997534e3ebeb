from datetime import timedelta

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from activities import services
from activities.attachments import served_content_type
from activities.forms import (
    ACTIVITY_KINDS,
    QUICK_ADD_KINDS,
    ActivityEditForm,
    ActivityForm,
    DeleteForm,
    InquiryForm,
    NoteEditForm,
    NoteForm,
    quick_add_labels,
)
from activities.models import Activity, Inquiry, Note, regarding_models
from activities.opt_outs import opt_out_warnings
from activities.timeline import panel_context, panel_id, with_can_edit
from crm.errors import DomainError
from crm.lib.http import safe_next


def _regarding_model_or_404(model_label):
    """The business model named in the URL ("accounts.account"), or 404."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        raise Http404 from None
    if model not in regarding_models():
        raise Http404
    return model


def _record_or_404(request, model_label, object_id):
    """The record, with `can_edit` and `can_add` (may the user add to it,
    activities.services.may_add_to) in the same query."""
    model = _regarding_model_or_404(model_label)
    records = model._default_manager.visible_to(request.user).with_access(request.user)
    return get_object_or_404(records, pk=object_id)


def _record_url(record):
    if hasattr(record, "get_absolute_url"):
        return record.get_absolute_url()
    return reverse(
        "activities:timeline",
        kwargs={"model_label": record._meta.label_lower, "object_id": record.pk},
    )


def _is_partial(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


def _int(value, default=1):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@require_GET
@vary_on_headers("HX-Request")
def timeline(request, model_label, object_id):
    record = _record_or_404(request, model_label, object_id)
    context = panel_context(
        record,
        request.user,
        kind=request.GET.get("kind", ""),
        page=_int(request.GET.get("page")),
    )
    if _is_partial(request):
        return render(request, "activities/_timeline.html", context)
    context["record_url"] = _record_url(record)
    return render(request, "activities/timeline_page.html", context)


def _quick_add_form(kind, data=None, files=None):
    if kind in ACTIVITY_KINDS:
        return ActivityForm(data, kind=kind)
    if kind == "note":
        return NoteForm(data, files)
    return InquiryForm(data)


def _call_initial(request):
    """The "Call" button (activities.templatetags.timeline.call_button): the call is being
    made now, outgoing, to this number and person; the rep types the outcome after it."""
    phone = request.GET.get("phone", "")[:50]
    person = request.GET.get("person", "")[:200]
    return {
        "subject": _("Call to %(number)s") % {"number": phone},
        "direction": Activity.Direction.OUTGOING,
        "other_party": person,
        "due_at": timezone.localtime().replace(second=0, microsecond=0),
        "completed": True,
    }


def _save_quick_add(kind, form, record, user):
    if kind in ACTIVITY_KINDS:
        return services.log_activity(
            regarding=record,
            user=user,
            kind=kind,
            data=form.activity_data(),
            completed=form.cleaned_data.get("completed", False),
        )
    if kind == "note":
        upload = form.cleaned_data.get("attachment")
        return services.add_note(
            regarding=record,
            user=user,
            text=form.cleaned_data["text"],
            upload=upload or None,
            content_type=getattr(form, "sniffed_type", ""),
        )
    return services.add_inquiry(regarding=record, user=user, data=form.cleaned_data)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def quick_add(request, model_label, object_id, kind):
    """Add an activity, note or inquiry regarding any record; htmx swaps the timeline panel,
    without JavaScript it is a plain page that redirects back to the record."""
    if kind not in QUICK_ADD_KINDS:
        raise Http404
    record = _record_or_404(request, model_label, object_id)
    services.check_may_add_to(record, request.user)  # seen but read-only: 403
    form = _quick_add_form(kind, request.POST or None, request.FILES or None)
    if request.method == "GET" and kind == Activity.Kind.PHONE_CALL and request.GET.get("phone"):
        form.initial.update(_call_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            _save_quick_add(kind, form, record, request.user)
        except (DomainError, ValidationError) as error:
            form.add_error(None, error)
        else:
            if _is_partial(request):
                context = panel_context(record, request.user)
                context["added"] = True
                return render(request, "activities/_timeline.html", context)
            messages.success(request, _("Saved."))
            return redirect(_record_url(record))
    context = {
        "form": form,
        "kind": kind,
        "title": quick_add_labels()[kind],
        "record": record,
        "record_label": record._meta.label_lower,
        "record_url": _record_url(record),
        "panel_id": panel_id(record),
        # An outgoing e-mail or call to a person who opted out: said, not refused.
        "opt_out_warnings": opt_out_warnings(record, kind),
    }
    if _is_partial(request):
        response = render(request, "activities/_quick_add_form.html", context)
        if request.method == "POST":
            # The form had errors: show them in the form slot, not in the whole panel.
            response["HX-Retarget"] = f"#{panel_id(record)}-form"
            response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "activities/quick_add.html", context)


def _close_activity(request, pk, service, done_message):
    activity = get_object_or_404(Activity.objects.editable_by(request.user), pk=pk)
    try:
        activity = service(activity=activity, user=request.user)
    except DomainError as error:
        if _is_partial(request):
            activity.refresh_from_db()
            return _activity_fragment(request, activity, error=str(error))
        messages.error(request, str(error))
    else:
        if _is_partial(request):
            return _activity_fragment(request, activity)
        messages.success(request, done_message)
    return redirect(safe_next(request, reverse("activities:mine")))


def _activity_fragment(request, activity, error=""):
    # Only someone who may change it gets here (editable_by), so the Edit link may show.
    activity.user_can_edit = True
    context = {"activity": activity, "error": error, "now": timezone.now()}
    if request.POST.get("from") == "mine":
        return render(request, "activities/my_activities.html#activity-row", context)
    from activities.timeline import TimelineEntry

    entry = TimelineEntry(
        kind=activity.kind,
        at=activity.created_at,
        object=activity,
        template="activities/entries/activity.html",
    )
    return render(request, "activities/_timeline_entry.html", {"entry": entry, "error": error})


def _inquiry_fragment(request, inquiry, error=""):
    from activities.timeline import TimelineEntry

    # Only someone who may change it gets here (editable_by), so the buttons may show.
    inquiry.user_can_edit = True
    entry = TimelineEntry(
        kind="inquiry",
        at=inquiry.created_at,
        object=inquiry,
        template="activities/entries/inquiry.html",
        # A read-through entry ("From the lead") keeps its mark when it is swapped in.
        origin=request.POST.get("origin", "")[:100] or None,
    )
    return render(request, "activities/_timeline_entry.html", {"entry": entry, "error": error})


def _close_inquiry(request, pk, service, done_message, **arguments):
    """Resolve or cancel an inquiry: whoever may edit the record it is about (or its owner)."""
    inquiry = get_object_or_404(Inquiry.objects.editable_by(request.user), pk=pk)
    try:
        inquiry = service(inquiry=inquiry, user=request.user, **arguments)
    except DomainError as error:
        if _is_partial(request):
            inquiry.refresh_from_db()
            return _inquiry_fragment(request, inquiry, error=str(error))
        messages.error(request, str(error))
    else:
        if _is_partial(request):
            return _inquiry_fragment(request, inquiry)
        messages.success(request, done_message)
    return redirect(safe_next(request, _record_url(inquiry.regarding)))


@require_POST
@vary_on_headers("HX-Request")
def inquiry_resolve(request, pk):
    return _close_inquiry(
        request,
        pk,
        services.resolve_inquiry,
        _("Inquiry resolved."),
        resolution=request.POST.get("resolution", ""),
    )


@require_POST
@vary_on_headers("HX-Request")
def inquiry_cancel(request, pk):
    return _close_inquiry(request, pk, services.cancel_inquiry, _("Inquiry canceled."))


@require_POST
@vary_on_headers("HX-Request")
def activity_complete(request, pk):
    return _close_activity(request, pk, services.complete_activity, _("Activity completed."))


@require_POST
@vary_on_headers("HX-Request")
def activity_cancel(request, pk):
    return _close_activity(request, pk, services.cancel_activity, _("Activity canceled."))


def _editable_activity(request, pk):
    """An activity the user may change (its owner, or whoever may edit the record it is
    about): another team's is a 404, a visible read-only one a 403. One query."""
    activity = get_object_or_404(
        with_can_edit(Activity.objects.visible_to(request.user), request.user), pk=pk
    )
    if not activity.user_can_edit:
        raise PermissionDenied(_("You can see this activity but not change it."))
    return activity


def _activity_back_url(request, activity):
    """`next` when it is a safe address on this site, else the record the activity is
    about, else (a record the user may not see, e.g. an activity assigned to them from
    another team's lead) My activities."""
    regarding = activity.regarding
    if regarding is not None and regarding.is_visible_to(request.user):
        fallback = _record_url(regarding)
    else:
        fallback = reverse("activities:mine")
    return safe_next(request, fallback)


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    """Edit and (re)assign an open activity; completed and canceled ones are read-only."""
    activity = _editable_activity(request, pk)
    back_url = _activity_back_url(request, activity)
    try:
        services.ensure_open(activity)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(back_url)
    form = ActivityEditForm(request.POST or None, instance=activity, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_activity(
                activity=activity,
                user=request.user,
                data=form.activity_data(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:  # StaleRecord and "no longer open" included
            form.add_error(None, str(error))
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(activity)s saved.") % {"activity": saved})
            return redirect(back_url)
    return render(
        request,
        "activities/activity_edit.html",
        {
            "form": form,
            "activity": activity,
            "back_url": back_url,
            "next": safe_next(request, ""),
        },
        status=status,
    )


def _own_note_or_404(request, pk):
    # The author may edit or delete their note, and so may a manager of the author's team and
    # an administrator (User.can_edit_work_of); only while they see it.
    note = get_object_or_404(Note.objects.visible_to(request.user), pk=pk)
    if not request.user.can_edit_work_of(note.created_by_id):
        raise Http404
    return note


@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    note = _own_note_or_404(request, pk)
    form = NoteEditForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_note(
                note=note,
                user=request.user,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The note was saved."))
            return redirect(_record_url(note.regarding))
    return render(
        request,
        "activities/note_edit.html",
        {"form": form, "note": note, "record_url": _record_url(note.regarding)},
    )


@require_POST
def note_delete(request, pk):
    note = _own_note_or_404(request, pk)
    record = note.regarding
    services.delete_note(note=note, user=request.user)
    messages.success(request, _("The note was deleted."))
    return redirect(_record_url(record) if record is not None else reverse("activities:mine"))


@require_GET
def attachment_download(request, pk):
    """Files are always downloads, never shown inline, and only to whoever sees the record."""
    note = get_object_or_404(Note.objects.visible_to(request.user).exclude(attachment=""), pk=pk)
    try:
        handle = note.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=note.display_name or "attachment",
        content_type=served_content_type(note.attachment_content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser still render it, nothing in it may run or load.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def my_activities(request):
    """The user's open activities: overdue, today, upcoming (and those without a date)."""
    now = timezone.now()
    # "Today" is the user's, as on the home page's tile (not the server's time zone).
    today_ends = timezone.localtime(now, request.user.zone).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    today_ends += timedelta(days=1)
    mine = Activity.objects.filter(owner_user=request.user, state=Activity.State.OPEN).order_by(
        F("due_at").asc(nulls_last=True), "pk"
    )
    groups = {"overdue": [], "today": [], "upcoming": []}
    for activity in mine.prefetch_related("regarding"):
        if activity.due_at is not None and activity.due_at < now:
            groups["overdue"].append(activity)
        elif activity.due_at is not None and activity.due_at < today_ends:
            groups["today"].append(activity)
        else:
            groups["upcoming"].append(activity)
    return render(
        request,
        "activities/my_activities.html",
        {
            "groups": [
                ("overdue", _("Overdue"), groups["overdue"]),
                ("today", _("Today"), groups["today"]),
                ("upcoming", _("Upcoming"), groups["upcoming"]),
            ],
            "now": now,
        },
    )


def delete_page(request, record, *, delete, done, back, template, refusal=None):
    """The delete confirmation of a record the view fetched in scope and whose delete
    permission it checked. GET: what goes with it, or why it stays; POST: `delete(reason)`
    (a service raising DomainError to refuse), then `done` as a message and a redirect to
    `back`. `refusal` is what refuses it before a POST (default: the registered checks)."""
    form = DeleteForm(request.POST or None)
    if refusal is None:
        refusal = " ".join(services.deletion_refusals(record))
    if request.method == "POST" and form.is_valid() and not refusal:
        try:
            delete(form.cleaned_data["reason"])
        except DomainError as error:
            refusal = str(error)
        else:
            messages.success(request, done)
            return redirect(back)
    context = {"record": record, "form": form, "refusal": refusal}
    context["goes_with"] = services.goes_with(record)
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)
