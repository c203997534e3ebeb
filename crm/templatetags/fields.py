"""`{% load fields %}{{ form.field|bootstrap_field }}`: a form field in Bootstrap 5 markup (the
same as crispy-forms' bootstrap5 field.html for a label, a text input or a select, its errors and
help text), written in Python. crispy walks a dozen templates per field (about half a
millisecond): the lead list's filter panel and bulk bar rendered that way, with a template per
option of each select, were most of an empty list's cost.
Checkboxes, radio buttons and files still go through crispy."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_CRISPY_ONLY = (forms.CheckboxInput, forms.RadioSelect, forms.ClearableFileInput, forms.FileInput)


def _django_widget_name(widget):
    """ "select" for a Select and for our QuickSelect (crm/lib/widgets.py) alike."""
    for cls in type(widget).__mro__:
        if cls.__module__ == "django.forms.widgets":
            return cls.__name__.lower()
    return type(widget).__name__.lower()


def _add_classes(widget, classes):
    """The widget's class attribute as crispy's `crispy_field` leaves it: its own classes, the
    widget's name in lower case, then the Bootstrap ones."""
    present = widget.attrs.get("class", "").split()
    for name in (_django_widget_name(widget), *classes.split()):
        if name not in present:
            present.append(name)
    widget.attrs["class"] = " ".join(present)


@register.filter
def bootstrap_field(field):
    widget = field.field.widget
    if isinstance(widget, _CRISPY_ONLY) or hasattr(widget, "widgets"):
        return as_crispy_field(field)
    if field.is_hidden:
        return str(field)
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    _add_classes(widget, f"{bootstrap} is-invalid" if field.errors else bootstrap)
    required = field.field.required
    parts = []
    if field.label:
        label_for = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
        parts.append(
            format_html(
                '<label{} class="form-label{}">{}{}</label>',
                label_for,
                " requiredField" if required else "",
                field.label,
                mark_safe('<span class="asteriskField">*</span>') if required else "",
            )
        )
    parts.append(str(field))
    if field.errors:
        errors = format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
        )
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">{}</div>',
                field.errors.field_id,
                errors,
            )
        )
    if field.help_text:
        helptext_id = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        # Help text is the form author's HTML, as crispy (and Django) treat it.
        parts.append(
            format_html(
                '<div {}class="form-text">{}</div>', helptext_id, mark_safe(field.help_text)
            )
        )
    css = f" {field.css_classes()}" if field.css_classes() else ""
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}</div>', field.auto_id, css, mark_safe("".join(parts))
    )
