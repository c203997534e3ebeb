"""Demo web form: "Contact us" at /capture/contact-us/, stamping the Web source. Idempotent:
the form is identified by its public key."""

from urllib.parse import urlsplit

from django.conf import settings

from capture.models import WebForm
from leads.models import LeadSource

# What the demo form allowed before it followed SITE_URL; a database seeded then is updated.
_FIXED_ORIGINS = "http://127.0.0.1:8000\nhttp://localhost:8000"
_LOOPBACK_TWINS = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def demo_origins():
    """The CRM's public address (SITE_URL, which follows PORT), and on this machine its
    other name too: pages opened at either may embed the demo form."""
    site = urlsplit(settings.SITE_URL)
    origins = [f"{site.scheme}://{site.netloc}"]
    twin = _LOOPBACK_TWINS.get(site.hostname)
    if twin:
        port = f":{site.port}" if site.port else ""
        origins.append(f"{site.scheme}://{twin}{port}")
    return "\n".join(origins)


def seed(context):
    WebForm.objects.filter(key="contact-us", allowed_origins=_FIXED_ORIGINS).update(
        allowed_origins=demo_origins()
    )
    WebForm.objects.get_or_create(
        key="contact-us",
        defaults={
            "name": "Kontakt os (websted)",
            "title": "Tal med vores salgsteam",
            "introduction": (
                "Fortæl os, hvad du har brug for, så vender vi tilbage inden for et døgn."
            ),
            # Its texts are Danish, so its labels are too, whatever the browser asks for.
            "language": "da",
            "fields": [
                "first_name",
                "last_name",
                "email",
                "business_phone",
                "company_name",
                "description",
            ],
            "required_fields": ["last_name", "email"],
            "source": LeadSource.objects.filter(name="Web").first(),
            "created_by": context["users"]["admin"],
            "thank_you_message": "Tak! En fra vores salgsteam kontakter dig snart.",
            "allowed_origins": demo_origins(),
        },
    )
