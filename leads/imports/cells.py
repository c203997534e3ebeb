"""Cells as text -> values: dates, amounts, yes/no, choices, statuses and the lead form's
field rules, one converter per field. Pure functions of the text (no queries), so they are
tested without a database."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from crm.lib.i18n import in_every_language
from leads.models import DEFAULT_STATUS, STATUSES_BY_STATE, Lead, State, Status

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


class RowError(Exception):
    pass


def _normalise_word(text):
    return " ".join(re.sub(r"[\s_\-:]+", " ", (text or "").casefold()).split())


# A whole number grouped in threes by points: "3.000", "1.250.000" (Danish thousands).
_POINT_GROUPED = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})+")


def decimal_comma_file(delimiter, language=None):
    """Whether a file writes decimal commas (and points between thousands): Excel in a
    decimal-comma locale (Danish) separates columns with ";"; a "," file writes decimal
    points; a tab file follows the uploader's language (default: the active one)."""
    if delimiter == ";":
        return True
    if delimiter == ",":
        return False
    with translation.override(language or translation.get_language()):
        return get_format("DECIMAL_SEPARATOR") == ","


def parse_decimal(text, decimal_comma=False):
    """Amounts as exports write them: `1234.5`, `1,234,567.50`, `1.234.567,50`, `2500,75`,
    `1 234,5`. With both separators the last one is the decimal point; one kind repeated
    (`1,234,567`, `1.234.567`) separates thousands; a single comma is a decimal comma. In a
    `decimal_comma` file a single point between groups of three separates thousands too
    (`3.000` is three thousand); elsewhere it is a decimal point (`12.50`)."""
    text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if decimal_comma and "," not in text and _POINT_GROUPED.fullmatch(text):
        text = text.replace(".", "")
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
        for text in in_every_language(label):
            lookup.setdefault(_normalise_word(text), value)
        lookup[_normalise_word(str(label))] = value  # the active language's wins
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


def field_converter(name, date_order="auto", decimal_comma=False):
    """A function text → value applying the lead form's rules for one field (dates read
    in `date_order`, one of DATE_ORDERS; numbers as parse_decimal reads `decimal_comma`)."""
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
        # The field's own validators, the ones the lead form and the API run: digits and
        # places, and the lead's rules (an amount is never negative: leads.models.NOT_NEGATIVE).
        validators = model_field.validators

        def convert_decimal(text):
            value = parse_decimal(text, decimal_comma)
            try:
                for validator in validators:
                    validator(value)
            except ValidationError as error:
                raise RowError(" ".join(error.messages)) from None
            return value

        return convert_decimal
    if isinstance(model_field, models.IntegerField):

        def convert_int(text):
            try:
                grouping = "." if decimal_comma else ","
                value = int(text.replace(" ", "").replace(grouping, ""))
            except ValueError:
                raise RowError(_("Enter a whole number.")) from None
            if value < 0:
                raise RowError(_("Enter a number of zero or more."))
            try:
                model_field.run_validators(value)  # the form's range checks
            except ValidationError as error:
                raise RowError(" ".join(error.messages)) from None
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
    """Codes and labels in every language ("Åben", "Kontaktet" as well as "Open")."""
    if not _STATUS_ALIASES:
        for label, (state, status) in EXPORT_STATUS_LABELS.items():
            _STATUS_ALIASES[_normalise_word(label)] = (state.value, status.value)
        for state in State:
            for key in (state.value, *in_every_language(state.label)):
                _STATUS_ALIASES[_normalise_word(key)] = (state.value, DEFAULT_STATUS[state].value)
        for state, statuses in STATUSES_BY_STATE.items():
            for status in statuses:
                for key in (status.value, *in_every_language(status.label)):
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
