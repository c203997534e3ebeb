"""Accepting a web form submission: abuse limits, idempotency, and the lead itself through
leads.services.create_lead (so routing applies as for every other entry path)."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.services import add_note
from capture.models import UTM_FIELDS, Submission, SubmissionGuard, WebForm
from crm import ratelimit
from crm.errors import DomainError
from crm.lib.duplicates import normalise_email
from crm.models import User, may_manage
from crm.services import save_setting
from crm.signals import consent_given
from leads.duplicates import possible_duplicates
from leads.services import create_lead

client_ip = ratelimit.client_ip


def over_rate_limit(ip: str) -> bool:
    """Count this submission for `ip` in the store every process shares (crm.ratelimit:
    the database, or Redis when CACHE_URL is one); True once the per-minute limit is
    passed."""
    return ratelimit.hit(f"capture:{ip}", limit=settings.CAPTURE_RATE_LIMIT_PER_MINUTE, window=60)


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
    *, web_form: WebForm, values: dict, tracking: dict, consent: bool = False
) -> tuple[Submission | None, bool]:
    """Store one submission. Returns (submission, created): a repeat of a submission
    accepted within CAPTURE_IDEMPOTENCY_WINDOW seconds returns that one with created=False.

    Two identical submissions at once (a double click, served by two workers) both insert the
    same SubmissionGuard row in their transaction; the database makes the second wait for
    the first and then fail the unique constraint, and it answers with the first's
    submission."""
    key = fingerprint(web_form, values)
    window = settings.CAPTURE_IDEMPOTENCY_WINDOW
    if window:
        recent = _recent_submission(web_form, key)
        if recent is not None:
            return recent, False
    try:
        stored = _store(
            web_form=web_form, values=values, tracking=tracking, key=key, consent=consent
        )
        return stored, True
    except _AlreadySubmitted:
        # The first one committed (the database waited for it): answer with it.
        return _recent_submission(web_form, key), False


class _AlreadySubmitted(Exception):
    pass


def _guard(web_form: WebForm, key: str) -> None:
    """Claim (form, fingerprint, window) in the current transaction; _AlreadySubmitted when
    an identical submission claimed it first."""
    bucket = int(timezone.now().timestamp() // settings.CAPTURE_IDEMPOTENCY_WINDOW)
    try:
        with transaction.atomic():  # a savepoint, so the outer transaction can roll back
            SubmissionGuard.objects.create(web_form=web_form, fingerprint=key, bucket=bucket)
    except IntegrityError as error:
        raise _AlreadySubmitted from error
    # This submission's guards of windows that ended guard nothing (its Submission rows answer
    # repeats). Only its own: rows no concurrent transaction can be deleting at the same time.
    SubmissionGuard.objects.filter(web_form=web_form, fingerprint=key, bucket__lt=bucket).delete()


@transaction.atomic
def _store(
    *, web_form: WebForm, values: dict, tracking: dict, key: str, consent: bool = False
) -> Submission:
    if settings.CAPTURE_IDEMPOTENCY_WINDOW:
        _guard(web_form, key)
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
    if consent and web_form.ask_consent:
        # The proof: which form, and the words the visitor agreed to (privacy records it).
        consent_given.send(
            sender=WebForm,
            records=[lead],
            purpose="marketing_email",
            how="web_form",
            note=f"{web_form.name}: {web_form.consent_text}",
            user=None,
        )
    return submission


def purge_submission_guards(*, batch_size: int = 5000) -> int:
    """Delete the SubmissionGuard rows of idempotency windows that have ended (a periodic job,
    capture.tasks). Rows a submission is deleting at the same moment are skipped (SKIP LOCKED),
    so the two never wait on each other; the next run takes them. Returns how many."""
    window = settings.CAPTURE_IDEMPOTENCY_WINDOW
    if not window:
        return SubmissionGuard.objects.all().delete()[0]
    current = int(timezone.now().timestamp() // window)
    deleted = 0
    while True:
        with transaction.atomic():
            ended = SubmissionGuard.objects.filter(bucket__lt=current).select_for_update(
                skip_locked=True
            )
            pks = list(ended.values_list("pk", flat=True)[:batch_size])
            if not pks:
                return deleted
            deleted += SubmissionGuard.objects.filter(pk__in=pks).delete()[0]


# Web forms kept in the app ----------------------------------------------------------------

# Why a web form changed, as its history stores it (English; crm.history translates it).


def may_create_leads_as(user: User, *, creator: User) -> bool:
    """Whether `user` may have a web form create its leads as `creator`: an administrator as
    anyone, a manager as a member of a team they manage (that is how a form belongs to a
    team: the leads no rule routes are the creator's)."""
    return may_manage(user, creator)


def save_web_form(
    *,
    user: User,
    values: dict,
    web_form: WebForm | None = None,
    expected_version: int | None = None,
) -> WebForm:
    """Create a web form, or change one with a lost-update check; the history row says who."""

    def check(locked: WebForm) -> None:
        if locked.created_by_id is None or not may_create_leads_as(
            user, creator=locked.created_by
        ):
            raise DomainError(_("A web form may only create leads as a member of your teams."))

    return save_setting(
        WebForm,
        user=user,
        values=values,
        record=web_form,
        expected_version=expected_version,
        check=check,
    )
