"""Test helper: the POST data an admin change page would send back unchanged."""

from django.forms import MultiWidget


def _field_data(form, data):
    for name, field in form.fields.items():
        bound = form[name]
        key = bound.html_name
        value = bound.value()
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else part
        elif isinstance(value, (list, tuple)):
            data[key] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value


def change_form_data(response, **changes):
    """The change form of `response` (a GET of an admin change page) as POST data, with
    `changes` applied (a value of None leaves a field out, as an unticked checkbox does)."""
    data = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _field_data(formset.management_form, data)
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.initial_form_count()  # no extra rows
        for form in formset.initial_forms:
            _field_data(form, data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
