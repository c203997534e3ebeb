"""Demo customers: a few companies with their people. Deterministic and idempotent."""

from accounts.models import Account, Contact, Industry, PreferredContactMethod
from accounts.services import create_customer

# name, owner (username or team name), city, country, industry, phone, website, e-mail
DEMO_ACCOUNTS = [
    ("Nordlys Energi A/S", "alice", "Aarhus", "Danmark", Industry.UTILITY,
     "+45 86 12 34 56", "https://nordlys.example", "info@nordlys.example"),
    ("Havn Logistik ApS", "bob", "København", "Danmark", Industry.TRANSPORTATION,
     "33 88 11 00", "https://havn-logistik.example", "kontakt@havn-logistik.example"),
    ("Fyns Maskinfabrik A/S", "Nord", "Odense", "Danmark", Industry.DURABLE_MANUFACTURING,
     "+45 66 11 22 33", "https://fyns-maskinfabrik.example", "salg@fyns-maskinfabrik.example"),
    ("Sydkyst Fødevarer A/S", "carol", "Sønderborg", "Danmark", Industry.FOOD_AND_TOBACCO,
     "+45 74 12 34 56", "https://sydkyst.example", "info@sydkyst.example"),
    ("Østergaard Advokater", "carol", "Aalborg", "Danmark", Industry.LEGAL_SERVICES,
     "+45 98 76 54 32", "https://ostergaard-law.example", ""),
]  # fmt: skip

# first, last, account name, job title, e-mail, business phone, owner
DEMO_CONTACTS = [
    ("Anna", "Hansen", "Nordlys Energi A/S", "Indkøbschef",
     "anna.hansen@nordlys.example", "+45 86 12 34 57", "alice"),
    ("Jens", "Møller", "Nordlys Energi A/S", "Økonomidirektør", "jens.moller@nordlys.example",
     "", "alice"),
    ("Sofie", "Nielsen", "Havn Logistik ApS", "Driftsdirektør",
     "sofie@havn-logistik.example", "33 88 11 01", "bob"),
    ("Peter", "Larsen", "Fyns Maskinfabrik A/S", "Indkøber",
     "peter.larsen@fyns-maskinfabrik.example", "", "Nord"),
    ("Grethe", "Schmidt", "Sydkyst Fødevarer A/S", "Administrerende direktør",
     "grethe@sydkyst.example", "+45 74 12 34 57", "carol"),
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
