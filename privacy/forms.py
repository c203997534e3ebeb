from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import ConsentRecord


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class EraseForm(PersonForm):
    reason = forms.CharField(label=_("Why is the person erased?"), max_length=500)


class ConsentForm(forms.Form):
    """The Consent panel's form: a consent given or withdrawn, for one purpose, and how."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentRecord.Purpose.choices)
    status = forms.ChoiceField(
        label=_("Consent"),
        choices=ConsentRecord.Status.choices,
        initial=ConsentRecord.Status.GIVEN,
    )
    how = forms.ChoiceField(
        label=_("How"), choices=ConsentRecord.How.choices, initial=ConsentRecord.How.PHONE
    )
    note = forms.CharField(
        # Not "Note": the lead page's own forms (disqualify, add a note) have a Note field.
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. what the person said, or where the signed form is kept."),
    )
