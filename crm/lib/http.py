"""Small request helpers shared by the apps' views."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback):
    """The `next` address a form or link sent (POST, else GET) when it points into this site,
    else `fallback`: never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
