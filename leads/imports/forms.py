import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from leads.imports import value_maps
from leads.imports.importers import ImportOptions
from leads.imports.mapping import IMPORT_FIELDS, field_label, grouped_field_choices
from leads.models import LeadSource

IGNORE = ""


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, UTF-16 (Excel's Unicode Text) or Windows-1252; comma, semicolon or tab "
            "separated."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


class MappingForm(forms.Form):
    """One choice per CSV column (a field or ignore), value maps and the import options."""

    dedupe = forms.ChoiceField(
        label=_("Rows matching an existing lead"),
        choices=[
            ("skip", _("Skip them")),
            ("update", _("Update the existing lead")),
            ("create", _("Create them anyway")),
        ],
    )
    key = forms.ChoiceField(label=_("External id column (for matching)"), required=False)
    source = forms.ChoiceField(label=_("Source of rows without one"), required=False)
    create_sources = forms.BooleanField(label=_("Create unknown sources"), required=False)
    owner = forms.ChoiceField(label=_("Owner of rows without one"), required=False)
    date_format = forms.ChoiceField(
        label=_("Dates such as 04/05/2021"),
        choices=[
            (
                "auto",
                _(
                    "Day first when both are possible (04/05/2021 is 4 May;"
                    " 04/15/2021 is still 15 April)"
                ),
            ),
            ("dmy", _("Day/month/year only")),
            ("mdy", _("Month/day/year (US, Zoho)")),
            ("ymd", _("Year/month/day only")),
        ],
        initial="auto",
        help_text=_("ISO dates (2021-04-15) and dates with month names are always read."),
    )
    values = forms.CharField(
        label=_("Other value maps (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace"}),
        help_text=_(
            'For values not listed above, e.g. {"status": {"Junk Lead": '
            '"disqualified:canceled", "1": "qualified"}}; a value chosen above wins.'
        ),
    )

    def __init__(self, *args, header, options, samples=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.header = header
        field_choices = [(IGNORE, _("— ignore —")), *grouped_field_choices()]
        mapped = options.columns or {}
        self.column_fields = []
        for index, csv_header in enumerate(header):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=csv_header or _("(no header)"),
                choices=field_choices,
                required=False,
                initial=mapped.get(csv_header, IGNORE),
            )
            self.column_fields.append(name)
        self.fields["key"].choices = [("", _("— none —")), *((h, h) for h in header if h)]
        self.fields["source"].choices = [
            ("", _("— none —")),
            *((s.name, s.name) for s in LeadSource.objects.filter(is_active=True)),
        ]
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["owner"].choices = [
            ("", _("Routing rules")),
            *((u.username, str(u)) for u in users),
        ]
        self.fields["dedupe"].initial = options.dedupe
        self.fields["key"].initial = options.key
        self.fields["source"].initial = options.source
        self.fields["create_sources"].initial = options.create_sources
        self.fields["owner"].initial = options.owner
        self.fields["date_format"].initial = options.date_format
        # One select per distinct value of each mapped choice column ({field: [CSV value]}).
        self.value_fields = []  # (field, CSV value, form field name)
        stored = options.values or {}
        others = {name: dict(mapping) for name, mapping in stored.items()}
        for field_name, texts in (samples or {}).items():
            choices = value_maps.field_choices(field_name)
            mapping = stored.get(field_name) or {}
            folded = {str(k).strip().casefold(): str(v) for k, v in mapping.items()}
            for index, text in enumerate(texts):
                chosen = mapping.get(text, folded.get(text.casefold()))
                for key in list(others.get(field_name, {})):
                    if str(key).strip().casefold() == text.casefold():
                        del others[field_name][key]  # shown by the select
                options_here = list(choices)
                if chosen and chosen not in {value for value, _label in choices}:
                    options_here.append((chosen, chosen))  # a map typed in the JSON
                name = f"value_{field_name}_{index}"
                self.fields[name] = forms.ChoiceField(
                    label=text,
                    choices=[("", value_maps.none_label()), *options_here],
                    required=False,
                    initial=chosen or value_maps.suggest(field_name, text, choices),
                )
                self.value_fields.append((field_name, text, name))
        others = {name: mapping for name, mapping in others.items() if mapping}
        self.fields["values"].initial = json.dumps(others, ensure_ascii=False) if others else ""

    def column_bound_fields(self):
        return [self[name] for name in self.column_fields]

    def value_groups(self):
        """[(field, its label, [bound selects])] for the template, one group per choice
        column."""
        groups = {}
        for field_name, _text, name in self.value_fields:
            groups.setdefault(field_name, []).append(self[name])
        return [(name, field_label(name), selects) for name, selects in groups.items()]

    def clean_values(self):
        text = self.cleaned_data["values"].strip()
        if not text:
            return {}
        try:
            values = json.loads(text)
        except ValueError as error:
            message = _("This is not valid JSON: %(error)s") % {"error": error}
            raise forms.ValidationError(message) from None
        valid = isinstance(values, dict) and all(
            name in IMPORT_FIELDS and isinstance(mapping, dict) for name, mapping in values.items()
        )
        if not valid:
            raise forms.ValidationError(
                _('Give {"field": {"CSV value": "value"}} with the fields of the mapping.')
            )
        return values

    def clean(self):
        cleaned = super().clean()
        columns, chosen_for = {}, {}
        for index, name in enumerate(self.column_fields):
            field_name = cleaned.get(name)
            if field_name and self.header[index]:
                columns.setdefault(self.header[index], field_name)
                chosen_for.setdefault(field_name, []).append(name)
        for field_name, names in chosen_for.items():
            if len(names) > 1:  # one would silently win over the other
                message = _(
                    "%(field)s is chosen for %(count)s columns; a field is filled from one"
                    " column: choose “— ignore —” for the others."
                ) % {"field": field_label(field_name), "count": len(names)}
                for name in names:
                    self.add_error(name, message)
        if not columns:
            raise forms.ValidationError(_("Map at least one column to a field."))
        cleaned["columns"] = columns
        if "values" in cleaned:
            values = {name: dict(mapping) for name, mapping in cleaned["values"].items()}
            for field_name, text, name in self.value_fields:
                if cleaned.get(name):
                    mapping = values.setdefault(field_name, {})
                    for key in [k for k in mapping if k.strip().casefold() == text.casefold()]:
                        del mapping[key]
                    mapping[text] = cleaned[name]
            cleaned["values"] = values
        return cleaned

    def options(self):
        data = self.cleaned_data
        return ImportOptions(
            columns=data["columns"],
            values=data["values"],
            source=data["source"],
            create_sources=data["create_sources"],
            owner=data["owner"],
            dedupe=data["dedupe"],
            key=data["key"],
            date_format=data["date_format"],
        )
