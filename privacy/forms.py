from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class EraseForm(PersonForm):
    reason = forms.CharField(label=_("Why is the person erased?"), max_length=500)
