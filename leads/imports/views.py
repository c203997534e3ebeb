"""The Imports page (managers and administrators): upload, mapping and preview, dry run,
import in the background with progress, error file."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.errors import DomainError
from crm.models import Team, User
from crm.permissions import require_permission
from leads.imports import services, value_maps
from leads.imports.csvfile import ImportFileError
from leads.imports.forms import MappingForm, UploadForm
from leads.imports.importers import ImportOptions, local_copy, preview
from leads.imports.models import ImportBatch

# Importing is a permission of the role (sales managers and administrators by default).
manager_required = require_permission("imports.import_leads")


def _batches(user):
    """Administrators see every import; managers their own."""
    batches = ImportBatch.objects.select_related("created_by")
    return batches if user.is_administrator else batches.filter(created_by=user)


@require_http_methods(["GET", "POST"])
@manager_required
def import_list(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.upload_import(
                uploaded_file=form.cleaned_data["file"], user=request.user
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            earlier = (
                ImportBatch.objects.filter(
                    checksum=batch.checksum, status=ImportBatch.Status.DONE, dry_run=False
                )
                .exclude(pk=batch.pk)
                .order_by("-finished_at")
                .first()
            )
            if earlier is not None:
                messages.warning(
                    request,
                    ngettext(
                        "This file was imported before (import #%(pk)s on %(when)s, %(created)s"
                        " lead created). Importing it again skips the rows that match a lead,"
                        " unless you choose otherwise below.",
                        "This file was imported before (import #%(pk)s on %(when)s, %(created)s"
                        " leads created). Importing it again skips the rows that match a lead,"
                        " unless you choose otherwise below.",
                        earlier.created,
                    )
                    % {
                        "pk": earlier.pk,
                        "when": date_format(
                            timezone.localtime(earlier.finished_at), "SHORT_DATETIME_FORMAT"
                        ),
                        "created": earlier.created,
                    },
                )
            return redirect(batch)
    batches = _batches(request.user)[:50]
    return render(request, "imports/import_list.html", {"form": form, "batches": batches})


def _preview(batch, options, user):
    if not batch.file:  # a command-line import: the file stayed where the command read it
        return None, ""
    try:
        with local_copy(batch) as path:
            return preview(path, options, user=user), ""
    except ImportFileError as error:
        return None, str(error)


@require_http_methods(["GET", "POST"])
@manager_required
def import_detail(request, pk):
    batch = get_object_or_404(_batches(request.user), pk=pk)
    options = ImportOptions.from_dict(batch.options)
    header = batch.options.get("header", [])
    mapping_shown = batch.status == ImportBatch.Status.UPLOADED or (
        batch.dry_run and batch.is_finished
    )
    # The distinct values of the mapped choice columns, each with a select of its choices.
    samples = value_maps.sample_values(batch, options) if mapping_shown else {}
    form = MappingForm(request.POST or None, header=header, options=options, samples=samples)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if form.is_valid():
            try:
                batch = services.save_import_options(batch=batch, options=form.options())
                if action in ("dry_run", "import"):
                    batch = services.start_import(batch=batch, dry_run=action == "dry_run")
                    messages.success(
                        request,
                        _("Dry run started.") if action == "dry_run" else _("Import started."),
                    )
            except DomainError as error:
                messages.error(request, str(error))
            return redirect(batch)
    sample, problem = (None, "")
    if not batch.is_finished or batch.dry_run:
        sample, problem = _preview(batch, ImportOptions.from_dict(batch.options), request.user)
    errors = batch.row_errors.order_by("line")[:20] if batch.is_finished else []
    matches = (
        batch.matches.select_related("lead").order_by("line")[:MATCHES_SHOWN]
        if batch.is_finished
        else []
    )
    return render(
        request,
        "imports/import_detail.html",
        {
            "batch": batch,
            "form": form,
            "preview": sample,
            "problem": problem,
            "errors": errors,
            "matches": matches,
            "match_count": batch.skipped + batch.updated if matches else 0,
            "owners": _owner_summary(batch),
            "unrouted": (batch.options.get("owners") or {}).get("unrouted", 0),
            "lines": max(batch.options.get("lines", 1) - 1, 1),
        },
    )


MATCHES_SHOWN = 50


def _owner_summary(batch):
    """[(owner, number of new leads)] of a finished import, most first: two queries."""
    owners = batch.options.get("owners") if batch.is_finished else None
    if not owners:
        return []
    users, teams = owners.get("users") or {}, owners.get("teams") or {}
    rows = [
        *((user, users[str(user.pk)]) for user in User.objects.filter(pk__in=list(users))),
        *((team, teams[str(team.pk)]) for team in Team.objects.filter(pk__in=list(teams))),
    ]
    return sorted(rows, key=lambda row: (-row[1], str(row[0])))


@require_GET
@manager_required
def import_progress(request, pk):
    """The htmx-polled progress bar; once the batch is finished the page reloads in full."""
    batch = get_object_or_404(_batches(request.user), pk=pk)
    if batch.is_finished:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    lines = max(batch.options.get("lines", 1) - 1, 1)
    return render(request, "imports/import_detail.html#progress", {"batch": batch, "lines": lines})


@require_GET
@manager_required
def import_errors(request, pk):
    batch = get_object_or_404(_batches(request.user), pk=pk)
    if not batch.error_file:
        raise Http404
    return FileResponse(
        batch.error_file.open("rb"),
        as_attachment=True,
        filename=batch.error_file.name.rsplit("/", 1)[-1],
        content_type="text/csv; charset=utf-8",
    )


@require_POST
@manager_required
def import_start(request, pk):
    """ "Import now" after a dry run, with the options the dry run used; "Resume the import"
    for a stopped import; a dry run that stopped halfway (its worker died) is run again, as a
    dry run (it wrote nothing, so running it again is resuming it)."""
    batch = get_object_or_404(_batches(request.user), pk=pk)
    dry_run = batch.dry_run and not batch.is_finished
    try:
        services.start_import(batch=batch, dry_run=dry_run)
        messages.success(request, _("Dry run started.") if dry_run else _("Import started."))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(batch)
