import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.permissions import require_permission
from privacy.consent import CONSENT_MODELS, ConsentRefused, record_consent
from privacy.forms import ConsentForm, EraseForm, PersonForm
from privacy.models import Erasure
from privacy.services import erase_person, erased_fields, export_person

# The address asked about, kept in the session between the form's POST and the readable
# page's GET (POST, redirect, GET: the page reloads, and the address stays out of URLs and
# access logs).
EXPORT_EMAIL = "privacy_export_email"
SHOW_EXPORT = "export"


@require_http_methods(["GET", "POST"])
@require_permission("crm.export_personal_data")
def person_data(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if request.POST.get("format") == "json":
            return _json_download(export_person(email=email))
        request.session[EXPORT_EMAIL] = email
        return redirect(f"{reverse('privacy:person_data')}?show={SHOW_EXPORT}")
    if request.method == "GET" and request.GET.get("show") == SHOW_EXPORT:
        email = request.session.get(EXPORT_EMAIL)
        if email:
            json_url = f"{request.path}?show={SHOW_EXPORT}&format=json"
            return _export_response(request, export_person(email=email), json_url=json_url)
        messages.info(request, _("Enter the person's e-mail address again."))
    return render(request, "privacy/person_data.html", {"form": form})


@require_http_methods(["GET", "POST"])
def erase(request):
    if not request.user.is_administrator:
        raise PermissionDenied(_("Only an administrator can erase a person."))
    form = EraseForm(request.POST or None)
    found = export = None
    if request.method == "POST" and form.is_valid():
        email, reason = form.cleaned_data["email"], form.cleaned_data["reason"]
        # What the export lists is what is erased: the page counts it section by section.
        export = export_person(email=email)
        found = not export.is_empty
        # Only the address the confirmation showed is erased: one changed on the way (or one
        # nothing is held about) is shown, with its count, instead.
        confirmed = request.POST.get("confirmed_email", "").strip().lower()
        if found and request.POST.get("confirmed") and confirmed == email.strip().lower():
            erase_person(email=email, user=request.user, reason=reason)
            messages.success(request, _("The person's data is erased."))
            return redirect("privacy:erase")
        if found:
            form.fields["email"].widget.attrs["readonly"] = True
    context = {
        "form": form,
        "found": found,
        "export": export,
        "erased_fields": erased_fields() if found else [],
        "erasures": Erasure.objects.select_related("erased_by")[:20],
    }
    return render(request, "privacy/erase.html", context)


@require_POST
def record_consent_view(request, pk, kind):
    """The Consent panel's form: record a consent given or withdrawn, back to the record."""
    model = CONSENT_MODELS[kind][0]
    record = get_object_or_404(model._default_manager.visible_to(request.user), pk=pk)
    form = ConsentForm(request.POST, prefix="consent")
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, _("The consent was not recorded: %(errors)s") % {"errors": errors})
        return redirect(record.get_absolute_url())
    try:
        record_consent(record=record, user=request.user, **form.cleaned_data)
    except ConsentRefused as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("Consent recorded."))
    return redirect(record.get_absolute_url())


def _json_download(export):
    response = HttpResponse(
        json.dumps(export.as_json(), cls=DjangoJSONEncoder, indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def _export_response(request, export, *, json_url=None):
    """The export as a JSON download (?format=json) or the readable page."""
    if request.GET.get("format") == "json":
        return _json_download(export)
    context = {"export": export, "json_url": json_url or f"{request.path}?format=json"}
    return render(request, "privacy/export.html", context)


@require_http_methods(["GET"])
@require_permission("crm.export_personal_data")
def record_data(request, pk, model):
    """The record page's "Personal data": the export for the record's e-mail address, or
    for the record alone when it has none (the record's id in the URL, not the address)."""
    record = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    return _export_response(request, export_person(record=record))
