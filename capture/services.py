"""Accepting a web form submission: abuse limits, idempotency, and the lead itself through
leads.services.create_lead (so routing applies as for every other entry path)."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.services import add_note
from capture.models import UTM_FIELDS, Submission, WebForm
from crm.lib.duplicates import normalise_email
from leads.duplicates import possible_duplicates
from leads.services import create_lead


def client_ip(request: HttpRequest) -> str:
    """The submitting client's address. A client can write any X-Forwarded-For, so it is only
    read behind a proxy we run (CAPTURE_TRUST_X_FORWARDED_FOR), and then only the last entry,
    the one that proxy appended."""
    if settings.CAPTURE_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def over_rate_limit(ip: str) -> bool:
    """Count this submission for `ip` in the configured cache (shared by every process when
    the cache is Redis); True once the per-minute limit is passed."""
    minute = int(timezone.now().timestamp() // 60)
    key = f"capture:rate:{ip}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=120)
        count = 1
    return count > settings.CAPTURE_RATE_LIMIT_PER_MINUTE


def fingerprint(web_form: WebForm, values: dict) -> str:
    """Same form, same normalised e-mail and same values → the same submission."""
    normalised = {
        name: " ".join(str(value).split()).casefold()
        for name, value in values.items()
        if name != "email" and value not in (None, "")
    }
    payload = [web_form.pk, normalise_email(values.get("email", "")), sorted(normalised.items())]
    return hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()


def _recent_submission(web_form: WebForm, key: str) -> Submission | None:
    since = timezone.now() - timedelta(seconds=settings.CAPTURE_IDEMPOTENCY_WINDOW)
    return (
        Submission.objects.filter(web_form=web_form, fingerprint=key, submitted_at__gte=since)
        .select_related("lead")
        .first()
    )


def _duplicate_note(matches: list) -> str:
    lines = [_("Possible duplicates found when this lead arrived from the web form:")]
    for match in matches:
        lines.append(
            f"- {match.record._meta.verbose_name} {match.record} (#{match.record.pk}): "
            f"{', '.join(str(reason) for reason in match.reasons)}"
        )
    return "\n".join(lines)


def submit_web_form(
    *, web_form: WebForm, values: dict, tracking: dict
) -> tuple[Submission | None, bool]:
    """Store one submission. Returns (submission, created): a repeat of a submission
    accepted within CAPTURE_IDEMPOTENCY_WINDOW seconds returns that one (None while the first
    is still being stored) with created=False."""
    key = fingerprint(web_form, values)
    window = settings.CAPTURE_IDEMPOTENCY_WINDOW
    if window:
        recent = _recent_submission(web_form, key)
        if recent is not None:
            return recent, False
        # A double click sends two requests at once: the cache's atomic add() lets one in;
        # the other is the same submission (its lead may not be committed yet: None).
        guard = f"capture:submitting:{key}"
        if not cache.add(guard, 1, timeout=window):
            return _recent_submission(web_form, key), False
    try:
        return _store(web_form=web_form, values=values, tracking=tracking, key=key), True
    except Exception:
        if window:
            cache.delete(guard)
        raise


@transaction.atomic
def _store(*, web_form: WebForm, values: dict, tracking: dict, key: str) -> Submission:
    user = web_form.created_by
    data = {**values, "source": web_form.source, "campaign": web_form.campaign}
    matches = possible_duplicates(user=user, data=values)
    lead = create_lead(data=data, created_by=user, route=True)
    found = [
        {
            "type": match.record._meta.model_name,
            "id": match.record.pk,
            "name": str(match.record),
            "score": match.score,
            "reasons": [str(reason) for reason in match.reasons],
        }
        for match in matches
    ]
    submission = Submission.objects.create(
        web_form=web_form,
        lead=lead,
        fingerprint=key,
        possible_duplicates=found,
        **{name: tracking.get(name, "")[:200] for name in UTM_FIELDS},
        referrer_url=tracking.get("referrer_url", "")[:1000],
    )
    if matches:
        # The visible marker: a note on the lead's timeline naming the matches.
        add_note(regarding=lead, user=user, text=_duplicate_note(matches))
    return submission
