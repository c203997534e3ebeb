from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from capture.models import CAPTURABLE_FIELDS, UTM_FIELDS, WebForm
from crm.forms import VersionedModelForm, localize_numbers
from crm.models import managed_owners
from leads.models import Lead

# Bots fill every field; people never see this one (hidden by CSS, skipped by keyboard).
HONEYPOT_FIELD = "fax_number_confirm"
# The consent checkbox of a form that asks for consent (WebForm.ask_consent).
CONSENT_FIELD = "consent"


def _field_choices():
    return [
        (name, Lead._meta.get_field(name).verbose_name.capitalize()) for name in CAPTURABLE_FIELDS
    ]


def key_help_text():
    """What the key is, with the form's public URL. Crispy and the admin show help text as
    HTML: the text is escaped, so the `<key>` placeholder is seen."""
    pattern = f"{settings.SITE_URL}{reverse('capture:form', args=['KEY'])}"
    return escape(
        _(
            "Part of the form's public URL, %(url)s: changing it breaks every link and "
            "website embedding the form."
        )
        % {"url": pattern.replace("KEY", "<key>")}
    )


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
            "ask_consent",
            "consent_text",
        ]

    def clean_fields(self):
        # Keep the form's order the one of CAPTURABLE_FIELDS, whatever order they were ticked.
        chosen = set(self.cleaned_data["fields"])
        return [name for name in CAPTURABLE_FIELDS if name in chosen]


# The description's limit, in the textarea (maxlength) and on the server. Far under
# DATA_UPLOAD_MAX_MEMORY_SIZE even when a browser percent-encodes every character it counts
# (9 bytes at most), so a visitor can never type past what the server reads.
DESCRIPTION_MAX_LENGTH = 10_000

# Lead.clean's rule, in the order its message names them.
ONE_OF = {
    "last_name": _("a last name"),
    "company_name": _("a company name"),
    "email": _("an e-mail address"),
}


class LongTextField(forms.CharField):
    """Browsers count a line break as one character against maxlength and send it as CR LF;
    kept as LF, the server counts what the visitor saw."""

    widget = forms.Textarea

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


def _one_of_message(shown):
    if len(shown) != 2:
        return _("Enter at least a last name, a company name or an e-mail address.")
    one, other = (name for name in ONE_OF if name in shown)
    return _("Enter %(one)s or %(other)s.") % {"one": ONE_OF[one], "other": ONE_OF[other]}


def lead_form_class(web_form):
    """A form over the lead fields this web form shows, with its required ones required."""
    base = forms.modelform_factory(Lead, fields=web_form.fields)

    class CaptureForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "description" in self.fields:
                self.fields["description"] = LongTextField(
                    label=self.fields["description"].label,
                    max_length=DESCRIPTION_MAX_LENGTH,
                    help_text=_("Up to %(count)s characters.")
                    % {"count": number_format(DESCRIPTION_MAX_LENGTH, force_grouping=True)},
                )
            self.one_of = [name for name in self.fields if name in ONE_OF]  # in form order
            for name, field in self.fields.items():
                # A lead needs one of the three: the only one shown is required, starred.
                field.required = name in web_form.required_fields or self.one_of == [name]
                if name == "email":
                    field.widget.attrs["autocomplete"] = "email"
            localize_numbers(self)
            if web_form.ask_consent:
                # Consent must be freely given: the box starts unticked, and the form is not
                # sent without it.
                self.fields[CONSENT_FIELD] = forms.BooleanField(
                    label=web_form.consent_text,
                    required=True,
                    error_messages={"required": _("Tick the box to give your consent.")},
                )

        def _identified(self):
            return any(self.cleaned_data.get(name) for name in ONE_OF)

        def clean(self):
            cleaned_data = super().clean()
            # Said once, on a field the form shows, and only when nothing else explains it: a
            # required field left empty, or one of the three with its own error, already does.
            if not self._identified() and not any(name in self.errors for name in self.one_of):
                field = self.one_of[0] if self.one_of else None
                self.add_error(field, _one_of_message(self.one_of))
            return cleaned_data

        def focus_first_error(self):
            """Autofocus the first field with an error: on a phone the form is longer than
            the screen, and an error below the fold (the consent box, last) goes unseen."""
            for name, field in self.fields.items():
                if name in self.errors:
                    field.widget.attrs["autofocus"] = True
                    return

        def _update_errors(self, errors):
            # Lead.clean says the same rule on last_name (which the form may not show): clean()
            # has already said it here, or the form's own errors have.
            if hasattr(errors, "error_dict") and not self._identified():
                errors.error_dict.pop("last_name", None)
            super()._update_errors(errors)

    return CaptureForm


def tracking_values(source):
    """UTM values and the referring page, from the submitted data (hidden fields or JSON)."""
    values = {name: str(source.get(name, "") or "")[:200] for name in UTM_FIELDS}
    referrer = str(source.get("referrer_url", "") or "")[:1000]
    values["referrer_url"] = referrer if referrer.startswith(("https://", "http://")) else ""
    return values


class WebFormPageForm(WebFormAdminForm, VersionedModelForm):
    """The Web forms page's form: the admin's fields, the version against a stale edit, and
    "create leads as" among the users `user` manages (an administrator: any active user)."""

    class Meta(WebFormAdminForm.Meta):
        fields = [*WebFormAdminForm.Meta.fields, "language"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["created_by"].queryset = managed_owners(user)[0]
        self.fields["key"].help_text = key_help_text()
        self.order_fields(["name", "key", "is_active", "language", "title", "introduction"])
