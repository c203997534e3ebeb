"""Fixed-window rate limits counted in a store every process shares.

By default the count is a row of crm.RateLimitCounter, bumped with one atomic upsert (INSERT
... ON CONFLICT DO UPDATE ... RETURNING), so the embedded SQLite default and PostgreSQL under
many gunicorn workers both hold the limit. When CACHE_URL points at Redis the count is an
atomic INCR there instead (no database write per request)."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from crm.models import RateLimitCounter


def client_ip(request) -> str:
    """The client's address. A client can write any X-Forwarded-For, so it is only read behind
    a proxy we run (CAPTURE_TRUST_X_FORWARDED_FOR), and then only the last entry, the one that
    proxy appended. The web form's rate limit and the login lockout (axes) both use it."""
    if settings.CAPTURE_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def _clock() -> float:
    """Seconds since the epoch; the test suite holds it still so a run of requests cannot
    straddle a window's end (a fixed window starts counting afresh there)."""
    return time.time()


def _uses_redis() -> bool:
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def hit(key: str, *, limit: int, window: int = 60) -> bool:
    """Count one event for `key` in the current `window` seconds; True once more than `limit`
    events were counted in it (the caller refuses this one)."""
    start = int(_clock() // window) * window
    if _uses_redis():
        return _hit_cache(f"ratelimit:{key}:{start}", window) > limit
    return _hit_database(key, start, window) > limit


def _hit_cache(name: str, window: int) -> int:
    cache.add(name, 0, timeout=window * 2)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add() and incr()
        cache.set(name, 1, timeout=window * 2)
        return 1


def _hit_database(key: str, start: int, window: int) -> int:
    quote = connection.ops.quote_name
    table = quote(RateLimitCounter._meta.db_table)
    key_column, count_column = quote("key"), quote("count")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, window_start, {count_column}) "
            f"VALUES (%s, %s, 1) ON CONFLICT ({key_column}, window_start) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
            f"RETURNING {count_column}",
            [key, start],
        )
        (count,) = cursor.fetchone()
        if count == 1:
            # A new window began for this key: drop the ones that ended.
            RateLimitCounter.objects.filter(key=key, window_start__lt=start).delete()
    return count


def reset(key: str | None = None) -> None:
    """Forget counts (tests; an administrator lifting a limit)."""
    queryset = RateLimitCounter.objects.all()
    if key is not None:
        queryset = queryset.filter(key=key)
    queryset.delete()


def lockout_response(request, original_response, credentials):
    """What a locked-out log-in gets (django-axes' AXES_LOCKOUT_CALLABLE): the page says what
    happened and when to try again; API and htmx callers get the same as JSON."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    minutes = settings.LOGIN_LOCKOUT_MINUTES
    message = _(
        "Too many failed log-in attempts for this user from your address. Log-in is locked "
        "for %(minutes)d minutes; try again after that, or reset your password."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/") or request.headers.get("HX-Request"):
        response = JsonResponse({"detail": message, "retry_after_minutes": minutes}, status=429)
    else:
        context = {"message": message}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
