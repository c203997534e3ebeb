import factory

from capture.models import WebForm


class WebFormFactory(factory.django.DjangoModelFactory):
    """Pass `created_by=` (the user leads are created as)."""

    class Meta:
        model = WebForm

    name = factory.Sequence(lambda n: f"Contact us {n}")
    key = factory.Sequence(lambda n: f"form-key-{n}")
    fields = ["first_name", "last_name", "email", "company_name", "description"]
    required_fields = ["last_name", "email"]
    thank_you_message = "Thanks, we will call you."
