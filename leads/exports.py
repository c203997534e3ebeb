"""CSV export of leads with the API's field names and the choices' labels in the user's
language (as Dynamics exports them), so an export re-imports cleanly; the
writing every CSV download shares (the reports' too): a BOM, and the user's language's
separators, so that Danish Excel opens a file in columns."""

from decimal import Decimal

from django.utils.formats import get_format, number_format

from leads.models import LEAD_EXPORT_FIELDS as EXPORT_FIELDS
from leads.models import Lead

# Every CSV download starts with it: Excel reads a file as UTF-8 only when it has one. The
# importer skips it (utf-8-sig), so an export still re-imports cleanly.
BOM = "\ufeff"

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_delimiter():
    """The active language's list separator: where the decimal separator is a comma (Danish),
    spreadsheets split columns at ";", else at ","."""
    return ";" if get_format("DECIMAL_SEPARATOR") == "," else ","


def csv_number(value):
    """A number as the active language writes it ("0,6667" in Danish), ungrouped; "" for
    none. Whole numbers stay as they are."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, float)):
        return number_format(value)
    return str(value)


def neutralise(value):
    """The cell as text; text that a spreadsheet would run as a formula gets a leading '
    (OWASP's advice). Numbers are left alone: -5 is a number, not a formula. The importer
    strips that one quote again, so exports round-trip."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return str(value)


# {field name: {value: label}} of the exported fields with choices (state, status, rating, ...).
CHOICE_LABELS = {
    name: dict(Lead._meta.get_field(name).flatchoices)
    for name in EXPORT_FIELDS
    if name not in ("owner", "source", "campaign") and Lead._meta.get_field(name).choices
}


def _cell(lead, name):
    if name == "owner":
        owner = lead.owner
        return getattr(owner, "username", None) or str(owner)
    if name in ("source", "campaign"):
        related = getattr(lead, name)
        return related.name if related else ""
    if name in ("existing_account", "existing_contact"):
        return getattr(lead, f"{name}_id") or ""
    value = getattr(lead, name)
    choices = CHOICE_LABELS.get(name)
    if choices is not None and value not in (None, ""):
        # Labels in the user's language, as Dynamics exports them; the importer reads them.
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return csv_number(value)
    if isinstance(value, float):  # the predicted qualification, 0-1 to four places
        return csv_number(Decimal(str(value)))
    return value


def export_rows(queryset):
    """The header, then one row per lead, read in chunks (memory stays flat)."""
    yield ["id", *EXPORT_FIELDS]
    leads = queryset.select_related("owner_user", "owner_team", "source", "campaign")
    for lead in leads.iterator(chunk_size=2000):
        yield [lead.pk, *(neutralise(_cell(lead, name)) for name in EXPORT_FIELDS)]
