import factory

from leads.models import Campaign, Lead, LeadSource


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Spring campaign {n}")
    code = factory.Sequence(lambda n: f"SPR-{n}")


def web_source():
    return LeadSource.objects.get(name="Web")


def lead_data(**overrides):
    """Field values for a new lead (API names), for create_lead(data=...)."""
    return {
        "topic": "50 laptops for the new office",
        "first_name": "Anna",
        "last_name": "Hansen",
        "company_name": "Fabrikam A/S",
        "email": "anna.hansen@fabrikam.example",
        "business_phone": "+45 33 88 11 00",
        "job_title": "Purchasing manager",
        "city": "Copenhagen",
        "country": "Denmark",
        **overrides,
    }


def make_lead(*, owner, created_by=None, **overrides):
    """A lead stored through the create service, as every entry path does."""
    from leads.services import create_lead

    return create_lead(data=lead_data(**overrides), created_by=created_by or owner, owner=owner)


class LeadFactory(factory.django.DjangoModelFactory):
    """Bare rows for list tests that need many leads; use make_lead() for meaningful state."""

    class Meta:
        model = Lead

    last_name = factory.Sequence(lambda n: f"Person {n}")
    company_name = factory.Sequence(lambda n: f"Company {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
