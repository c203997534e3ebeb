from django import forms
from django.utils.translation import gettext_lazy as _

from activities.attachments import check_attachment, max_bytes
from activities.models import Activity, Inquiry, Note
from crm.forms import VersionedModelForm

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# The quick-add kinds: each activity kind, plus notes and inquiries.
ACTIVITY_KINDS = tuple(Activity.Kind.values)
QUICK_ADD_KINDS = (*ACTIVITY_KINDS, "note", "inquiry")

_KIND_FIELDS = {
    Activity.Kind.PHONE_CALL: ["subject", "direction", "other_party", "description", "due_at"],
    Activity.Kind.EMAIL: ["subject", "direction", "other_party", "description", "due_at"],
    Activity.Kind.TASK: ["subject", "description", "due_at", "priority"],
    Activity.Kind.APPOINTMENT: ["subject", "due_at", "ends_at", "location", "description"],
}


class ActivityForm(forms.ModelForm):
    """One form for every kind: only the kind's own fields are shown and saved."""

    completed = forms.BooleanField(
        label=_("Already happened (log it as completed)"), required=False, initial=True
    )

    class Meta:
        model = Activity
        fields = [
            "subject",
            "direction",
            "other_party",
            "description",
            "due_at",
            "ends_at",
            "location",
            "priority",
            "duration_minutes",
        ]
        widgets = {
            "due_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = _KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted and name != "completed":
                del self.fields[name]
        if kind in Activity.COMMUNICATION_KINDS:
            self.fields["direction"].required = True
            self.fields["direction"].initial = Activity.Direction.OUTGOING
            self.fields["direction"].choices = Activity.Direction.choices
            self.fields["due_at"].label = _("When")
        else:
            del self.fields["completed"]
        if kind == Activity.Kind.APPOINTMENT:
            self.fields["due_at"].required = True
            self.fields["due_at"].label = _("Start")
            self.fields["ends_at"].required = True

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("due_at"), cleaned.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned

    def _post_clean(self):
        # The model's kind is set by the service; validate the row with it set here too.
        self.instance.kind = self.kind
        super()._post_clean()

    def activity_data(self):
        return {name: self.cleaned_data[name] for name in self.fields if name != "completed"}


class NoteForm(forms.ModelForm):
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("One file, up to %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)},
    )

    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            self.sniffed_type = check_attachment(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        nothing = not cleaned.get("text", "").strip() and not cleaned.get("attachment")
        if nothing and not self.has_error("attachment"):
            raise forms.ValidationError(_("Write a note or attach a file."))
        return cleaned

    def _post_clean(self):
        # The attachment is stored by the service (under a random name), not by the form.
        pass


class NoteEditForm(VersionedModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip() and not self.instance.attachment:
            raise forms.ValidationError(_("Write a note or keep a file."))
        return text

    def _post_clean(self):
        pass


class InquiryForm(forms.ModelForm):
    class Meta:
        model = Inquiry
        fields = ["title", "channel", "priority", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def quick_add_labels():
    return {
        Activity.Kind.PHONE_CALL: _("Log a call"),
        Activity.Kind.EMAIL: _("Log an e-mail"),
        Activity.Kind.TASK: _("Add a task"),
        Activity.Kind.APPOINTMENT: _("Add an appointment"),
        "note": _("Add a note"),
        "inquiry": _("Add an inquiry"),
    }
