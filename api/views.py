"""The API's HTML side: the token section of the profile page and the documentation page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from api import services


@require_POST
@never_cache
def token_create(request):
    """Show the new key once, on this response only (never in a message or a redirect URL)."""
    token = services.create_token(user=request.user)
    return render(request, "api/token_created.html", {"key": token.key})


@require_POST
def token_revoke(request):
    if services.revoke_token(user=request.user):
        messages.success(request, _("Your API token was revoked; it no longer works."))
    else:
        messages.info(request, _("You had no API token."))
    return redirect("profile")


# Swagger UI sets one inline style attribute (on its SVG icon sprite). Rather than allowing
# inline styles, this page's policy allows exactly that one by its hash (swagger-ui-dist 5.35.0;
# the browser console names the new hash if an upgrade changes it).
SWAGGER_UI_STYLE_HASH = "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"


@require_GET
def docs(request):
    response = render(request, "api/docs.html")
    response._csp_config = {
        **settings.SECURE_CSP,
        "style-src": [CSP.SELF, CSP.UNSAFE_HASHES, SWAGGER_UI_STYLE_HASH],
    }
    return response


@login_not_required
@csrf_exempt
def not_found(request, path=""):
    # Unknown addresses under /api/ answer in JSON too, rather than with the HTML 404 page.
    return JsonResponse({"detail": _("Not found.")}, status=404)
