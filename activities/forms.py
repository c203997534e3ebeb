from django import forms
from django.utils.translation import gettext_lazy as _

from activities.attachments import check_attachment, max_bytes
from activities.models import Activity, Inquiry, Note
from crm.forms import OwnerChoiceField, VersionedModelForm
from crm.lib.widgets import LocalizedDateTimeInput

# The language's own way of writing a date and time (crm/lib/widgets.py), not the browser's.
DATETIME = LocalizedDateTimeInput()

# The quick-add kinds: each activity kind, plus notes and inquiries.
ACTIVITY_KINDS = tuple(Activity.Kind.values)
QUICK_ADD_KINDS = (*ACTIVITY_KINDS, "note", "inquiry")

_KIND_FIELDS = {
    Activity.Kind.PHONE_CALL: ["subject", "direction", "other_party", "description", "due_at"],
    Activity.Kind.EMAIL: ["subject", "direction", "other_party", "description", "due_at"],
    Activity.Kind.TASK: ["subject", "description", "due_at", "priority"],
    Activity.Kind.APPOINTMENT: ["subject", "due_at", "ends_at", "location", "description"],
}


# The edit form shows a little more than quick-add: the duration and priority of every kind
# (an appointment's duration is its start and end).
_EDIT_FIELDS = {
    Activity.Kind.PHONE_CALL: [
        "subject",
        "direction",
        "other_party",
        "description",
        "due_at",
        "duration_minutes",
        "priority",
    ],
    Activity.Kind.EMAIL: [
        "subject",
        "direction",
        "other_party",
        "description",
        "due_at",
        "duration_minutes",
        "priority",
    ],
    Activity.Kind.TASK: ["subject", "description", "due_at", "duration_minutes", "priority"],
    Activity.Kind.APPOINTMENT: [
        "subject",
        "due_at",
        "ends_at",
        "location",
        "description",
        "priority",
    ],
}
_ACTIVITY_FIELDS = [
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
_ACTIVITY_WIDGETS = {
    "due_at": DATETIME,
    "ends_at": DATETIME,
    "description": forms.Textarea(attrs={"rows": 3}),
}


def _shape_for_kind(form, kind, wanted, keep=()):
    """Keep the kind's own fields (and `keep`), with the kind's labels and requirements."""
    for name in list(form.fields):
        if name not in wanted and name not in keep:
            del form.fields[name]
    if kind in Activity.COMMUNICATION_KINDS:
        form.fields["direction"].required = True
        form.fields["direction"].initial = Activity.Direction.OUTGOING
        form.fields["direction"].choices = Activity.Direction.choices
        form.fields["due_at"].label = _("When")
    if kind == Activity.Kind.APPOINTMENT:
        form.fields["due_at"].required = True
        form.fields["due_at"].label = _("Start")
        form.fields["ends_at"].required = True


def _check_end_after_start(form, cleaned):
    start, end = cleaned.get("due_at"), cleaned.get("ends_at")
    if start and end and end < start:
        form.add_error("ends_at", _("The end must be after the start."))


class ActivityForm(forms.ModelForm):
    """One form for every kind: only the kind's own fields are shown and saved."""

    completed = forms.BooleanField(
        label=_("Already happened (log it as completed)"), required=False, initial=True
    )

    class Meta:
        model = Activity
        fields = _ACTIVITY_FIELDS
        widgets = _ACTIVITY_WIDGETS

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        _shape_for_kind(self, kind, _KIND_FIELDS[kind], keep=("completed",))
        if kind not in Activity.COMMUNICATION_KINDS:
            del self.fields["completed"]

    def clean(self):
        cleaned = super().clean()
        _check_end_after_start(self, cleaned)
        return cleaned

    def _post_clean(self):
        # The model's kind is set by the service; validate the row with it set here too.
        self.instance.kind = self.kind
        super()._post_clean()

    def activity_data(self):
        return {name: self.cleaned_data[name] for name in self.fields if name != "completed"}


class ActivityEditForm(VersionedModelForm):
    """Edit an open activity of any kind and (re)assign it: the kind's fields, the owner
    (any active user or team, as on leads) and the version the user opened."""

    class Meta:
        model = Activity
        fields = _ACTIVITY_FIELDS
        widgets = _ACTIVITY_WIDGETS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.instance.kind
        _shape_for_kind(self, kind, _EDIT_FIELDS[kind], keep=("expected_version",))
        # Built per form: the choices query users and teams (never at import time).
        self.fields["owner"] = OwnerChoiceField(
            label=_("Owner"),
            initial=OwnerChoiceField.value_for(self.instance.owner),
            user=user,
            current=self.instance.owner,
        )

    def clean(self):
        cleaned = super().clean()
        _check_end_after_start(self, cleaned)
        return cleaned

    def activity_data(self):
        """What activities.services.update_activity takes (the owner included)."""
        return {
            name: self.cleaned_data[name] for name in self.fields if name != "expected_version"
        }


class NoteForm(forms.ModelForm):
    attachment = forms.FileField(label=_("Attachment"), required=False)

    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, in the request's language (at import it would stay English).
        limit = max_bytes() // (1024 * 1024)
        self.fields["attachment"].help_text = _("One file, up to %(limit)s MB.") % {"limit": limit}

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


class DeleteForm(forms.Form):
    """The confirmation of a deletion (activities.services.delete_record): why, in the
    record's history."""

    reason = forms.CharField(
        label=_("Why is it deleted?"),
        max_length=200,
        help_text=_("Kept in the history, e.g. “Entered twice by mistake”."),
        error_messages={"required": _("Say why the record is deleted.")},
    )
