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
    ("Spring Expo 2026", "EXPO26", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), "25000"),
    ("Webinar series", "WEB26", datetime.date(2026, 1, 15), None, "5000"),
]

# e-mail, first, last, company, topic, source, campaign code, rating, owner, outcome, follow-up
# (days from today); outcome: "", "contacted", "qualified", "lost", "cannot_contact", ...
DEMO_LEADS = [
    ("anna.hansen@fabrikam.example", "Anna", "Hansen", "Fabrikam A/S", "50 laptops for the new office", "Trade Show", "EXPO26", Rating.HOT, "alice", "", 0),  # noqa: E501
    ("jens.berg@blaavand.example", "Jens", "Berg", "Blåvand Fisk ApS", "Cold storage sensors", "Web", "WEB26", Rating.WARM, "alice", "contacted", -2),  # noqa: E501
    ("li.wei@tailspin.example", "Li", "Wei", "Tailspin Toys", "Packaging line upgrade", "Partner", "", Rating.WARM, "alice", "qualified", None),  # noqa: E501
    ("o.nielsen@mail.example", "Ole", "Nielsen", "", "Home office kit", "Web", "WEB26", Rating.COLD, "alice", "lost", None),  # noqa: E501
    ("sara.lind@woodgrove.example", "Sara", "Lind", "Woodgrove Bank", "Branch kiosks", "Seminar", "", Rating.HOT, "bob", "", 3),  # noqa: E501
    ("p.kowalski@litware.example", "Piotr", "Kowalski", "Litware Inc.", "", "Employee Referral", "", Rating.WARM, "bob", "contacted", 0),  # noqa: E501
    ("m.garcia@proseware.example", "Marta", "Garcia", "Proseware", "Field service app", "External Referral", "EXPO26", Rating.COLD, "bob", "cannot_contact", None),  # noqa: E501
    ("h.svensson@adatum.example", "Hanna", "Svensson", "Adatum Corporation", "Data centre cooling", "Advertisement", "", Rating.HOT, "carol", "", 1),  # noqa: E501
    ("t.meyer@contoso.example", "Tom", "Meyer", "Contoso Pharmaceuticals", "Lab monitoring", "Public Relations", "", Rating.WARM, "carol", "no_longer_interested", None),  # noqa: E501
    ("k.olsen@northwind.example", "Karin", "Olsen", "Northwind Traders", "Delivery vans tracking", "Word of Mouth", "", Rating.WARM, "carol", "canceled", None),  # noqa: E501
    ("queue@lucerne.example", "", "Ahmed", "Lucerne Publishing", "Print workflow", "Other", "", "", "North", "", None),  # noqa: E501

]  # fmt: skip

Kind, Direction = Activity.Kind, Activity.Direction

# Per lead (by e-mail): kind, subject, due (days from today, at 10:00), done. A completed call
# or e-mail on a New lead makes it Contacted, as in real use.
DEMO_ACTIVITIES = {
    "anna.hansen@fabrikam.example": [
        (Kind.TASK, "Send the laptop price list", 0, False),
        (Kind.APPOINTMENT, "Demo at Fabrikam's office", 2, False),
    ],
    "jens.berg@blaavand.example": [
        (Kind.PHONE_CALL, "First call: cold storage needs", -3, True),
        (Kind.PHONE_CALL, "Follow-up call on sensor count", -2, False),
    ],
    "li.wei@tailspin.example": [(Kind.EMAIL, "Proposal sent", -5, True)],
    "sara.lind@woodgrove.example": [(Kind.TASK, "Prepare the kiosk brief", 3, False)],
    "p.kowalski@litware.example": [
        (Kind.EMAIL, "Intro e-mail", -1, True),
        (Kind.PHONE_CALL, "Call back about budget", 0, False),
    ],
    "h.svensson@adatum.example": [(Kind.PHONE_CALL, "Qualifying call", 1, False)],
}
DEMO_NOTES = {
    "anna.hansen@fabrikam.example": "Met at the Spring Expo stand; wants delivery before June.",
    "sara.lind@woodgrove.example": "Decision in the board meeting next month.",
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
        email, first, last, company, topic, source, code, rating, owner, outcome, follow = row
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
                "city": "Copenhagen",
                "country": "Denmark",
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
                lead=lead, user=creator, status=outcome, note="Demo: closed during the call"
            )
