"""Retention: the organisation's rules (privacy.RetentionPolicy) and the anonymisation of the
records past them. The dry run, the real run, the command, the admin's page and the nightly
task all read the one selection, `candidates(policy)`: what the dry run lists is what a run
at that moment anonymises.

A record is anonymised alone, not as a person: the registered erasers (crm/personal_data.py)
get a Person holding just that lead, without an address to search by, so the person's other
records stay as they are. Each lead leaves a tombstone (privacy.Erasure) naming the rule."""

import calendar
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_noop

from activities.models import Activity, Inquiry, Note
from crm.models import User
from crm.personal_data import ERASED, Person, personal_data_kinds
from leads.models import Lead, LeadStatusChange, State
from privacy.handlers import add_record
from privacy.models import Erasure, RetentionPolicy

# Ids are chosen by the selection's index, then erased this many to a transaction: a run
# interrupted keeps what it finished, and the next run selects only what is left.
BATCH_SIZE = 500

# The tombstone's reason, stored in English as every reason (translated when shown).
REASON = gettext_noop("Retention policy: %(rule)s")

TARGET_STATES = {
    RetentionPolicy.Target.DISQUALIFIED_LEADS: State.DISQUALIFIED,
    RetentionPolicy.Target.OPEN_LEADS: State.OPEN,
}

REGARDING = (Activity, Note, Inquiry)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it
    is shorter: 31 May less 3 months is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def cutoff(policy: RetentionPolicy, *, now=None) -> datetime.datetime:
    """A record whose last activity is before this is past the rule."""
    return months_before(now or timezone.now(), policy.months)


def _lead_type():
    return ContentType.objects.get_for_model(Lead, for_concrete_model=False)


def candidates(
    policy: RetentionPolicy, *, now=None, within: QuerySet[Lead] | None = None
) -> QuerySet[Lead]:
    """The leads (of `within`) past the rule now, by id: in the rule's state, not changed
    since the cutoff, no status change, activity, note or inquiry since (an activity planned
    after it counts too), and not anonymised already (a rerun selects nothing twice). Read
    by the lead's state and last change (leads_lead_retention_idx), each other table by
    its index on the record it regards."""
    since = cutoff(policy, now=now)
    lead_type = _lead_type()
    leads = Lead.objects.all() if within is None else within
    leads = leads.filter(state=TARGET_STATES[policy.target], modified_at__lt=since)
    leads = leads.exclude(last_name=ERASED, email="")
    for model in REGARDING:
        recent = Q(modified_at__gte=since)
        if model is Activity:
            recent |= Q(due_at__gte=since)
        regarding = model.objects.filter(recent, content_type=lead_type, object_id=OuterRef("pk"))
        leads = leads.exclude(Exists(regarding))
    changes = LeadStatusChange.objects.filter(lead=OuterRef("pk"), changed_at__gte=since)
    return leads.exclude(Exists(changes)).order_by("pk")


def with_last_activity(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """`leads` with `last_activity`: the newest of its last change, its last status change
    and the last change of what regards it (for the few rows a report shows)."""
    lead_type = _lead_type()
    newest = []
    for model in REGARDING:
        rows = model.objects.filter(content_type=lead_type, object_id=OuterRef("pk"))
        newest.append(Subquery(rows.order_by("-modified_at").values("modified_at")[:1]))
    changes = LeadStatusChange.objects.filter(lead=OuterRef("pk")).order_by("-changed_at")
    newest.append(Subquery(changes.values("changed_at")[:1]))
    # Each one coalesced: SQLite's greatest of a NULL is NULL, PostgreSQL's skips it.
    return leads.annotate(
        last_activity=Greatest(
            F("modified_at"), *[Coalesce(value, F("modified_at")) for value in newest]
        )
    )


@dataclass
class RetentionReport:
    """A rule's dry run: how many records it would anonymise now, and the first of them."""

    policy: RetentionPolicy
    cutoff: datetime.datetime
    count: int
    leads: list[Lead]

    @property
    def more(self) -> int:
        return self.count - len(self.leads)


def dry_run(
    policy: RetentionPolicy, *, now=None, limit: int | None = None, user: User | None = None
) -> RetentionReport:
    """What `policy` would anonymise now (nothing is changed), the leads listed up to
    `limit`. With `user`, only the leads they may see (an administrator sees every one)."""
    within = None if user is None else Lead.objects.visible_to(user)
    listed = report_rows(policy, now=now, within=within)
    listed = listed[:limit] if limit is not None else listed
    return RetentionReport(
        policy=policy,
        cutoff=cutoff(policy, now=now),
        count=candidates(policy, now=now, within=within).count(),
        leads=list(listed),
    )


def report_rows(policy: RetentionPolicy, *, now=None, within=None) -> QuerySet[Lead]:
    """The leads a dry run lists, with what it shows of them (the command streams them)."""
    leads = with_last_activity(candidates(policy, now=now, within=within))
    shown = ("first_name", "middle_name", "last_name", "email", "company_name", "status")
    return leads.only(*shown, "topic", "state", "modified_at")


def _chunks(policy, now, only, batch_size) -> Iterator[list[int]]:
    if only is not None:
        ids = sorted(set(only))
        for start in range(0, len(ids), batch_size):
            yield ids[start : start + batch_size]
        return
    after = 0
    while True:
        selection = candidates(policy, now=now).filter(pk__gt=after)
        ids = list(selection.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        after = ids[-1]
        yield ids


def _erase_lead(lead: Lead, *, policy: RetentionPolicy, user: User | None) -> Erasure:
    """Anonymise one lead and what regards it through every registered eraser; the
    tombstone, unsaved."""
    person = Person("")  # no address to search by: this lead alone, not the person's others
    if lead.email:  # still scrubbed out of what regards the lead and its copies
        person.values.add(lead.email)
        person.keys.add(lead.email)
    add_record(person, lead)
    counts = {}
    for kind in personal_data_kinds():
        for key, number in kind.erase(person, user=user).items():
            counts[key] = counts.get(key, 0) + number
    erasure = Erasure(
        erased_by=user, reason=REASON % {"rule": policy.name}, counts=counts, policy=policy
    )
    erasure.set_email(lead.email)
    return erasure


def apply_policy(
    policy: RetentionPolicy,
    *,
    user: User | None = None,
    now=None,
    only: Iterable[int] | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[int]:
    """Anonymise the leads past `policy` (of `only`, when given: those a confirmed dry run
    listed), `batch_size` to a transaction; returns their ids. Each batch locks its leads and
    selects them again under the lock: one changed since it was chosen is kept."""
    now = now or timezone.now()
    erased = []
    for ids in _chunks(policy, now, only, batch_size):
        with transaction.atomic():
            locked = Lead.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            still = candidates(policy, now=now).filter(pk__in=ids).values_list("pk", flat=True)
            still = set(still)
            past = [lead for lead in locked if lead.pk in still]
            Erasure.objects.bulk_create(
                [_erase_lead(lead, policy=policy, user=user) for lead in past]
            )
            erased += [lead.pk for lead in past]
    # A plain update: no new version, so an administrator editing the rule meanwhile can save.
    RetentionPolicy.objects.filter(pk=policy.pk).update(
        last_applied_at=timezone.now(), last_applied_count=len(erased)
    )
    return erased


def enabled_policies() -> QuerySet[RetentionPolicy]:
    return RetentionPolicy.objects.filter(is_enabled=True).order_by("name", "pk")


def apply_retention(*, user: User | None = None, now=None) -> dict[RetentionPolicy, list[int]]:
    """Run every enabled rule (the nightly task, `manage.py apply_retention --yes`)."""
    now = now or timezone.now()
    return {policy: apply_policy(policy, user=user, now=now) for policy in enabled_policies()}
