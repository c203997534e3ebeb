"""`bootstrap_field` writes the markup crispy-forms' bootstrap5 pack writes for a field (the
same elements, attributes and text; whitespace aside), without its templates."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.test.html import parse_html

from crm.lib.widgets import QuickSelect, QuickSelectMultiple
from crm.templatetags.fields import bootstrap_field

CHOICES = [("", "---------"), ("a", "Apple"), ("b", 'Bo <b> & "Co"')]


class SampleForm(forms.Form):
    q = forms.CharField(label="Search", required=False)
    name = forms.CharField(label="Name <i>", max_length=20, help_text="Your <em>full</em> name.")
    fruit = forms.ChoiceField(label="Fruit", choices=CHOICES, required=False)
    quick = forms.ChoiceField(label="Quick", choices=CHOICES, widget=QuickSelect)
    many = forms.MultipleChoiceField(
        label="Many", choices=CHOICES[1:], required=False, widget=QuickSelectMultiple
    )
    day = forms.DateField(
        label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    count = forms.IntegerField(label="Count", required=False, min_value=1)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agree = forms.BooleanField(label="Agree", required=False, help_text="Tick it.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DjangoWidgetsForm(SampleForm):
    """The same with Django's own selects (whose HTML QuickSelect writes), named "select" by
    crispy as bootstrap_field names ours."""

    quick = forms.ChoiceField(label="Quick", choices=CHOICES)
    many = forms.MultipleChoiceField(label="Many", choices=CHOICES[1:], required=False)


def _both(form, name):
    # Each renderer on its own form: both add classes to the widget they render.
    other = DjangoWidgetsForm(form.data or None, auto_id=form.auto_id)
    return bootstrap_field(form[name]), as_crispy_field(other[name])


@pytest.mark.parametrize("name", list(SampleForm.base_fields))
def test_an_unbound_field_is_written_as_crispy_writes_it(name):
    ours, crispys = _both(SampleForm(), name)
    assert parse_html(ours) == parse_html(crispys)


@pytest.mark.parametrize("name", list(SampleForm.base_fields))
def test_a_field_with_errors_is_written_as_crispy_writes_it(name):
    data = {"name": "", "fruit": "zzz", "quick": "b", "many": ["a", "zzz"], "day": "2020-13-01",
            "count": "0", "version": "x"}  # fmt: skip
    form = SampleForm(data)
    assert not form.is_valid()
    ours, crispys = _both(form, name)
    assert parse_html(ours) == parse_html(crispys)


def test_the_error_block_names_the_field_and_its_messages():
    form = SampleForm({"quick": "zzz"}, auto_id="bulk_%s")
    html = bootstrap_field(form["quick"])
    assert 'id="div_bulk_quick"' in html
    assert 'class="quickselect form-select is-invalid"' not in html  # Django's name: "select"
    assert 'class="select form-select is-invalid"' in html
    assert '<div id="bulk_quick_error" class="invalid-feedback">' in html
    assert '<p id="error_1_bulk_quick"><strong>Select a valid choice.' in html
    assert '<span class="asteriskField">*</span>' in html


def test_a_label_and_choices_are_escaped():
    html = bootstrap_field(SampleForm(initial={"quick": "b"})["quick"])
    assert "Bo &lt;b&gt; &amp; &quot;Co&quot;</option>" in html
    assert '<option value="b" selected>' in html
    assert "Name &lt;i&gt;" in bootstrap_field(SampleForm()["name"])


def test_owner_choices_name_each_user_as_the_user_names_itself(db, alice, north):
    from crm.forms import OwnerChoiceField, user_choices
    from crm.models import User
    from crm.tests.factories import UserFactory

    nameless = UserFactory(username="nameless", first_name="", last_name="")
    half = UserFactory(username="half", first_name="", last_name="Hansen")
    users = User.objects.filter(pk__in=[alice.pk, nameless.pk, half.pk])
    assert user_choices(users) == [(f"user:{u.pk}", str(u)) for u in users]
    field = OwnerChoiceField(users=users)
    assert list(field.choices) == [
        ("Users", [(f"user:{u.pk}", str(u)) for u in users]),
        ("Teams", [(f"team:{north.pk}", str(north))]),
    ]
