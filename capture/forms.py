from django import forms
from django.utils.translation import gettext_lazy as _

from capture.models import CAPTURABLE_FIELDS, UTM_FIELDS, WebForm
from leads.models import Lead

# Bots fill every field; people never see this one (hidden by CSS, skipped by keyboard).
HONEYPOT_FIELD = "fax_number_confirm"


def _field_choices():
    return [
        (name, Lead._meta.get_field(name).verbose_name.capitalize()) for name in CAPTURABLE_FIELDS
    ]


class WebFormAdminForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(
        label=_("Fields shown"), choices=_field_choices, widget=forms.CheckboxSelectMultiple
    )
    required_fields = forms.MultipleChoiceField(
        label=_("Required fields"),
        choices=_field_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebForm
        fields = [
            "name",
            "key",
            "is_active",
            "title",
            "introduction",
            "fields",
            "required_fields",
            "source",
            "campaign",
            "created_by",
            "thank_you_url",
            "thank_you_message",
            "allowed_origins",
        ]

    def clean_fields(self):
        # Keep the form's order the one of CAPTURABLE_FIELDS, whatever order they were ticked.
        chosen = set(self.cleaned_data["fields"])
        return [name for name in CAPTURABLE_FIELDS if name in chosen]


def lead_form_class(web_form):
    """A form over the lead fields this web form shows, with its required ones required."""
    base = forms.modelform_factory(Lead, fields=web_form.fields)

    class CaptureForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name, field in self.fields.items():
                field.required = name in web_form.required_fields
                if name == "email":
                    field.widget.attrs["autocomplete"] = "email"

    return CaptureForm


def tracking_values(source):
    """UTM values and the referring page, from the submitted data (hidden fields or JSON)."""
    values = {name: str(source.get(name, "") or "")[:200] for name in UTM_FIELDS}
    referrer = str(source.get("referrer_url", "") or "")[:1000]
    values["referrer_url"] = referrer if referrer.startswith(("https://", "http://")) else ""
    return values
