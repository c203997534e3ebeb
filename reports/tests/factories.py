"""The known data set the exact-numbers tests check cell by cell.

Built through the services (create, qualify, disqualify, log a call, win, lose) with the clock
set by time-machine, so every duration is known. All times UTC; T0 is Monday 2026-03-02 09:00.

lead  source      owner   created   what happened (days/hours after its creation)
W1    Web         alice   T0        call +2h; qualified +4d -> O1 (EUR, est. 2500), campaign C
W2    Web         alice   T0+1d     e-mail +6h; qualified +2d -> O2 (USD 1250 = EUR 1000, open)
W3    Web         bob     T0+1d     disqualified (Lost) +1d
W4    Web         carol   T0+2d     open, New (South: alice cannot see it)
Q1    Web         North   T0+2d     open, New, in the team queue
T1    Trade Show  bob     T0        call +1h; qualified into O1 +6d; O1 won (actual 3000) at T0+7d
T2    Trade Show  alice   T0+3d     disqualified (Cannot Contact) +1d
T3    Trade Show  alice   T0+3d     qualified +2d -> O3 (EUR 800), lost at T0+6d
N1    (none)      alice   T0+4d     call +3h (Contacted)
N2    (none)      bob     2026-02-28 23:30 UTC (1 March in Copenhagen); disqualified (Canceled)

O1 is fed by W1 (Web) and T1 (Trade Show): it counts once in each row and once in the totals,
and its won value 3000 is shared 1500 / 1500.
"""

import datetime
from decimal import Decimal

import time_machine
from django.conf import settings

from activities.models import Activity
from activities.services import log_activity
from leads.models import LeadSource, Status
from leads.services import disqualify_lead, mark_lead_contacted, qualify_lead
from leads.tests.factories import CampaignFactory, make_lead
from opportunities.models import Currency
from opportunities.services import lose_opportunity, win_opportunity

UTC = datetime.UTC
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _lead(name, *, owner, source, created, created_by=None, **extra):
    with _at(created):
        return make_lead(
            owner=owner,
            created_by=created_by,
            source=LeadSource.objects.get_or_create(name=source)[0] if source else None,
            last_name=name,
            company_name=f"Company {name}",
            email=f"{name.lower()}@example.com",
            **extra,
        )


def _contact(lead, *, user, kind, at):
    with _at(at):
        log_activity(
            regarding=lead,
            user=user,
            kind=kind,
            data={"subject": f"First contact with {lead}", "direction": "outgoing"},
            completed=True,
        )
        mark_lead_contacted(lead=lead, user=user)  # a no-op when a receiver already did it


def _qualify(lead, *, user, at, **options):
    with _at(at):
        lead.refresh_from_db()
        return qualify_lead(lead=lead, user=user, **options)


def _disqualify(lead, *, user, at, status):
    with _at(at):
        lead.refresh_from_db()
        return disqualify_lead(lead=lead, user=user, status=status)


def build_known_data(*, alice, bob, carol, north):
    # Browser tests run on a flushed database: what the data migrations seeded is gone.
    Currency.objects.get_or_create(
        code=settings.BASE_CURRENCY, defaults={"name": "Base", "symbol": "¤"}
    )
    usd = Currency.objects.create(
        code="USD", name="US Dollar", symbol="$", exchange_rate=Decimal("1.25")
    )
    campaign = CampaignFactory(name="Spring", code="SPRING")
    data = {"campaign": campaign, "usd": usd}

    w1 = _lead(
        "W1",
        owner=alice,
        source="Web",
        created=T0,
        campaign=campaign,
        estimated_value=Decimal("2500"),
    )
    w2 = _lead(
        "W2",
        owner=alice,
        source="Web",
        created=T0 + DAY,
        campaign=campaign,
        estimated_value=Decimal("1250"),
    )
    w3 = _lead("W3", owner=bob, source="Web", created=T0 + DAY)
    w4 = _lead("W4", owner=carol, source="Web", created=T0 + 2 * DAY)
    q1 = _lead("Q1", owner=north, created_by=alice, source="Web", created=T0 + 2 * DAY)
    t1 = _lead("T1", owner=bob, source="Trade Show", created=T0)
    t2 = _lead("T2", owner=alice, source="Trade Show", created=T0 + 3 * DAY)
    t3 = _lead(
        "T3",
        owner=alice,
        source="Trade Show",
        created=T0 + 3 * DAY,
        estimated_value=Decimal("800"),
    )
    n1 = _lead("N1", owner=alice, source=None, created=T0 + 4 * DAY)
    n2 = _lead(
        "N2", owner=bob, source=None, created=datetime.datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    )

    _contact(w1, user=alice, kind=Activity.Kind.PHONE_CALL, at=T0 + 2 * HOUR)
    _contact(t1, user=bob, kind=Activity.Kind.PHONE_CALL, at=T0 + 1 * HOUR)
    _contact(w2, user=alice, kind=Activity.Kind.EMAIL, at=T0 + DAY + 6 * HOUR)
    _contact(n1, user=alice, kind=Activity.Kind.PHONE_CALL, at=T0 + 4 * DAY + 3 * HOUR)

    new_records = {"create_account": True, "create_opportunity": True}
    o1 = _qualify(w1, user=alice, at=T0 + 4 * DAY, **new_records).opportunity
    o2 = _qualify(w2, user=alice, at=T0 + 3 * DAY, currency=usd, **new_records).opportunity
    o3 = _qualify(t3, user=alice, at=T0 + 5 * DAY, **new_records).opportunity
    _qualify(t1, user=bob, at=T0 + 6 * DAY, existing_opportunity=o1)

    _disqualify(w3, user=bob, at=T0 + 2 * DAY, status=Status.LOST)
    _disqualify(t2, user=alice, at=T0 + 4 * DAY, status=Status.CANNOT_CONTACT)
    _disqualify(n2, user=bob, at=T0 + 5 * DAY, status=Status.CANCELED)

    with _at(T0 + 6 * DAY):
        lose_opportunity(opportunity=o3, user=alice)
    with _at(T0 + 7 * DAY):
        win_opportunity(opportunity=o1, user=alice, actual_value=Decimal("3000"))

    data.update(
        leads={lead.last_name: lead for lead in (w1, w2, w3, w4, q1, t1, t2, t3, n1, n2)},
        opportunities={"O1": o1, "O2": o2, "O3": o3},
    )
    return data
