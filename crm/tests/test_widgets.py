"""QuickSelect writes the same HTML as Django's Select, without a template per option."""

import pytest
from django import forms

from crm.lib.widgets import QuickSelect, QuickSelectMultiple

CHOICES = [
    ("", "—"),
    ("Users", [("user:1", "Anna Hansen"), ("user:2", 'Bo <b> & "Co"')]),
    ("Teams", [("team:1", "North")]),
    ("x<&", "plain"),
]


@pytest.mark.parametrize("value", ["", "user:2", "x<&", None, "missing"])
def test_quick_select_renders_what_select_renders(value):
    attrs = {"class": "form-select", "id": "id_owner", "required": True, "disabled": False}
    expected = forms.Select(choices=CHOICES, attrs=attrs).render("owner", value)
    assert QuickSelect(choices=CHOICES, attrs=attrs).render("owner", value) == expected


@pytest.mark.parametrize("value", [[], ["user:1", "team:1"], ["x<&"], None, ["missing"]])
def test_quick_select_multiple_renders_what_select_multiple_renders(value):
    attrs = {"class": "form-select", "id": "id_team"}
    expected = forms.SelectMultiple(choices=CHOICES, attrs=attrs).render("team", value)
    assert QuickSelectMultiple(choices=CHOICES, attrs=attrs).render("team", value) == expected


def test_quick_select_marks_only_the_first_of_equal_values_as_select_does():
    choices = [("a", "First"), ("a", "Second"), (None, "None"), (1, "One")]
    for value in ("a", "", 1, "1"):
        expected = forms.Select(choices=choices).render("x", value)
        assert QuickSelect(choices=choices).render("x", value) == expected
