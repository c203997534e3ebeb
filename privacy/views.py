import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.permissions import require_permission
from privacy.consent import CONSENT_MODELS, ConsentRefused, record_consent
from privacy.forms import ConsentForm, EraseForm, PersonForm
from privacy.models import Erasure
from privacy.services import erase_person, export_person, find_person


@require_http_methods(["GET", "POST"])
@require_permission("crm.export_personal_data")
def person_data(request):
    # POST, so the address is not written into URLs and access logs.
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        export = export_person(email=form.cleaned_data["email"])
        if request.POST.get("format") == "json":
            response = HttpResponse(
                json.dumps(export.as_json(), cls=DjangoJSONEncoder, indent=2),
                content_type="application/json",
            )
            response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
            return response
        return render(request, "privacy/export.html", {"export": export})
    return render(request, "privacy/person_data.html", {"form": form})


@require_http_methods(["GET", "POST"])
def erase(request):
    if not request.user.is_administrator:
        raise PermissionDenied(_("Only an administrator can erase a person."))
    form = EraseForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        email, reason = form.cleaned_data["email"], form.cleaned_data["reason"]
        found = len(find_person(email=email).records)
        # Only the address the confirmation showed is erased: one changed on the way (or one
        # nothing is held about) is shown, with its count, instead.
        confirmed = request.POST.get("confirmed_email", "").strip().lower()
        if found and request.POST.get("confirmed") and confirmed == email.strip().lower():
            erase_person(email=email, user=request.user, reason=reason)
            messages.success(request, _("The person's data is erased."))
            return redirect("privacy:erase")
        if found:
            form.fields["email"].widget.attrs["readonly"] = True
    erasures = Erasure.objects.select_related("erased_by")[:20]
    return render(
        request, "privacy/erase.html", {"form": form, "found": found, "erasures": erasures}
    )


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


def _export_response(request, export):
    """The export as a JSON download (?format=json) or the readable page."""
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(export.as_json(), cls=DjangoJSONEncoder, indent=2),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response
    context = {"export": export, "json_url": f"{request.path}?format=json"}
    return render(request, "privacy/export.html", context)


@require_http_methods(["GET"])
@require_permission("crm.export_personal_data")
def record_data(request, pk, model):
    """The record page's "Personal data": the export for the record's e-mail address, or
    for the record alone when it has none (the record's id in the URL, not the address)."""
    record = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    return _export_response(request, export_person(record=record))
