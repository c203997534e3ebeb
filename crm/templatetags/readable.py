"""`{% load readable %}`: numbers, money and phone numbers as people read them.

Everything goes through Django's localisation (the active language's format module,
crm/formats/<lang>/formats.py) so a new language only adds its formats and translations.
Amounts are grouped by thousands here, not by USE_THOUSAND_SEPARATOR, so ids and versions
rendered with `{{ }}` into URLs, inputs and data attributes stay machine-readable."""

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import get_format_modules
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def grouped(value, decimals):
    """The number rounded half up to `decimals` places in the active language's separators,
    grouped by thousands (Django's floatformat with "g")."""
    return floatformat(value, f"{decimals}g")


@register.filter
def money(value, currency=None):
    """`{{ amount|money:currency }}` -> "EUR 1,234,567.50" ("€ 1.234.567,50" in Danish).
    `currency` is a Currency (its code is used) or an ISO code; without one, the
    organisation's base currency. Empty for no amount, so `|default:"—"` works."""
    amount = _decimal(value)
    if amount is None:
        return ""
    code = getattr(currency, "code", currency) or settings.BASE_CURRENCY
    values = {"currency": code, "amount": grouped(amount, 2)}
    pattern = _money_formats().get(code)
    if pattern is None:
        # Translators: an amount of money; reorder for languages that write the code after it.
        pattern = _("%(currency)s %(amount)s")
    return pattern % values


def _money_formats():
    """The active language's MONEY_FORMATS (crm/formats/<lang>/formats.py): how it writes an
    amount in a given currency ("250.000,00 kr."); {} when it has none."""
    for module in get_format_modules(get_language()):
        if hasattr(module, "MONEY_FORMATS"):
            return module.MONEY_FORMATS
    return {}


@register.filter
def percent(value, whole=1):
    """`{{ rate|percent }}` for a fraction (0.6667 -> "66.7 %"), `{{ points|percent:100 }}`
    for a value already in percent. One decimal; empty for no value."""
    number = _decimal(value)
    if number is None:
        return ""
    points = number * 100 / Decimal(whole)
    # Translators: a percentage.
    return _("%(value)s %%") % {"value": grouped(points, 1)}


@register.filter
def count(value):
    """`{{ n|count }}` -> "12,345": a count grouped by thousands."""
    number = _decimal(value)
    return "" if number is None else grouped(number, 0)


_NOT_DIALLED = re.compile(r"[^\d+]")


def dialled_number(value):
    """What a `tel:` link dials for a number as typed: its digits and a leading +; "" when
    it has none."""
    dialled = _NOT_DIALLED.sub("", str(value or "").strip())
    dialled = dialled[:1] + dialled[1:].replace("+", "")
    return dialled if dialled.strip("+") else ""


@register.filter
def tel(value):
    """`{{ phone|tel }}` -> a `tel:` link showing the number as typed; empty for none."""
    if not value or not str(value).strip():
        return ""
    shown = str(value).strip()
    dialled = dialled_number(shown)
    if not dialled:
        return shown
    return format_html('<a href="tel:{}" class="tel">{}</a>', dialled, shown)


@register.filter
def age(value):
    """`{{ lead.created_at|age }}` -> "today", "1 day", "12 days": how long ago, in whole days
    (a card's age on a board)."""
    if not value:
        return ""
    days = (timezone.now() - value).days
    if days < 1:
        return _("today")
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": grouped(days, 0)}


@register.filter
def reason(stored):
    """A stored reason (English, crm/history.py) in the reader's language; text a person
    typed is shown as typed."""
    from crm.history import describe_reason

    return describe_reason(stored)
