"""Widgets written in Python where the template engine costs too much: a select of every user
renders one template per option (hundreds per page); this one joins strings, same markup."""

import html

from django import forms
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext


def _escape(text):
    # django.utils.html.escape and conditional_escape, without their lazy-string wrapper, which
    # cost more than the escaping for a thousand options a page.
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _attrs(attrs):
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {_escape(name)}")
        elif value is not False and value is not None:
            parts.append(f' {_escape(name)}="{_escape(value)}"')
    return "".join(parts)


class QuickSelect(forms.Select):
    """A `Select` whose options are written without a template each (the same HTML as
    Django's select.html and select_option.html, the same choice marked selected as
    `ChoiceWidget.optgroups`), and without a dict per option: the owner selects hold every
    user, twice on the lead list."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        values = set(self.format_value(value))
        has_selected = False
        lines = [f'<select name="{_escape(name)}"{_attrs(attrs)}>']
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            if grouped:
                lines.append(f'\n  <optgroup label="{_escape(group_value)}">')
            for option_value, option_label in (
                group_label if grouped else [(group_value, group_label)]
            ):
                option_value = "" if option_value is None else str(option_value)
                selected = (not has_selected or self.allow_multiple_selected) and (
                    option_value in values
                )
                has_selected |= selected
                marked = " selected" if selected else ""
                lines.append(
                    f'\n  <option value="{_escape(option_value)}"{marked}>'
                    f"{_escape(option_label)}</option>\n"
                )
            if grouped:
                lines.append("\n  </optgroup>")
        lines.append("\n</select>")
        return mark_safe("".join(lines))


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """A `SelectMultiple` written the same way."""


# strftime directives of DATE_INPUT_FORMATS, as the calendar (vanillajs-datepicker) writes them.
_PICKER_TOKENS = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy"}


def _placeholder_tokens():
    return {
        "%d": pgettext("date format placeholder: day", "dd"),
        "%m": pgettext("date format placeholder: month", "mm"),
        "%Y": pgettext("date format placeholder: year", "yyyy"),
        "%y": pgettext("date format placeholder: year", "yy"),
    }


def _translate_format(pattern, tokens):
    for directive, token in tokens.items():
        pattern = pattern.replace(directive, token)
    return pattern


class LocalizedDateInput(forms.DateInput):
    """A date typed as the active language writes it (Danish 2.12.2026, English 2026-12-02),
    with a calendar that starts the week on the language's first day (crm.js). A native
    <input type="date"> follows the browser's own language instead, which the page cannot
    change. The field parses every DATE_INPUT_FORMATS of the language; the first one is shown.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)  # no fixed format: the active language's, at render time

    def get_context(self, name, value, attrs):
        pattern = formats.get_format("DATE_INPUT_FORMATS")[0]
        attrs = {
            "placeholder": _translate_format(pattern, _placeholder_tokens()),
            "autocomplete": "off",
            "data-datepicker": "",
            "data-date-format": _translate_format(pattern, _PICKER_TOKENS),
            "data-week-start": formats.get_format("FIRST_DAY_OF_WEEK"),
            "data-language": get_language() or "en",
            **(attrs or {}),
        }
        return super().get_context(name, value, attrs)


class LocalizedDateTimeInput(forms.DateTimeInput):
    """A date and time typed as the active language writes them (Danish 3.12.2026 14.30,
    English 2026-12-03 14:30), for the same reason as LocalizedDateInput: a native
    <input type="datetime-local"> follows the browser's language (and its 12-hour clock).
    Shown in the language's first date-and-time input format without seconds; the field
    parses all of them, and ISO 8601 (2026-12-03T14:30) as well."""

    def __init__(self, attrs=None):
        super().__init__(attrs)

    @staticmethod
    def pattern():
        patterns = formats.get_format("DATETIME_INPUT_FORMATS")
        return next((p for p in patterns if "%H" in p and "%S" not in p), "%Y-%m-%d %H:%M")

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime(self.pattern())
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        tokens = {
            **_placeholder_tokens(),
            "%H": pgettext("time format placeholder: hour", "hh"),
            "%M": pgettext("time format placeholder: minute", "mm"),
        }
        attrs = {
            "placeholder": _translate_format(self.pattern(), tokens),
            "autocomplete": "off",
            **(attrs or {}),
        }
        return super().get_context(name, value, attrs)
