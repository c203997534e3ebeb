"""Demo leads in every state and status, two campaigns. Deterministic and idempotent: a lead
is identified by its e-mail address, so a second run adds nothing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account
from leads import services
from leads.models import Campaign, Lead, LeadSource, Rating, Status

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
        if outcome == "contacted":
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
