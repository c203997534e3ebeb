"""QuickSelect writes the same HTML as Django's Select, without a template per option."""

import pytest
from django import forms

from crm.lib.widgets import QuickSelect

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
