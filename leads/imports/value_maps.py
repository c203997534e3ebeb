"""Value maps on the Imports page: for each mapped choice column (status, source, rating,
industry, ...), the distinct values of the first rows of the file and the valid choices each
may be mapped to, giving the same `values` mapping as the mapping file's JSON."""

from django.utils.translation import gettext as _

from leads.imports.cells import RowError, parse_status
from leads.imports.csvfile import CsvSource, ImportFileError
from leads.imports.importers import local_copy
from leads.imports.mapping import CONSENT_FIELDS, IMPORT_FIELDS, match_columns
from leads.models import STATUSES_BY_STATE, Lead, LeadSource

# How much of the file is read for its values, and how many values are offered per field
# (more are mapped in the JSON).
SAMPLE_ROWS = 500
VALUES_PER_FIELD = 30


def _model_choice_fields():
    for name in IMPORT_FIELDS:
        if name in ("status", "state", "source", "owner", "campaign", *CONSENT_FIELDS):
            continue
        if Lead._meta.get_field(name).choices:
            yield name


def mappable_fields():
    """The fields whose values are chosen from a list."""
    return ["status", "state", "source", *_model_choice_fields()]


def field_choices(name):
    """(value, label) pairs a CSV value of `name` may be mapped to."""
    if name == "status":
        return [
            (f"{state.value}:{status.value}", f"{state.label}: {status.label}")
            for state, statuses in STATUSES_BY_STATE.items()
            for status in statuses
        ]
    if name == "source":
        return [(s.name, s.name) for s in LeadSource.objects.filter(is_active=True)]
    return [(str(value), str(label)) for value, label in Lead._meta.get_field(name).choices]


def suggest(name, text, choices):
    """The choice `text` already means (as the importer reads it), or ""."""
    if name == "status":
        try:
            state, status = parse_status(text)
        except RowError:
            return ""
        return f"{state.value}:{status.value}"
    folded = " ".join(text.casefold().replace("_", " ").split())
    for value, label in choices:
        if folded in (value.casefold().replace("_", " "), label.casefold()):
            return value
    return ""


def sample_values(batch, options):
    """{field: [distinct CSV values]} of the mapped choice columns in the first rows, in the
    order they appear (values differing only by case counted once, as the maps match them)."""
    wanted = set(mappable_fields())
    if not wanted & set((options.columns or {}).values()):
        return {}
    samples = {}
    try:
        with (
            local_copy(batch) as path,
            CsvSource(path, encoding=options.encoding, delimiter=options.delimiter) as source,
        ):
            mapping = match_columns(source.header, columns=options.columns)
            columns = [(i, name) for i, _h, name in mapping.matched if name in wanted]
            seen = {name: set() for _i, name in columns}
            for count, (_line, cells, problem) in enumerate(source.rows()):
                if count >= SAMPLE_ROWS:
                    break
                if problem:
                    continue
                for index, name in columns:
                    text = cells[index].strip() if index < len(cells) else ""
                    if not text or text.casefold() in seen[name]:
                        continue
                    if len(seen[name]) < VALUES_PER_FIELD:
                        seen[name].add(text.casefold())
                        samples.setdefault(name, []).append(text)
    except ImportFileError:
        return {}  # the preview says what is wrong with the file
    return samples


def none_label():
    return _("— as in the file —")
