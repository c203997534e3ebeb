import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.permissions import require_permission
from privacy.forms import EraseForm, PersonForm
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
        if request.POST.get("confirmed"):
            erase_person(email=email, user=request.user, reason=reason)
            messages.success(request, _("The person's data is erased."))
            return redirect("privacy:erase")
        found = len(find_person(email=email).records)
    erasures = Erasure.objects.select_related("erased_by")[:20]
    return render(
        request, "privacy/erase.html", {"form": form, "found": found, "erasures": erasures}
    )
