"""The compose form: to, cc, subject, body, files from the record's notes and new ones."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from activities.attachments import check_attachment, max_bytes
from mail.services import check_addresses


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ComposeForm(forms.Form):
    to = forms.CharField(
        label=_("To"), max_length=1000, help_text=_("Several addresses: separate them by commas.")
    )
    cc = forms.CharField(label=_("Cc"), max_length=1000, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 12}))
    notes = forms.ModelMultipleChoiceField(
        label=_("Files from this record's notes"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    files = MultipleFileField(label=_("Attach files"), required=False)

    def __init__(self, *args, notes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].queryset = notes
        self.fields["notes"].label_from_instance = lambda note: note.attachment_name
        if not notes.exists():
            del self.fields["notes"]
        self.fields["files"].help_text = _(
            "Each file up to %(limit)s MB; they are kept as notes on the record."
        ) % {"limit": max_bytes() // (1024 * 1024)}

    def clean_to(self):
        check_addresses(self.cleaned_data["to"], required=True)
        return self.cleaned_data["to"]

    def clean_cc(self):
        check_addresses(self.cleaned_data["cc"], required=False)
        return self.cleaned_data["cc"]

    def clean_files(self):
        checked = []
        for upload in self.cleaned_data.get("files") or []:
            try:
                checked.append((upload, check_attachment(upload)))
            except ValidationError as error:
                raise ValidationError(f"{upload.name}: {' '.join(error.messages)}") from None
        return checked
