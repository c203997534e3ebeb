"""Demo web form: "Contact us" at /capture/contact-us/, stamping the Web source. Idempotent:
the form is identified by its public key."""

from capture.models import WebForm
from leads.models import LeadSource


def seed(context):
    WebForm.objects.get_or_create(
        key="contact-us",
        defaults={
            "name": "Contact us (website)",
            "title": "Talk to our sales team",
            "introduction": "Tell us what you need and we will get back to you within a day.",
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
            "thank_you_message": "Thank you! A member of our sales team will contact you soon.",
            "allowed_origins": "http://127.0.0.1:8000\nhttp://localhost:8000",
        },
    )
