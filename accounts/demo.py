"""Demo customers: a few companies with their people. Deterministic and idempotent."""

from accounts.models import Account, Contact, Industry, PreferredContactMethod
from accounts.services import create_customer

# name, owner (username or team name), city, country, industry, phone, website, e-mail
DEMO_ACCOUNTS = [
    ("Nordlys Energi A/S", "alice", "Aarhus", "Denmark", Industry.UTILITY,
     "+45 86 12 34 56", "https://nordlys.example", "info@nordlys.example"),
    ("Havn Logistics ApS", "bob", "Copenhagen", "Denmark", Industry.TRANSPORTATION,
     "33 88 11 00", "https://havn-logistics.example", "kontakt@havn-logistics.example"),
    ("Acme Inc.", "North", "Odense", "Denmark", Industry.DURABLE_MANUFACTURING,
     "+45 66 11 22 33", "https://acme.example", "sales@acme.example"),
    ("Sydkyst Foods GmbH", "carol", "Flensburg", "Germany", Industry.FOOD_AND_TOBACCO,
     "+49 461 123456", "https://sydkyst.example", "info@sydkyst.example"),
    ("Østergaard Advokater", "carol", "Aalborg", "Denmark", Industry.LEGAL_SERVICES,
     "+45 98 76 54 32", "https://ostergaard-law.example", ""),
]  # fmt: skip

# first, last, account name, job title, e-mail, business phone, owner
DEMO_CONTACTS = [
    ("Anna", "Hansen", "Nordlys Energi A/S", "Head of Procurement",
     "anna.hansen@nordlys.example", "+45 86 12 34 57", "alice"),
    ("Jens", "Møller", "Nordlys Energi A/S", "CFO", "jens.moller@nordlys.example", "", "alice"),
    ("Sofie", "Nielsen", "Havn Logistics ApS", "COO",
     "sofie@havn-logistics.example", "33 88 11 01", "bob"),
    ("Peter", "Larsen", "Acme Inc.", "Purchasing Manager", "peter.larsen@acme.example", "",
     "North"),
    ("Greta", "Schmidt", "Sydkyst Foods GmbH", "Managing Director", "greta@sydkyst.example",
     "+49 461 123457", "carol"),
    ("Lars", "Østergaard", "Østergaard Advokater", "Partner", "lars@ostergaard-law.example", "",
     "carol"),
]  # fmt: skip


def _owner(context, name):
    return context["users"].get(name) or context["teams"][name]


def seed(context):
    users = context["users"]
    accounts = {}
    for name, owner, city, country, industry, phone, website, email in DEMO_ACCOUNTS:
        account = Account.objects.filter(name=name).first()
        if account is None:
            account = Account(
                name=name,
                city=city,
                country=country,
                industry=industry,
                phone=phone,
                website=website,
                email=email,
            )
            account.owner = _owner(context, owner)
            create_customer(record=account, user=users["admin"])
        accounts[name] = account
    contacts = {}
    for first, last, account_name, title, email, phone, owner in DEMO_CONTACTS:
        contact = Contact.objects.filter(first_name=first, last_name=last).first()
        if contact is None:
            contact = Contact(
                first_name=first,
                last_name=last,
                account=accounts[account_name],
                job_title=title,
                email=email,
                business_phone=phone,
                preferred_contact_method=PreferredContactMethod.EMAIL,
            )
            contact.owner = _owner(context, owner)
            create_customer(record=contact, user=users["admin"])
        contacts[f"{first} {last}"] = contact
    context["accounts"] = accounts
    context["contacts"] = contacts
