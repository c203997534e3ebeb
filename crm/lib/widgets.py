"""Widgets written in Python where the template engine costs too much: a select of every user
renders one template per option (hundreds per page); this one joins strings, same markup."""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _attrs(attrs):
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False and value is not None:
            parts.append(format_html(' {}="{}"', name, value))
    return mark_safe("".join(parts))


class QuickSelect(forms.Select):
    """A `Select` whose options are written without a template each (the same HTML as
    Django's select.html and select_option.html)."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        lines = [format_html('<select name="{}"{}>', context["name"], _attrs(context["attrs"]))]
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                lines.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                lines.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        _attrs(option["attrs"]),
                        conditional_escape(option["label"]),
                    )
                )
            if group_name:
                lines.append(mark_safe("\n  </optgroup>"))
        lines.append(mark_safe("\n</select>"))
        return mark_safe("".join(lines))
