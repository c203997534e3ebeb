"""QuickSelect writes the same HTML as Django's Select, without a template per option;
LocalizedDateInput writes a date as the active language does."""

import datetime

import pytest
from django import forms
from django.utils import translation

from crm.lib.widgets import LocalizedDateInput, QuickSelect, QuickSelectMultiple

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


@pytest.mark.parametrize(
    ("language", "value", "placeholder", "picker_format", "week_start"),
    [
        ("da", "02.12.2026", "dd.mm.åååå", "dd.mm.yyyy", "1"),
        ("en", "2026-12-02", "yyyy-mm-dd", "yyyy-mm-dd", "0"),
    ],
)
def test_a_date_input_is_written_in_the_active_language_with_its_calendar(
    language, value, placeholder, picker_format, week_start
):
    with translation.override(language):
        html = LocalizedDateInput().render("due", datetime.date(2026, 12, 2))
    assert 'type="text"' in html
    assert f'value="{value}"' in html
    assert f'placeholder="{placeholder}"' in html
    assert f'data-date-format="{picker_format}"' in html
    assert f'data-week-start="{week_start}"' in html
    assert f'data-language="{language}"' in html


@pytest.mark.parametrize("typed", ["2.12.2026", "02-12-2026", "02.12.26", "2026-12-02"])
def test_a_date_field_reads_what_a_danish_user_types(typed):
    field = forms.DateField(widget=LocalizedDateInput())
    with translation.override("da"):
        assert field.clean(typed) == datetime.date(2026, 12, 2)


def test_an_activitys_due_time_is_typed_and_shown_as_the_language_writes_it():
    import datetime

    from django.utils import translation

    from activities.forms import ActivityForm

    with translation.override("da"):
        form = ActivityForm(
            data={"subject": "Ring", "priority": 1, "due_at": "3.12.2026 14.30"}, kind="task"
        )
        form.is_valid()
        assert form.cleaned_data["due_at"].replace(tzinfo=None) == datetime.datetime(
            2026, 12, 3, 14, 30
        )
        shown = ActivityForm(
            initial={"due_at": datetime.datetime(2026, 12, 3, 14, 30)}, kind="task"
        )
        html = str(shown["due_at"])
        assert 'placeholder="dd.mm.åååå tt.mm"' in html and 'type="text"' in html
        assert 'value="03.12.2026 14.30"' in html
    with translation.override("en"):
        form = ActivityForm(
            data={"subject": "Call", "priority": 1, "due_at": "2026-12-03T14:30"}, kind="task"
        )
        form.is_valid()
        assert form.cleaned_data["due_at"].hour == 14
        assert 'placeholder="yyyy-mm-dd hh:mm"' in str(form["due_at"])
