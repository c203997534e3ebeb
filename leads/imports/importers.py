"""The lead CSV importer: the command line and the browser both run this code.

Streaming: the file is read row by row and written in chunks of CHUNK_SIZE rows, each chunk in
one transaction together with the batch's progress (`last_line`) and its rejected rows. An
import killed halfway therefore resumes after the last committed chunk, and dedupe catches
anything else: nothing is lost and nothing is created twice.

Rows are validated with the same rules as the lead form (the model fields' validators, the
choices, the lengths), then stored through `leads.services.create_leads`, so routing, history
and the status log work exactly as for leads typed by hand.
"""

import codecs
import csv
import hashlib
import io
import re
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import DecimalValidator, EmailValidator, URLValidator
from django.db import connection, models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Contact
from crm.errors import DomainError
from crm.lib import duplicates
from crm.models import Team
from crm.services import enqueue_on_commit
from crm.tasks import send_email
from leads.exports import FORMULA_PREFIXES
from leads.imports.models import (
    STALLED_AFTER,
    ExternalKey,
    ImportBatch,
    ImportRowError,
    current_runner,
)
from leads.models import (
    DEFAULT_STATUS,
    LEAD_EXPORT_FIELDS,
    STATUSES_BY_STATE,
    Campaign,
    Lead,
    LeadSource,
    LeadStatusChange,
    State,
    Status,
)
from leads.services import create_leads, update_lead

CHUNK_SIZE = 2000
DEDUPE_MODES = ("skip", "update", "create")
ERROR_COLUMNS = ("line", "error")

# Every field an import may set, under its API name (the export's columns, minus the ones the
# database keeps for itself).
IMPORT_FIELDS = [name for name in LEAD_EXPORT_FIELDS if name not in ("modified_at",)]
# Never changed by a dedupe "update": state changes go through their transitions, owners
# through assignment, and the creation date is history.
NOT_UPDATED = {"state", "status", "owner", "created_at"}

# Common header spellings (compared without case, spaces or punctuation) → field.
SYNONYMS = {
    "first": "first_name",
    "firstname": "first_name",
    "givenname": "first_name",
    "forename": "first_name",
    "last": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "middlename": "middle_name",
    "title": "job_title",
    "jobtitle": "job_title",
    "position": "job_title",
    "company": "company_name",
    "companyname": "company_name",
    "account": "company_name",
    "accountname": "company_name",
    "organisation": "company_name",
    "organization": "company_name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "primaryemail": "email",
    "phone": "business_phone",
    "phonenumber": "business_phone",
    "telephone": "business_phone",
    "officephone": "business_phone",
    "workphone": "business_phone",
    "businessphone": "business_phone",
    "mobile": "mobile_phone",
    "mobilephone": "mobile_phone",
    "mobilenumber": "mobile_phone",
    "cell": "mobile_phone",
    "cellphone": "mobile_phone",
    "web": "website",
    "url": "website",
    "homepage": "website",
    "revenue": "annual_revenue",
    "employees": "number_of_employees",
    "noofemployees": "number_of_employees",
    "headcount": "number_of_employees",
    "address": "street",
    "streetaddress": "street",
    "street1": "street",  # Dynamics: "Street 1"
    "addressline1": "street",
    "address1": "street",
    "primaryaddressstreet": "street",
    "town": "city",
    "primaryaddresscity": "city",
    "province": "state_province",
    "stateprovince": "state_province",
    "region": "state_province",
    "primaryaddressstate": "state_province",
    "zip": "postal_code",
    "zipcode": "postal_code",
    "postcode": "postal_code",
    "postalcode": "postal_code",
    "primaryaddresspostalcode": "postal_code",
    "zippostalcode": "postal_code",  # Salesforce and Dynamics: "Zip/Postal Code"
    "countryregion": "country",  # Dynamics: "Country/Region"
    "primaryaddresscountry": "country",
    "leadsource": "source",
    "campaignname": "campaign",
    "leadrating": "rating",
    "notes": "description",
    "note": "description",
    "comments": "description",
    "leadstatus": "status",
    "statusreason": "status",
    "leadowner": "owner",
    "assignedto": "owner",
    "ownername": "owner",
    "created": "created_at",
    "createdtime": "created_at",
    "createddate": "created_at",
    "createdon": "created_at",
    "datecreated": "created_at",
    "subject": "topic",
    "followup": "next_follow_up",
}

# Dates: ISO always; numeric day/month orders by --date-format ("auto": day-first, and a
# date that can only be month-first, such as 04/15/2021, is read month-first); dates with
# month names are unambiguous. A time (24-hour or AM/PM) may follow; see parse_datetime.
DATE_ORDERS = ("auto", "dmy", "mdy", "ymd")
_NAMED_MONTH_FORMATS = [
    "%d %b %Y",
    "%d %B %Y",
    "%d %b, %Y",
    "%d %B, %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
]
_NUMERIC_FORMATS = {
    "dmy": ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y"],
    "mdy": ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y"],
    "ymd": ["%Y/%m/%d", "%Y.%m.%d"],
}
DATE_FORMATS_BY_ORDER = {
    "auto": [*_NUMERIC_FORMATS["dmy"], *_NUMERIC_FORMATS["ymd"], *_NUMERIC_FORMATS["mdy"]],
    **_NUMERIC_FORMATS,
}
for _formats in DATE_FORMATS_BY_ORDER.values():
    _formats.extend(_NAMED_MONTH_FORMATS)
DATE_FORMATS = DATE_FORMATS_BY_ORDER["auto"]
# A date, then a time: 22:00, 22:00:15, 22:00:15.250, 10:00 PM, 10:00:15 p.m.
_DATE_AND_TIME_RE = re.compile(
    r"^(?P<date>.+?),?[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?"
    r"(?: ?(?P<half>[ap])\.?m\.?)?$",
    re.IGNORECASE,
)
TRUE_WORDS = {"1", "true", "yes", "y", "x", "ja", "on", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "nej", "off", "f", ""}


class ImportFileError(Exception):
    """The file or the options cannot be imported at all (exit status 2, nothing written)."""


class BatchBusy(ImportFileError):
    """Another live process runs this batch (or took it over): this one must not."""

    def __init__(self, batch):
        super().__init__(
            _(
                "Import #%(id)s is being run by another process (%(runner)s, last progress "
                "%(when)s). It can be resumed once it has made no progress for %(minutes)d "
                "minutes."
            )
            % {
                "id": batch.pk,
                "runner": batch.runner or "?",
                "when": batch.last_progress.isoformat(timespec="seconds"),
                "minutes": STALLED_AFTER.total_seconds() // 60,
            }
        )


class RowError(Exception):
    pass


def normalise_header(text):
    return re.sub(r"[^0-9a-z]", "", (text or "").casefold())


def _normalise_word(text):
    return " ".join(re.sub(r"[\s_\-:]+", " ", (text or "").casefold()).split())


# Options ------------------------------------------------------------------------------------


@dataclass
class ImportOptions:
    """Everything that shapes an import; stored on the batch as JSON."""

    columns: dict | None = None  # CSV header → field; None: match headers automatically
    values: dict = field(default_factory=dict)  # field → {CSV value: value}
    source: str = ""
    create_sources: bool = False
    owner: str = ""
    dedupe: str = "skip"
    key: str = ""
    encoding: str = ""
    delimiter: str = ""
    dry_run: bool = False
    date_format: str = "auto"  # one of DATE_ORDERS: how 04/05/2021 is read

    def to_dict(self):
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data):
        return cls(**{k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__})


def read_mapping_file(path):
    """The --mapping JSON: {"columns": {...}, "values": {...}} (both optional)."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise ImportFileError(
            _("Cannot read the mapping file: %(error)s") % {"error": error}
        ) from None
    if not isinstance(data, dict) or not set(data) <= {"columns", "values"}:
        raise ImportFileError(_('The mapping file holds {"columns": {...}, "values": {...}}.'))
    return data.get("columns") or {}, data.get("values") or {}


# Reading the file -----------------------------------------------------------------------------


@dataclass
class FileInfo:
    checksum: str
    size: int
    lines: int
    encoding: str


def inspect_file(path, encoding=""):
    """One pass over the bytes: checksum, size, line count and (unless given) the encoding:
    UTF-16 with its BOM (Excel's "Unicode Text"), UTF-8 with BOM, UTF-8, else Windows-1252,
    else Latin-1 (which decodes anything)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError(_("Unknown encoding: %(name)s") % {"name": encoding}) from None
    digest, size, lines = hashlib.sha256(), 0, 0
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, head = True, b""
    last = b""
    wide = None  # UTF-16/32: lines are counted in the decoded text
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            if not head:
                head = chunk[:4]
                if not encoding and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    encoding = "utf-16"  # the codec reads the byte order from the BOM
                if encoding and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
                    wide = codecs.getincrementaldecoder(encoding)(errors="replace")
            digest.update(chunk)
            size += len(chunk)
            if wide is None:
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            else:
                text = wide.decode(chunk)
                lines += text.count("\n")
                last = text[-1:].encode() or last
            if is_utf8 and not encoding:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
    if last and last != b"\n":
        lines += 1
    if not encoding:
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif is_utf8:
            encoding = "utf-8"
        else:
            encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    return FileInfo(checksum=digest.hexdigest(), size=size, lines=lines, encoding=encoding)


def _decodes(path, encoding):
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as stream:
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    return True


def _sep_hint(line):
    """The delimiter named by Excel's optional first line `sep=;`, or ""."""
    text = line.strip("\r\n").lstrip("\ufeff")
    if len(text) == 5 and text[:4].lower() == "sep=":
        return text[4]
    return ""


def sniff_delimiter(sample):
    """`,` `;` or tab: the one Excel's `sep=` line names, else whichever splits the header
    (the first line that is not blank) into the most fields."""
    lines = (line for line in io.StringIO(sample) if line.strip())
    first = next(lines, "")
    if hint := _sep_hint(first):
        return hint
    best, best_count = ",", 0
    for delimiter in (",", ";", "\t"):
        try:
            header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(header) > best_count:
            best, best_count = delimiter, len(header)
    return best


class CsvSource:
    """The file as (physical line number, cells) rows after the header; blank lines skipped."""

    def __init__(self, path, *, encoding, delimiter=""):
        self.path = path
        self.encoding = encoding
        try:
            self._file = open(path, encoding=encoding, newline="", errors="strict")  # noqa: SIM115
            sample = self._file.read(65536)
            self._file.seek(0)
        except (OSError, UnicodeDecodeError, LookupError) as error:
            raise ImportFileError(
                _("Cannot read the file: %(error)s") % {"error": error}
            ) from None
        self.delimiter = delimiter or sniff_delimiter(sample)
        self._reader = csv.reader(self._file, delimiter=self.delimiter)
        try:
            lines = (cells for cells in self._reader if any(cell.strip() for cell in cells))
            header = next(lines, None)
            if header is not None and _sep_hint(self.delimiter.join(header)):
                header = next(lines, None)  # Excel's "sep=;" line: the header comes next
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(
                _("Cannot read the header: %(error)s") % {"error": error}
            ) from None
        if header is None:
            raise ImportFileError(_("The file is empty: there is no header line."))
        header = [cell.strip().lstrip("\ufeff") for cell in header]
        while header and not header[-1]:
            header.pop()  # trailing delimiters
        self.header = header
        self.header_line = self._reader.line_num

    def rows(self):
        previous = self._reader.line_num
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as error:
                line = previous + 1
                previous = self._reader.line_num
                yield line, None, str(error)
                continue
            line, previous = previous + 1, self._reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if any("\x00" in cell for cell in cells):
                # The lead form refuses NUL characters and PostgreSQL cannot store them (not
                # even in the error row): the row is rejected, the NULs shown as U+FFFD.
                cells = [cell.replace("\x00", "\ufffd") for cell in cells]
                yield line, cells, _("The row contains a NUL character (shown as \ufffd).")
                continue
            yield line, cells, ""

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_width(cells, width):
    """Trailing empty cells are dropped (trailing delimiters); any other ragged row is
    rejected."""
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        del cells[width:]
    if len(cells) != width:
        raise RowError(
            _("The row has %(count)d fields where the header has %(width)d.")
            % {"count": len(cells), "width": width}
        )


# Matching columns -----------------------------------------------------------------------------


@dataclass
class ColumnMapping:
    matched: list  # (index, header, field) in priority order
    ignored: list  # (index, header, why)
    key_index: int | None = None

    def fields(self):
        return {name for _i, _h, name in self.matched}


def _field_aliases():
    aliases = dict(SYNONYMS)
    for name in IMPORT_FIELDS:
        aliases[normalise_header(name)] = name
        if name not in ("owner", "state", "status"):
            verbose = Lead._meta.get_field(name).verbose_name
            aliases.setdefault(normalise_header(str(verbose)), name)
    aliases["leadsource"] = "source"
    return aliases


def match_columns(header, *, columns=None, key=""):
    """Which column fills which field. With `columns` (explicit mapping) exactly those
    columns are imported; otherwise headers are matched by name and synonyms."""
    matched, ignored = [], []
    key_index = None
    if key:
        try:
            key_index = header.index(key)
        except ValueError:
            raise ImportFileError(
                _("The key column %(name)s is not in the file.") % {"name": key}
            ) from None
    if columns:
        positions = {name: i for i, name in reversed(list(enumerate(header)))}
        for csv_header, name in columns.items():
            if name not in IMPORT_FIELDS:
                raise ImportFileError(
                    _("Unknown field %(field)s (mapped from %(header)s). Fields: %(fields)s")
                    % {"field": name, "header": csv_header, "fields": ", ".join(IMPORT_FIELDS)}
                )
            if csv_header not in positions:
                raise ImportFileError(
                    _("The mapping names the column %(header)s, which is not in the file.")
                    % {"header": csv_header}
                )
            matched.append((positions[csv_header], csv_header, name))
        used = {i for i, _h, _n in matched}
        ignored = [
            (i, h, _("not mapped"))
            for i, h in enumerate(header)
            if i not in used and i != key_index
        ]
        return ColumnMapping(matched, ignored, key_index)
    aliases = _field_aliases()
    if any(normalise_header(h) in ("statusreason", "leadstatusreason") for h in header):
        # Dynamics exports both: "Status" (Open, Qualified, Disqualified) is then the state.
        aliases["status"] = "state"
    taken = set()
    for i, csv_header in enumerate(header):
        if i == key_index:
            continue
        name = aliases.get(normalise_header(csv_header))
        if csv_header in ERROR_COLUMNS or name is None:
            ignored.append((i, csv_header, _("no matching field")))
        elif name in taken:
            ignored.append((i, csv_header, _("%(field)s is already filled") % {"field": name}))
        else:
            taken.add(name)
            matched.append((i, csv_header, name))
    return ColumnMapping(matched, ignored, key_index)


# Converting cells -------------------------------------------------------------------------------


def _strip_formula_quote(value):
    """The export prefixes cells a spreadsheet would run with ' (CSV injection): undo it."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _cell_text(cells, indexes, mapped, folded):
    """A field's text: the first of its columns with a value (trimmed, the export's formula
    quote undone, mapped through the mapping file's values)."""
    for index in indexes:
        text = cells[index].strip()
        if text[:1] == "'":
            text = _strip_formula_quote(text)
        if mapped is not None and text:
            text = mapped[text] if text in mapped else folded.get(text.casefold(), text)
        if text:
            return text
    return ""


def _parse_decimal(text):
    """Amounts as exports write them: `1234.5`, `1,234,567.50`, `1.234.567,50`, `2500,75`,
    `1 234,5`. With both separators the last one is the decimal point; one kind repeated
    (`1,234,567`, `1.234.567`) separates thousands; a single comma is a decimal comma."""
    text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if "," in text and "." in text:
        decimal, thousands = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        text = text.replace(thousands, "").replace(decimal, ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(_("Enter a number.")) from None
    if not value.is_finite():
        raise RowError(_("Enter a number."))
    return value


def _date_error(order):
    if order == "mdy":
        return _("Enter a date such as 2021-04-15, 04/15/2021 or 23 May, 2012 10:00 PM.")
    if order == "ymd":
        return _("Enter a date such as 2021-04-15, 2021/04/15 or 23 May, 2012 10:00 PM.")
    return _("Enter a date such as 2021-04-15, 15/04/2021 or 23 May, 2012 00:00:00.")


def _parse_day(text, order):
    """The date of `text` (already whitespace-normalised) or None."""
    try:
        return date.fromisoformat(text)  # the common case, and fast
    except ValueError:
        pass
    for fmt in DATE_FORMATS_BY_ORDER[order]:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_date(text, order="auto"):
    text = " ".join(text.split())
    day = _parse_day(text, order)
    if day is not None:
        return day
    moment = parse_datetime(text, False, order)  # a date with a time: its local date
    return timezone.localtime(moment).date()


def parse_datetime(text, dates=True, order="auto"):
    """A moment from an ISO timestamp, or a date (see DATE_ORDERS) and a 24-hour or AM/PM
    time; with `dates`, a date alone is its midnight. Naive times are local."""
    text = " ".join(text.split())
    if text[:4].isdigit():
        try:
            moment = datetime.fromisoformat(text)  # the common case, and fast
        except ValueError:
            pass
        else:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            return moment
    found = _DATE_AND_TIME_RE.match(text)
    if found is not None:
        day = _parse_day(found["date"], order)
        if day is not None:
            hour, half = int(found["hour"]), (found["half"] or "").casefold()
            if half and not 1 <= hour <= 12:
                raise RowError(_("Enter a time such as 22:00 or 10:00 PM."))
            if half:
                hour = hour % 12 + (12 if half == "p" else 0)
            try:
                moment = datetime(
                    day.year,
                    day.month,
                    day.day,
                    hour,
                    int(found["minute"]),
                    int(found["second"] or 0),
                    int((found["fraction"] or "0").ljust(6, "0")),
                )
            except ValueError:
                raise RowError(_("Enter a time such as 22:00 or 10:00 PM.")) from None
            return timezone.make_aware(moment)
    if dates:
        day = _parse_day(text, order)
        if day is not None:
            return timezone.make_aware(datetime(day.year, day.month, day.day))
    raise RowError(_date_error(order))


def _cached_parser(parse, order):
    """parse(text, order) remembering each distinct text's value (dates repeat down a file)."""
    values = {}

    def convert(text):
        try:
            return values[text]
        except KeyError:
            pass
        value = parse(text, order=order)  # a RowError is raised again for every row with it
        if len(values) >= 10_000:
            values.clear()  # memory stays flat on files of distinct timestamps
        values[text] = value
        return value

    return convert


def _choice_converter(model_field):
    lookup = {}
    for value, label in model_field.choices:
        lookup[_normalise_word(str(value))] = value
        lookup[_normalise_word(str(label))] = value
    valid = ", ".join(str(label) for _v, label in model_field.choices)  # all of them

    def convert(text):
        try:
            return lookup[_normalise_word(text)]
        except KeyError:
            raise RowError(
                _("%(value)s is not one of the choices (%(choices)s).")
                % {"value": text, "choices": valid}
            ) from None

    return convert


class CachingEmailValidator(EmailValidator):
    """Django's validate_email (the form's rule: same checks, same answers) remembering each
    domain's verdict: a file's addresses share few domains, and the domain check is the
    slow part. The regular expressions are compiled once (Django's are lazy objects, an
    indirection on every use)."""

    def __init__(self):
        super().__init__()
        self.user_regex = re.compile(EmailValidator.user_regex.pattern, re.IGNORECASE)
        self._domains = {}

    def validate_domain_part(self, domain_part):
        try:
            return self._domains[domain_part]
        except KeyError:
            pass
        if len(self._domains) >= 10_000:
            self._domains.clear()  # memory stays flat on files of distinct domains
        valid = self._domains[domain_part] = super().validate_domain_part(domain_part)
        return valid


def _field_converter(name, date_order="auto"):
    """A function text → value applying the lead form's rules for one field (dates read
    in `date_order`, one of DATE_ORDERS)."""
    model_field = Lead._meta.get_field(name)
    if model_field.choices:
        return _choice_converter(model_field)
    if isinstance(model_field, models.BooleanField):

        def convert_bool(text):
            word = text.strip().casefold()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise RowError(_("Enter yes or no."))

        return convert_bool
    if isinstance(model_field, models.DecimalField):
        validator = DecimalValidator(model_field.max_digits, model_field.decimal_places)

        def convert_decimal(text):
            value = _parse_decimal(text)
            try:
                validator(value)
            except ValidationError as error:
                raise RowError(" ".join(error.messages)) from None
            return value

        return convert_decimal
    if isinstance(model_field, models.IntegerField):

        def convert_int(text):
            try:
                value = int(text.replace(" ", "").replace(",", ""))
            except ValueError:
                raise RowError(_("Enter a whole number.")) from None
            if value < 0:
                raise RowError(_("Enter a number of zero or more."))
            return value

        return convert_int
    if isinstance(model_field, models.DateTimeField):
        return _cached_parser(parse_datetime, date_order)
    if isinstance(model_field, models.DateField):
        return _cached_parser(parse_date, date_order)
    max_length = model_field.max_length

    def check_length(value):
        if max_length and len(value) > max_length:
            raise RowError(
                _("Ensure this value has at most %(max)d characters (it has %(length)d).")
                % {"max": max_length, "length": len(value)}
            )
        return value

    if isinstance(model_field, models.EmailField):
        validate_email = CachingEmailValidator()

        def convert_email(text):
            try:
                validate_email(text)
            except ValidationError:
                raise RowError(_("Enter a valid e-mail address.")) from None
            return check_length(text)

        return convert_email
    if isinstance(model_field, models.URLField):
        validate_url = URLValidator()

        def convert_url(text):
            if "://" not in text:
                text = f"https://{text}"  # as the form's URLField (assume_scheme="https")
            try:
                validate_url(text)
            except ValidationError:
                raise RowError(_("Enter a valid URL.")) from None
            return check_length(text)

        return convert_url
    # Phone numbers are free text up to their length, as on the lead form and in Dynamics
    # ("call after 5, ext. 12" is kept; a number that does not parse just takes no part in
    # duplicate matching, see crm.lib.duplicates.normalise_phone).
    return check_length


_STATUS_ALIASES = {}
# Other CRMs' lead status labels (Salesforce's standard picklist; Dynamics' "Unqualified"
# view name) → (state, status reason). Dynamics' own reasons are ours already.
EXPORT_STATUS_LABELS = {
    "Open - Not Contacted": (State.OPEN, Status.NEW),
    "Working - Contacted": (State.OPEN, Status.CONTACTED),
    "Closed - Converted": (State.QUALIFIED, Status.QUALIFIED),
    "Closed - Not Converted": (State.DISQUALIFIED, Status.LOST),
    "Unqualified": (State.DISQUALIFIED, Status.LOST),
}


def _status_aliases():
    if not _STATUS_ALIASES:
        for label, (state, status) in EXPORT_STATUS_LABELS.items():
            _STATUS_ALIASES[_normalise_word(label)] = (state.value, status.value)
        for state in State:
            for key in (state.value, str(state.label)):
                _STATUS_ALIASES[_normalise_word(key)] = (state.value, DEFAULT_STATUS[state].value)
        for state, statuses in STATUSES_BY_STATE.items():
            for status in statuses:
                for key in (status.value, str(status.label)):
                    _STATUS_ALIASES.setdefault(_normalise_word(key), (state.value, status.value))
    return _STATUS_ALIASES


def parse_status(text, state_text=""):
    """`state:reason`, a bare state (its default reason) or a bare reason (its state).

    `state_text` is a separate state column (the export writes both)."""
    aliases = _status_aliases()
    state = None
    if state_text:
        try:
            state = State(aliases[_normalise_word(state_text)][0])
        except KeyError:
            raise RowError(
                _("Unknown state %(value)s: use open, qualified or disqualified.")
                % {"value": state_text}
            ) from None
    if ":" in text:
        state_part, _sep, text = text.partition(":")
        try:
            state = State(aliases[_normalise_word(state_part)][0])
        except KeyError:
            raise RowError(_("Unknown state %(value)s.") % {"value": state_part}) from None
    if not text.strip():
        return state, DEFAULT_STATUS[state]
    found = aliases.get(_normalise_word(text))
    if found is not None:
        found_state, status = State(found[0]), Status(found[1])
        if state is None:
            return found_state, status
        if status in STATUSES_BY_STATE[state]:
            return state, status
        raise RowError(
            _("%(status)s is not a status reason of %(state)s leads.")
            % {"status": status.label, "state": state.label}
        )
    raise RowError(
        _(
            "Unknown status %(value)s: use state:reason, e.g. open:contacted, qualified or "
            "disqualified:lost. Status reasons: %(valid)s."
        )
        % {"value": text, "valid": ", ".join(str(status.label) for status in Status)}
    )


class RowConverter:
    """Turns the cells of one row into Lead field values, or raises RowError."""

    def __init__(self, mapping, options, *, user):
        if options.date_format not in DATE_ORDERS:
            raise ImportFileError(
                _("Unknown date format %(name)s: use %(valid)s.")
                % {"name": options.date_format, "valid": ", ".join(DATE_ORDERS)}
            )
        self.mapping = mapping
        self.options = options
        self.user = user
        self.value_maps = {
            name: {str(k).strip(): str(v) for k, v in values.items()}
            for name, values in (options.values or {}).items()
        }
        self.value_maps_folded = {
            name: {k.casefold(): v for k, v in values.items()}
            for name, values in self.value_maps.items()
        }
        # Several columns may fill one field ("Lead Status" and "Converted"): the first
        # column in the mapping's order with a value wins.
        self.columns = {}
        for index, _header, name in mapping.matched:
            self.columns.setdefault(name, []).append(index)
        self.converters = {
            name: _field_converter(name, options.date_format)
            for name in self.columns
            if name not in ("source", "campaign", "owner", "state", "status", "created_at")
            and name not in ("existing_account", "existing_contact")
        }
        # How each field's text is read: its columns in order, its value map (exact and
        # ignoring case), worked out once rather than for every cell of every row.
        self.cell_plans = {
            name: (
                tuple(indexes),
                self.value_maps.get(name),
                self.value_maps_folded.get(name),
            )
            for name, indexes in self.columns.items()
        }
        self.converter_plans = [
            (name, convert, self.cell_plans[name]) for name, convert in self.converters.items()
        ]
        self.sources = {s.name.casefold(): s for s in LeadSource.objects.all()}
        self.campaigns = {}
        if "campaign" in self.columns:
            for campaign in Campaign.objects.all():
                self.campaigns.setdefault(campaign.name.casefold(), campaign)
                if campaign.code:
                    self.campaigns.setdefault(campaign.code.casefold(), campaign)
        self.owners = self._owner_lookup() if "owner" in self.columns or options.owner else {}
        self.default_owner = None
        if options.owner:
            self.default_owner = self.owners.get(options.owner.casefold())
            if self.default_owner is None:
                raise ImportFileError(
                    _("Unknown owner %(name)s (give a username).") % {"name": options.owner}
                )
        self.default_source = None
        if options.source:
            self.default_source = self.sources.get(options.source.casefold())
            if self.default_source is None and not options.create_sources:
                raise ImportFileError(self._unknown_source(options.source))
        self._related_ok = {}
        # Whether _convert_special has anything to do (a column or a default to apply).
        special_fields = {"source", "campaign", "owner", "status", "state", "created_at"}
        special_fields |= {"existing_account", "existing_contact"}
        self.special = bool(
            special_fields & set(self.columns) or options.source or self.default_owner
        )
        # Dates and statuses repeat down a file: each distinct text is parsed once.
        self._parsed = {}
        self._now = timezone.now()

    def _parse(self, parse, *texts):
        key = (parse, *texts)
        try:
            return self._parsed[key]
        except KeyError:
            pass
        value = parse(*texts)  # a RowError is raised again for every row that has it
        if len(self._parsed) >= 10_000:
            self._parsed.clear()  # memory stays flat on files of distinct timestamps
        self._parsed[key] = value
        return value

    def _refresh_now(self):
        """The current time; `self._now` is a lower bound of it (a date before it is in the
        past without asking the clock again, once per row)."""
        self._now = timezone.now()
        return self._now

    def _owner_lookup(self):
        lookup = {}
        for team in Team.objects.filter(is_active=True):
            lookup.setdefault(team.name.casefold(), team)
        for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
            for key in (user.username, user.email, user.get_full_name()):
                if key:
                    lookup[key.casefold()] = user
        return lookup

    def _unknown_source(self, name):
        valid = ", ".join(sorted(s.name for s in self.sources.values()))
        return _("source: unknown source %(name)s. Valid sources: %(valid)s.") % {
            "name": name,
            "valid": valid,
        }

    def _cell(self, cells, name):
        plan = self.cell_plans.get(name)
        return _cell_text(cells, *plan) if plan is not None else ""

    def source_for(self, name):
        source = self.sources.get(name.casefold())
        if source is None:
            if not self.options.create_sources:
                raise RowError(self._unknown_source(name))
            if self.options.dry_run:
                source = LeadSource(name=name)
            else:
                source = LeadSource.objects.create(name=name[:100])
            self.sources[name.casefold()] = source
        return source

    def _related(self, model, text):
        try:
            pk = int(text)
        except ValueError:
            raise RowError(_("Give the record's number.")) from None
        key = (model, pk)
        if key not in self._related_ok:
            self._related_ok[key] = model.objects.filter(pk=pk).exists()
        if not self._related_ok[key]:
            raise RowError(_("There is no record number %(pk)s.") % {"pk": pk})
        return pk

    def convert(self, cells):
        """{field: value} for Lead(**values) plus "owner"; raises RowError listing every bad
        cell of the row."""
        values, problems = {}, []
        for name, convert, plan in self.converter_plans:
            text = _cell_text(cells, *plan)
            if not text:
                continue
            try:
                values[name] = convert(text)
            except RowError as error:
                problems.append(f"{name}: {error}")
        try:
            self._convert_special(cells, values)
        except RowError as error:
            problems.append(str(error))
        if not problems and not (
            values.get("last_name") or values.get("company_name") or values.get("email")
        ):
            problems.append(_("Enter at least a last name, a company name or an e-mail address."))
        if problems:
            raise RowError("; ".join(problems))
        return values

    def _convert_special(self, cells, values):
        if not self.special:
            return
        name = self._cell(cells, "source")
        if name:
            values["source"] = self.source_for(name)
        elif self.default_source is not None or self.options.source:
            values["source"] = self.default_source or self.source_for(self.options.source)
        name = self._cell(cells, "campaign")
        if name:
            try:
                values["campaign"] = self.campaigns[name.casefold()]
            except KeyError:
                raise RowError(
                    _("campaign: unknown campaign %(name)s.") % {"name": name}
                ) from None
        owner = self._cell(cells, "owner")
        if owner:
            try:
                values["owner"] = self.owners[owner.casefold()]
            except KeyError:
                raise RowError(_("owner: no user or team %(name)s.") % {"name": owner}) from None
        elif self.default_owner is not None:
            values["owner"] = self.default_owner
        status, state = self._cell(cells, "status"), self._cell(cells, "state")
        if status or state:
            try:
                values["state"], values["status"] = self._parse(parse_status, status, state)
            except RowError as error:
                raise RowError(f"status: {error}") from None
        created = self._cell(cells, "created_at")
        if created:
            try:
                values["created_at"] = self._parse(
                    parse_datetime, created, True, self.options.date_format
                )
            except RowError as error:
                raise RowError(f"created_at: {error}") from None
            if values["created_at"] > self._now and values["created_at"] > self._refresh_now():
                raise RowError(_("created_at: the creation date is in the future."))
        for name, model in (("existing_account", Account), ("existing_contact", Contact)):
            text = self._cell(cells, name)
            if text:
                try:
                    values[f"{name}_id"] = self._related(model, text)
                except RowError as error:
                    raise RowError(f"{name}: {error}") from None


def dedupe_key(values, external):
    """The row's first key with a value: e-mail, else the external key, else name + company."""
    email = duplicates.normalise_email(values.get("email", ""))[:100]
    if email:
        return ("email", email)
    if external:
        return ("key", external)
    name = duplicates.person_key(values.get("first_name"), values.get("last_name"))[:110]
    company = duplicates.company_key(values.get("company_name"))[:160]
    return ("name", (name, company))


def find_existing(keys, key_name):
    """{key: existing lead id} for a chunk's keys: one query per kind of key present."""
    found = {}
    emails = {value for kind, value in keys if kind == "email"}
    if emails:
        rows = Lead.objects.filter(email_key__in=emails).order_by("-pk")
        found.update({("email", e): pk for pk, e in rows.values_list("pk", "email_key")})
    externals = {value for kind, value in keys if kind == "key"}
    if externals:
        rows = ExternalKey.objects.filter(name=key_name, value__in=externals).order_by("-pk")
        found.update({("key", v): pk for pk, v in rows.values_list("lead_id", "value")})
    pairs = {value for kind, value in keys if kind == "name"}
    if pairs:
        rows = Lead.objects.filter(
            name_key__in={n for n, _c in pairs}, company_key__in={c for _n, c in pairs}
        ).order_by("-pk")
        for pk, name, company in rows.values_list("pk", "name_key", "company_key"):
            if (name, company) in pairs:
                found[("name", (name, company))] = pk
    return found  # ordered newest first, so the oldest lead wins


def callable_default(field):
    return field.has_default() and callable(field.default)


class LeadBuilder:
    """`Lead(**values)` for many rows. Model.__init__ with keywords asks every one of the 60
    fields for its default on every call (a sixth of an import's time); here the constant
    defaults are read once and each lead is built from them.

    Fast path: the instance's attributes are copied from a template (what Model.__init__
    would set them to one by one), then the row's values are stored; related objects
    ("source", "campaign") and names that are not plain fields go through their descriptors,
    as with keywords. It is used only when Model.__init__ would do nothing else: no
    receivers of pre_init / post_init for Lead, and every field stored by a descriptor
    without side effects on a new instance. Otherwise leads are built positionally, as
    Django builds the rows it reads from the database."""

    def __init__(self):
        fields = Lead._meta.concrete_fields
        self.index = {field.attname: i for i, field in enumerate(fields)}
        self.computed = [(i, f) for i, f in enumerate(fields) if callable_default(f)]
        self.constant = [None if callable_default(f) else f.get_default() for f in fields]
        self.fast = self.fast_path_possible()
        if self.fast:
            self.template = {
                f.attname: value for f, value in zip(fields, self.constant, strict=True)
            }
            self.computed_names = [(f.attname, f) for _i, f in self.computed]

    @staticmethod
    def fast_path_possible():
        if signals.pre_init.has_listeners(Lead) or signals.post_init.has_listeners(Lead):
            return False
        for model_field in Lead._meta.concrete_fields:
            descriptor = Lead.__dict__.get(model_field.attname)
            # DeferredAttribute stores into __dict__; ForeignKeyDeferredAttribute also drops
            # a cached related object, which a new instance does not have.
            if type(descriptor) not in (DeferredAttribute, ForeignKeyDeferredAttribute):
                return False
        return True

    def build(self, values):
        if not self.fast:
            return self._build_positionally(values)
        lead = Lead.__new__(Lead)
        lead._state = ModelState()
        attributes = lead.__dict__
        attributes.update(self.template)
        for name, model_field in self.computed_names:
            if name not in values:  # as Model.__init__: no default for a value given
                attributes[name] = model_field.get_default()
        for name, value in values.items():
            if name in self.template:
                attributes[name] = value
            else:
                setattr(lead, name, value)
        return lead

    def _build_positionally(self, values):
        args = self.constant.copy()
        for i, model_field in self.computed:
            args[i] = model_field.get_default()
        related = []
        for name, value in values.items():
            i = self.index.get(name)
            if i is None:
                related.append((name, value))
            else:
                args[i] = value
        lead = Lead(*args)
        for name, value in related:
            setattr(lead, name, value)
        return lead


class LeadStatistics:
    """PostgreSQL: keeps the planner's statistics of the lead table fresh while an import
    grows it, as PostgreSQL's manual advises for bulk loads ("run ANALYZE afterwards").

    The dedupe lookups (e-mail keys of a chunk, name + company keys) are index lookups only
    when the planner knows that the table is large and the keys nearly unique; with stale
    statistics (a table that was small, or a server without autovacuum) it reads the whole
    table for every chunk instead, which made a 1,000,000-row import slow down as it went.
    ANALYZE reads a fixed sample of the table; it runs after a committed chunk whenever
    this import has added more than ANALYZE_AFTER leads and a fifth of what the table held
    when it was last analysed: a handful of times per import. The status log grows with the
    leads (one first entry each) and is analysed with them: the lead list's "leads of this
    import" filter reads it, and with a stale row count PostgreSQL chose a nested loop that
    took 1.5 s instead of 0.25 s for a batch of 100,000 leads."""

    ANALYZE_AFTER = 20_000

    def __init__(self, *, created):
        self.enabled = connection.vendor == "postgresql"
        self.created_at_last = created
        self.table_rows = None

    def chunk_written(self, created):
        if not self.enabled:
            return
        if self.table_rows is None:
            self.table_rows = self._estimated_rows()
        added = created - self.created_at_last
        if added >= max(self.ANALYZE_AFTER, self.table_rows // 5):
            tables = (Lead._meta.db_table, LeadStatusChange._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
            self.created_at_last = created
            self.table_rows = self._estimated_rows()

    @staticmethod
    def _estimated_rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                [connection.ops.quote_name(Lead._meta.db_table)],
            )
            return cursor.fetchone()[0]


# Running an import --------------------------------------------------------------------


@dataclass
class Match:
    line: int
    lead_id: int | None
    kind: str
    action: str


class Importer:
    """Runs one batch: reads its file, writes its leads, records its progress and errors.

    `on_progress(batch)` is called after every committed chunk, `on_match(Match)` for every row
    that matched an existing lead (the command prints them)."""

    def __init__(
        self, batch, path, *, user, on_progress=None, on_match=None, chunk_size=CHUNK_SIZE
    ):
        self.batch = batch
        self.chunk_size = chunk_size
        self.path = path
        self.user = user
        self.options = ImportOptions.from_dict(batch.options)
        self.on_progress = on_progress or (lambda batch: None)
        self.on_match = on_match or (lambda match: None)
        self.owner_counts = Counter(batch.options.get("owner_counts") or {})
        self.seen = set()  # dry runs only: keys of rows that would have been created
        self.builder = LeadBuilder()
        self.statistics = LeadStatistics(created=batch.created)

    def run(self):
        batch, options = self.batch, self.options
        claim_batch(batch)
        started = time.monotonic()
        with CsvSource(
            self.path, encoding=options.encoding, delimiter=options.delimiter
        ) as source:
            mapping = match_columns(source.header, columns=options.columns, key=options.key)
            self.header = source.header
            self.converter = RowConverter(mapping, options, user=self.user)
            self.width = len(source.header)
            chunk = []
            for line, cells, problem in source.rows():
                if line <= batch.last_line:
                    continue  # committed by an earlier run of this batch
                chunk.append((line, cells, problem))
                if len(chunk) >= self.chunk_size:
                    self._write_chunk(chunk)
                    chunk = []
            if chunk:
                self._write_chunk(chunk)
        self.elapsed = time.monotonic() - started
        self.finish()
        return batch

    def _write_chunk(self, chunk):
        if self.options.dry_run:
            self._process_chunk(chunk)
        else:
            with transaction.atomic():
                self._process_chunk(chunk)
            self.statistics.chunk_written(self.batch.created)
        self.on_progress(self.batch)

    def _process_chunk(self, chunk):
        batch, options = self.batch, self.options
        errors, valid = [], []
        key_index = self.converter.mapping.key_index
        for line, cells, problem in chunk:
            try:
                if problem:
                    raise RowError(problem)
                check_width(cells, self.width)
                values = self.converter.convert(cells)
            except RowError as error:
                errors.append(
                    ImportRowError(batch=batch, line=line, cells=cells or [], error=str(error))
                )
                continue
            external = cells[key_index].strip() if key_index is not None else ""
            valid.append((line, cells, values, external, dedupe_key(values, external)))

        existing = {}
        if options.dedupe != "create":
            existing = find_existing({key for *_rest, key in valid}, options.key)
        pending = {}  # key → Lead created earlier in this chunk
        to_create, to_update, keys_of = [], [], []
        for line, cells, values, external, key in valid:
            matched = existing.get(key) if options.dedupe != "create" else None
            if options.dedupe != "create" and (key in pending or key in self.seen):
                batch.skipped += 1
                self.on_match(Match(line, None, key[0], _("earlier row of this file")))
                continue
            if matched is not None:
                if options.dedupe == "update":
                    to_update.append((line, cells, matched, values))
                else:
                    batch.skipped += 1
                    self.on_match(Match(line, matched, key[0], "skipped"))
                continue
            owner = values.pop("owner", None)
            lead = self.builder.build(values)
            if owner is not None:
                lead.owner = owner
            to_create.append(lead)
            keys_of.append(external)
            pending[key] = lead
            if options.dry_run:
                self.seen.add(key)

        if to_update:
            errors.extend(self._update(to_update))
        if to_create and not options.dry_run:
            created = create_leads(
                leads=to_create,
                created_by=self.user,
                route=True,
                validate=False,
                change_reason=batch.change_reason,
            )
            for lead in created:
                if lead.owner_user_id:
                    self.owner_counts[str(lead.owner_user_id)] += 1
            if options.key:
                ExternalKey.objects.bulk_create(
                    [
                        ExternalKey(name=options.key, value=value[:200], lead=lead, batch=batch)
                        for lead, value in zip(created, keys_of, strict=True)
                        if value
                    ],
                    ignore_conflicts=True,
                )
        batch.created += len(to_create)
        batch.rejected += len(errors)
        batch.rows += len(chunk)
        batch.last_line = chunk[-1][0]
        batch.options["owner_counts"] = dict(self.owner_counts)
        ImportRowError.objects.bulk_create(errors)
        batch.progress_at = timezone.now()
        # Saved only while this process still owns the batch: one that was taken over
        # (it made no progress for STALLED_AFTER) stops, its chunk rolled back.
        saved = ImportBatch.objects.filter(pk=batch.pk, runner=batch.runner).update(
            created=batch.created,
            updated=batch.updated,
            skipped=batch.skipped,
            rejected=batch.rejected,
            rows=batch.rows,
            last_line=batch.last_line,
            options=batch.options,
            progress_at=batch.progress_at,
        )
        if not saved:
            raise BatchBusy(ImportBatch.objects.get(pk=batch.pk))

    def _update(self, to_update):
        errors = []
        leads = Lead.objects.in_bulk([pk for _l, _c, pk, _v in to_update])
        for line, cells, pk, values in to_update:
            lead = leads[pk]
            data = {
                name: value
                for name, value in values.items()
                if name not in NOT_UPDATED and getattr(lead, name) != value
            }
            if not data:
                self.batch.skipped += 1
                self.on_match(Match(line, pk, "", "unchanged"))
                continue
            if not (self.user.is_administrator or lead.is_editable_by(self.user)):
                errors.append(
                    ImportRowError(
                        batch=self.batch,
                        line=line,
                        cells=cells,
                        error=_("Matches lead #%(id)s, which you cannot edit.") % {"id": pk},
                    )
                )
                continue
            try:
                if self.options.dry_run:
                    # What update_lead would refuse, without writing: a closed lead, a value
                    # the lead's validation rejects.
                    lead.ensure_editable()
                    for name, value in data.items():
                        setattr(lead, name, value)
                    lead.full_clean()
                else:
                    update_lead(lead=lead, user=self.user, data=data)
            except (DomainError, ValidationError) as error:
                message = "; ".join(getattr(error, "messages", [str(error)]))
                errors.append(
                    ImportRowError(batch=self.batch, line=line, cells=cells, error=message)
                )
                continue
            self.batch.updated += 1
            self.on_match(Match(line, pk, "", "updated"))
        return errors

    def finish(self):
        batch = self.batch
        batch.status = ImportBatch.Status.DONE
        batch.finished_at = timezone.now()
        batch.options.pop("owner_counts", None)
        write_error_file(batch, self.header)
        batch.save()
        if not self.options.dry_run:
            send_digests(batch, self.owner_counts)


def write_error_file(batch, header):
    """The rejected rows as they were, plus `line` and `error`, saved with the batch."""
    if batch.error_file:
        batch.error_file.delete(save=False)
    if not batch.rejected:
        return
    drop = {i for i, name in enumerate(header) if name in ERROR_COLUMNS}
    errors = batch.row_errors.order_by("line")
    # Short rows are padded and long rows get unnamed columns (which a re-import ignores),
    # so `line` and `error` always line up under their headers.
    width = max(len(header), *(len(cells) for cells in errors.values_list("cells", flat=True)))
    columns = [*header, *[""] * (width - len(header))]
    delimiter = batch.options.get("delimiter") or ","
    with tempfile.TemporaryFile("w+b") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=delimiter)
        writer.writerow([h for i, h in enumerate(columns) if i not in drop] + list(ERROR_COLUMNS))
        for error in errors.iterator(chunk_size=2000):
            cells = [*error.cells, *[""] * (width - len(error.cells))]
            cells = [c for i, c in enumerate(cells) if i not in drop]
            writer.writerow([*cells, error.line, error.error])
        text.flush()
        text.detach()
        raw.seek(0)
        stem = Path(batch.file_name).stem[:80] or "import"
        batch.error_file.save(f"{stem}-errors-{batch.pk}.csv", File(raw), save=False)


def send_digests(batch, owner_counts):
    """One e-mail per owner per import (not one per lead)."""
    users = get_user_model().objects.filter(pk__in=[int(pk) for pk in owner_counts])
    for user in users:
        if not user.email or user.pk == batch.created_by_id:
            continue
        count = owner_counts[str(user.pk)]
        enqueue_on_commit(
            send_email,
            to=user.email,
            subject=_("%(count)d new leads for you") % {"count": count},
            body=_("An import (%(name)s) gave you %(count)d new leads.")
            % {"name": batch.file_name, "count": count},
        )


def check_options(path, options, *, user):
    """Raise ImportFileError for what makes the whole import impossible (a mapping naming
    an unknown field or a missing column, an unknown key column, default source or owner)
    before a batch is recorded: exit status 2 then means that nothing was written. Fills in
    the sniffed delimiter; returns the column mapping."""
    with CsvSource(path, encoding=options.encoding, delimiter=options.delimiter) as source:
        options.delimiter = source.delimiter
        mapping = match_columns(source.header, columns=options.columns, key=options.key)
    RowConverter(mapping, options, user=user)  # checks the default source and owner
    return mapping


def start_batch(*, path, user, options, file_name=None, resume=True):
    """The batch for importing `path`: an unfinished batch of the same file with the same
    options is resumed (after a kill), otherwise a new one is recorded."""
    info = inspect_file(path, options.encoding)
    options.encoding = info.encoding
    check_options(path, options, user=user)  # before anything is recorded
    stored = options.to_dict()
    if resume and not options.dry_run:
        for batch in ImportBatch.objects.filter(
            checksum=info.checksum,
            dry_run=False,
            status__in=[ImportBatch.Status.RUNNING, ImportBatch.Status.QUEUED],
        ).order_by("-pk"):
            if {k: v for k, v in batch.options.items() if k in stored} == stored:
                return batch, info, True
    batch = ImportBatch.objects.create(
        file_name=file_name or Path(path).name,
        checksum=info.checksum,
        size=info.size,
        created_by=user,
        options={**stored, "lines": info.lines},
        dry_run=options.dry_run,
        status=ImportBatch.Status.QUEUED,
    )
    return batch, info, False


def claim_batch(batch):
    """Mark the batch running in this process; raise BatchBusy if another live process runs
    it. A compare-and-set on (status, runner, progress_at), so of two processes starting
    the same batch one wins, on SQLite as on PostgreSQL."""
    now, runner = timezone.now(), current_runner()
    current = ImportBatch.objects.get(pk=batch.pk)
    if current.status == ImportBatch.Status.RUNNING and current.runner != runner:
        if not current.is_stalled(now):
            raise BatchBusy(current)
    elif current.status != ImportBatch.Status.QUEUED:
        raise ImportFileError(
            _("Import #%(id)s is %(status)s: start it again from the Imports page.")
            % {"id": batch.pk, "status": current.get_status_display()}
        )
    started_at = current.started_at or now
    claimed = ImportBatch.objects.filter(
        pk=batch.pk,
        status=current.status,
        runner=current.runner,
        progress_at=current.progress_at,
    ).update(
        status=ImportBatch.Status.RUNNING, runner=runner, progress_at=now, started_at=started_at
    )
    if not claimed:
        raise BatchBusy(ImportBatch.objects.get(pk=batch.pk))
    batch.status, batch.runner, batch.progress_at = ImportBatch.Status.RUNNING, runner, now
    batch.started_at = started_at


def reset_batch(batch, *, dry_run):
    """Prepare an uploaded batch for a (new) dry run or the real import."""
    batch.row_errors.all().delete()
    if batch.error_file:
        batch.error_file.delete(save=False)
    batch.dry_run = dry_run
    batch.options = {**batch.options, "dry_run": dry_run}
    batch.status = ImportBatch.Status.QUEUED
    batch.last_line = batch.rows = 0
    batch.created = batch.updated = batch.skipped = batch.rejected = 0
    batch.started_at = batch.finished_at = None
    batch.message = ""
    batch.progress_at, batch.runner = timezone.now(), ""
    batch.save()


@contextmanager
def local_copy(batch):
    """A local path to the batch's uploaded file (Django storage may be remote)."""
    try:
        yield batch.file.path
        return
    except NotImplementedError:
        pass
    with batch.file.open("rb") as stored, tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        while chunk := stored.read(1 << 20):
            copy.write(chunk)
        copy.flush()
        yield copy.name


def run_stored_batch(batch):
    """Run a browser batch (its uploaded file) to the end; resumes after `last_line`.

    Dates without a time zone are read in the importing user's, as the mapping page's
    preview (a request) read them: a worker process has no user and would use the server's."""
    user = batch.created_by
    with local_copy(batch) as path, timezone.override(user.zone if user else None):
        try:
            return Importer(batch, path, user=user).run()
        except BatchBusy:
            raise  # the batch is another process's: leave it alone
        except ImportFileError as error:
            fail_batch(batch, str(error))
            return batch


def fail_batch(batch, message):
    """Record that a batch stopped (its committed chunks stay; it can be resumed)."""
    batch.status = ImportBatch.Status.FAILED
    batch.message = message
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "message", "finished_at"])


# Preview (browser) ---------------------------------------------------------------------


@dataclass
class Preview:
    header: list
    mapping: ColumnMapping
    rows: list  # (line, cells, values or None, error)
    delimiter: str
    encoding: str


def preview(path, options, *, user, limit=10):
    """The detected (or given) mapping and the first rows converted, nothing written."""
    info_encoding = options.encoding or inspect_file(path).encoding
    with CsvSource(path, encoding=info_encoding, delimiter=options.delimiter) as source:
        mapping = match_columns(source.header, columns=options.columns, key=options.key)
        converter = RowConverter(
            mapping, ImportOptions(**{**options.to_dict(), "dry_run": True}), user=user
        )
        rows = []
        for line, cells, problem in source.rows():
            values, error = None, problem
            if not problem:
                try:
                    check_width(cells, len(source.header))
                    values = converter.convert(cells)
                except RowError as exc:
                    error = str(exc)
            rows.append((line, cells, values, error))
            if len(rows) >= limit:
                break
        return Preview(source.header, mapping, rows, source.delimiter, info_encoding)
