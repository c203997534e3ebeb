"""The API's HTML side: the token section of the profile page and the documentation page; and
the token endpoints for scripts (a JSON body with a username and password)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from api import services


def _json_error(message, status):
    return JsonResponse({"detail": message}, status=status)


def _user_by_password(request):
    """(user, None) for a JSON body with the right username and password, else (None, the
    JSON error). The password is checked by authenticate(), so django-axes counts a failure
    and refuses a locked username and address; its middleware then answers with
    crm.ratelimit.lockout_response (a JSON 429 under /api/), whatever this view returned."""
    try:
        body = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        return None, _json_error(_("The request body is too large."), 413)
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        body = None
    if not isinstance(body, dict):
        return None, _json_error(_("The body is not a JSON object."), 400)
    username, password = body.get("username"), body.get("password")
    if not (isinstance(username, str) and isinstance(password, str) and username and password):
        return None, _json_error(_("Send a username and a password."), 400)
    user = authenticate(request, username=username, password=password)
    if user is None:
        return None, _json_error(_("Wrong username or password."), 401)
    return user, None


def _token_limit_message():
    return _("Too many API tokens created for this user. Try again in an hour.")


# The JSON branch needs no CSRF check: a browser sends another site's JSON body only after a
# CORS preflight this site never allows, and it carries a password, not the session. Any
# other body is the profile page's form post, CSRF-checked and for the logged-in user.
@login_not_required
@csrf_exempt
@require_POST
@never_cache
def token_create(request):
    """A script posts JSON {"username", "password"} and gets {"token"}; the profile page's
    button (a form post, logged in) shows the new key once, on this response only (never in
    a message or a redirect URL). Either way the previous token stops working."""
    if request.content_type != "application/json":
        return _token_create_on_profile(request)
    user, error = _user_by_password(request)
    if error:
        return error
    if services.over_token_rate_limit(user=user):
        response = _json_error(_token_limit_message(), 429)
        response["Retry-After"] = "3600"
        return response
    return JsonResponse({"token": services.create_token(user=user).key}, status=201)


@csrf_protect
@login_required
def _token_create_on_profile(request):
    if services.over_token_rate_limit(user=request.user):
        messages.error(request, _token_limit_message())
        return redirect("profile")
    token = services.create_token(user=request.user)
    return render(request, "api/token_created.html", {"key": token.key})


@login_not_required
@csrf_exempt  # as token_create
@require_POST
def token_revoke(request):
    """A script posts JSON {"username", "password"}; the profile page's button a form."""
    if request.content_type != "application/json":
        return _token_revoke_on_profile(request)
    user, error = _user_by_password(request)
    if error:
        return error
    return JsonResponse({"revoked": services.revoke_token(user=user)})


@csrf_protect
@login_required
def _token_revoke_on_profile(request):
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
