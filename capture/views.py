"""The public web form: GET renders it (embeddable in the allowed sites), POST (form-encoded
or JSON) creates a lead. No login and no CSRF cookie: the protections are the origin check,
a honeypot, a per-IP rate limit and idempotency (capture.services)."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.csp import CSP
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from capture import services
from capture.forms import CONSENT_FIELD, HONEYPOT_FIELD, lead_form_class, tracking_values
from capture.models import UTM_FIELDS, WebForm


def _origin_of(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _own_origin(request):
    return f"{request.scheme}://{request.get_host()}"


def _origin_allowed(request, web_form):
    """Browsers send Origin with every cross-site POST; without one (a server posting, or an
    old browser on the same site) there is nothing to check."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/") in {_own_origin(request), *web_form.origins}


def _with_headers(response, request, web_form):
    # Embeddable in the allowed sites only; the thank-you page is a form-action target too
    # (browsers apply form-action to the redirect after a POST).
    ancestors = [CSP.SELF, *web_form.origins]
    actions = [CSP.SELF]
    if web_form.thank_you_url:
        actions.append(_origin_of(web_form.thank_you_url))
    response._csp_config = {
        **settings.SECURE_CSP,
        "frame-ancestors": ancestors,
        "form-action": actions,
    }
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in web_form.origins:
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _wants_json(request):
    return request.content_type == "application/json"


class BadBody(Exception):
    """The submitted body cannot be read; the message says why (shown to the submitter)."""


def _submitted_data(request):
    """The submitted fields (form-encoded, multipart or a JSON object), or BadBody. Django
    refuses a body past DATA_UPLOAD_MAX_MEMORY_SIZE or DATA_UPLOAD_MAX_NUMBER_FIELDS and a
    broken multipart body with an exception its handler turns into its bare 400 page; this
    public page answers with its own."""
    try:
        if not _wants_json(request):
            return request.POST
        body = json.loads(request.body or b"{}")
    except RequestDataTooBig as error:
        raise BadBody(
            _("The submission is too large: at most %(size)s can be sent.")
            % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        ) from error
    except TooManyFieldsSent as error:
        raise BadBody(
            _("The submission has too many fields: at most %(count)s.")
            % {"count": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, force_grouping=True)}
        ) from error
    except TooManyFilesSent as error:
        raise BadBody(
            _("The submission has too many files: at most %(count)s.")
            % {"count": number_format(settings.DATA_UPLOAD_MAX_NUMBER_FILES, force_grouping=True)}
        ) from error
    except MultiPartParserError as error:
        raise BadBody(
            _("The submission could not be read. Please fill in the form and send it again.")
        ) from error
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        # RecursionError: nested too deep for Python's parser.
        raise BadBody(_("The body is not a JSON object.")) from error
    if not isinstance(body, dict):
        raise BadBody(_("The body is not a JSON object."))
    data = QueryDict(mutable=True)
    for name, value in body.items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            data[name] = str(value)
    return data


def _bad_body(request, web_form, message):
    """What was sent cannot be read, so the form comes back empty, with the reason above it."""
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=400)
    return render(
        request, "capture/form.html", _form_context(web_form, problem=message), status=400
    )


def _form_context(web_form, *, form=None, tracking=None, problem=""):
    return {
        "web_form": web_form,
        "form": lead_form_class(web_form)() if form is None else form,
        "tracking": tracking_values(tracking or {}),
        "honeypot": HONEYPOT_FIELD,
        "problem": problem,
    }


def _thank_you(request, web_form, *, created):
    message = web_form.thank_you_message or _("Thank you! We will be in touch soon.")
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message}, status=201 if created else 200)
    if web_form.thank_you_url:
        return redirect(web_form.thank_you_url, permanent=False)
    return render(request, "capture/thank_you.html", {"web_form": web_form, "message": message})


@login_not_required
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST", "OPTIONS"])
def web_form_view(request, key):
    web_form = get_object_or_404(
        WebForm.objects.select_related("created_by"), key=key, is_active=True
    )
    if request.method != "GET" and not _origin_allowed(request, web_form):
        return JsonResponse({"detail": _("This site may not post to this form.")}, status=403)
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return _with_headers(response, request, web_form)
    if web_form.language:
        # A form fixed to one language answers in it whatever the visitor's browser says.
        with translation.override(web_form.language):
            response = _handle(request, web_form)
        response.headers["Content-Language"] = web_form.language
    else:
        response = _handle(request, web_form)
    return _with_headers(response, request, web_form)


def _handle(request, web_form):
    form_class = lead_form_class(web_form)
    if request.method == "GET":
        tracking = {name: request.GET.get(name, "") for name in UTM_FIELDS}
        tracking["referrer_url"] = request.GET.get("referrer_url") or request.headers.get(
            "Referer", ""
        )
        context = _form_context(web_form, form=form_class(), tracking=tracking)
        return render(request, "capture/form.html", context)

    if services.over_rate_limit(services.client_ip(request)):
        message = _("Too many submissions from your address. Please try again in a minute.")
        if _wants_json(request):
            return JsonResponse({"detail": message}, status=429)
        return render(
            request,
            "capture/thank_you.html",
            {"web_form": web_form, "message": message},
            status=429,
        )
    try:
        data = _submitted_data(request)
    except BadBody as error:
        return _bad_body(request, web_form, str(error))
    if data.get(HONEYPOT_FIELD):
        # Looks like success to the bot; nothing is stored.
        return _thank_you(request, web_form, created=True)
    form = form_class(data)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse(form.errors.get_json_data(), status=400)
        form.focus_first_error()
        context = _form_context(web_form, form=form, tracking=data)
        return render(request, "capture/form.html", context, status=400)
    values = {name: form.cleaned_data[name] for name in web_form.fields}
    tracking = tracking_values(data)
    referer = request.headers.get("Referer", "")
    if not tracking["referrer_url"] and _origin_of(referer) != _own_origin(request):
        # A site posting straight to us (no hidden field): its page is the referrer.
        tracking["referrer_url"] = tracking_values({"referrer_url": referer})["referrer_url"]
    _submission, created = services.submit_web_form(
        web_form=web_form,
        values=values,
        tracking=tracking,
        consent=bool(form.cleaned_data.get(CONSENT_FIELD)),
    )
    return _thank_you(request, web_form, created=created)
