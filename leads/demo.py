"""Demo leads in every state and status, two campaigns, and their calls, tasks, appointments and
notes. Deterministic and idempotent: a lead is identified by its e-mail address, so a second run
adds nothing (a lead's activities are made with it)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account
from activities import services as activities
from activities.models import Activity
from leads import services
from leads.models import Campaign, Lead, LeadSource, Status
from opportunities.models import Rating

DEMO_CAMPAIGNS = [
    (
        "Forårsmessen 2026",
        "EXPO26",
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 31),
        "25000",
    ),
    ("Webinarserie", "WEB26", datetime.date(2026, 1, 15), None, "5000"),
]

# e-mail, first, last, company, topic, source, campaign code, rating, owner, outcome, follow-up
# (days from today), city; outcome: "", "contacted", "qualified", "lost", "cannot_contact", ...
DEMO_LEADS = [
    ("anna.hansen@birkelund.example", "Anna", "Hansen", "Birkelund Møbler A/S", "50 bærbare til det nye kontor", "Trade Show", "EXPO26", Rating.HOT, "alice", "", 0, "Vejle"),  # noqa: E501
    ("jens.berg@blaavand.example", "Jens", "Berg", "Blåvand Fisk ApS", "Sensorer til kølerummet", "Web", "WEB26", Rating.WARM, "alice", "contacted", -2, "Esbjerg"),  # noqa: E501
    ("mette.lund@legehuset.example", "Mette", "Lund", "Legehuset Billund A/S", "Opgradering af pakkelinjen", "Partner", "", Rating.WARM, "alice", "qualified", None, "Billund"),  # noqa: E501
    ("o.nielsen@mail.example", "Ole", "Nielsen", "", "Udstyr til hjemmekontoret", "Web", "WEB26", Rating.COLD, "alice", "lost", None, "Roskilde"),  # noqa: E501
    ("sara.lind@sparekassenvest.example", "Sara", "Lind", "Sparekassen Vest", "Selvbetjening i filialerne", "Seminar", "", Rating.HOT, "bob", "", 3, "Herning"),  # noqa: E501
    ("p.kristensen@kristensen-it.example", "Poul", "Kristensen", "Kristensen IT ApS", "", "Employee Referral", "", Rating.WARM, "bob", "contacted", 0, "Aarhus"),  # noqa: E501
    ("m.frederiksen@montoer.example", "Maja", "Frederiksen", "Montør Service ApS", "App til servicemontørerne", "External Referral", "EXPO26", Rating.COLD, "bob", "cannot_contact", None, "Kolding"),  # noqa: E501
    ("h.svendsen@datacentermidt.example", "Henrik", "Svendsen", "Datacenter Midt A/S", "Køling af datacentret", "Advertisement", "", Rating.HOT, "carol", "", 1, "Viborg"),  # noqa: E501
    ("t.mikkelsen@medicofarma.example", "Thomas", "Mikkelsen", "Medico Farma A/S", "Overvågning af laboratoriet", "Public Relations", "", Rating.WARM, "carol", "no_longer_interested", None, "Hillerød"),  # noqa: E501
    ("k.olsen@nordvind.example", "Karin", "Olsen", "Nordvind Handel A/S", "Sporing af varebilerne", "Word of Mouth", "", Rating.WARM, "carol", "canceled", None, "Aalborg"),  # noqa: E501
    ("koe@trykkerietlyngby.example", "", "Ahmed", "Trykkeriet Lyngby ApS", "Arbejdsgangen i trykkeriet", "Other", "", "", "Nord", "", None, "Kongens Lyngby"),  # noqa: E501

]  # fmt: skip

Kind, Direction = Activity.Kind, Activity.Direction

# Per lead (by e-mail): kind, subject, due (days from today, at 10:00), done. A completed call
# or e-mail on a New lead makes it Contacted, as in real use.
DEMO_ACTIVITIES = {
    "anna.hansen@birkelund.example": [
        (Kind.TASK, "Send prislisten på bærbare", 0, False),
        (Kind.APPOINTMENT, "Demo hos Birkelund Møbler", 2, False),
    ],
    "jens.berg@blaavand.example": [
        (Kind.PHONE_CALL, "Første opkald: behov for kølerum", -3, True),
        (Kind.PHONE_CALL, "Opfølgende opkald om antal sensorer", -2, False),
    ],
    "mette.lund@legehuset.example": [(Kind.EMAIL, "Tilbud sendt", -5, True)],
    "sara.lind@sparekassenvest.example": [
        (Kind.TASK, "Forbered oplægget om terminaler", 3, False)
    ],
    "p.kristensen@kristensen-it.example": [
        (Kind.EMAIL, "Introduktionsmail", -1, True),
        (Kind.PHONE_CALL, "Ring tilbage om budgettet", 0, False),
    ],
    "h.svendsen@datacentermidt.example": [(Kind.PHONE_CALL, "Kvalificerende opkald", 1, False)],
}
DEMO_NOTES = {
    "anna.hansen@birkelund.example": "Mødt på Forårsmessen; vil have levering før juni.",
    "sara.lind@sparekassenvest.example": "Beslutningen tages på bestyrelsesmødet i næste måned.",
}


def _seed_activities(lead, user, today):
    for kind, subject, days, done in DEMO_ACTIVITIES.get(lead.email, []):
        due = datetime.datetime.combine(
            today + datetime.timedelta(days=days),
            datetime.time(10),
            tzinfo=timezone.get_current_timezone(),
        )
        data = {"subject": subject, "due_at": due}
        if kind in (Kind.PHONE_CALL, Kind.EMAIL):
            data["direction"] = Direction.OUTGOING
        if kind == Kind.APPOINTMENT:
            data.update(ends_at=due + datetime.timedelta(hours=1), location=lead.company_name)
        activities.log_activity(regarding=lead, user=user, kind=kind, data=data, completed=done)
    if lead.email in DEMO_NOTES:
        activities.add_note(regarding=lead, user=user, text=DEMO_NOTES[lead.email])


def seed(context):
    users, teams = context["users"], context["teams"]
    campaigns = {}
    for name, code, start, end, budget in DEMO_CAMPAIGNS:
        campaigns[code] = Campaign.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "start_date": start,
                "end_date": end,
                "budget": Decimal(budget),
            },
        )[0]
    sources = {source.name: source for source in LeadSource.objects.all()}
    today = timezone.localdate()
    for row in DEMO_LEADS:
        email, first, last, company, topic, source, code, rating, owner, outcome, follow, city = (
            row
        )
        if Lead.objects.filter(email=email).exists():
            continue
        owner = users.get(owner) or teams[owner]
        creator = owner if owner in users.values() else users["maria"]
        lead = services.create_lead(
            data={
                "email": email,
                "first_name": first,
                "last_name": last,
                "company_name": company,
                "topic": topic,
                "source": sources[source],
                "campaign": campaigns.get(code),
                "rating": rating,
                "city": city,
                "country": "Danmark",
                "estimated_value": Decimal("10000"),
                "next_follow_up": today + datetime.timedelta(days=follow)
                if follow is not None
                else None,
            },
            created_by=creator,
            owner=owner,
        )
        _seed_activities(lead, creator, today)
        lead.refresh_from_db()
        if outcome == "contacted":
            if lead.status != Status.CONTACTED:  # not already by a logged call
                services.set_lead_status(lead=lead, user=creator, status=Status.CONTACTED)
        elif outcome == "qualified":
            services.qualify_lead(
                lead=lead,
                user=creator,
                create_account=not Account.objects.filter(name=company).exists(),
                create_contact=True,
                create_opportunity=True,
            )
        elif outcome:
            services.disqualify_lead(
                lead=lead, user=creator, status=outcome, note="Demo: lukket under opkaldet"
            )
