"""The normalised text a record is searched by, and the terms a typed query is matched with.

One definition for both databases: the searchable text is made in Python (the model's save(),
the bulk builder, the rebuild command, the benchmark generator's lookup tables) and stored in
a column; a query matches it with `LIKE '%term%'` per term (a trigram GIN index serves that on
PostgreSQL). Folding: case-insensitive, accents dropped ("José" -> "jose", "Søren" -> "soren"),
whitespace single; phone numbers are stored as their digits only, so "+45 20-12" and
"452012" find the same lead.
"""

import re
import unicodedata

import phonenumbers
from django.conf import settings

from crm.lib.duplicates import _FOLD

# A query made of these characters only (and at least 3 digits) is a phone number: its
# spaces and dashes are part of the number, so it is one term of digits.
_PHONE_QUERY = re.compile(r"^[\d\s()./+-]+$")
_NON_DIGITS = re.compile(r"\D+")

# Terms shorter than this cannot use a trigram index (they still match, by a scan of the
# rows the other terms or filters leave).
TRIGRAM = 3


def fold(value):
    """Lower-case, accent-free form of `value`, whitespace single.

    >>> fold("  José  Sørensen ")
    'jose sorensen'
    """
    text = (value or "").casefold().translate(_FOLD)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def digits(value):
    return _NON_DIGITS.sub("", value or "")


def search_text(texts=(), phones=()):
    """The stored searchable text: each of `texts` folded, then each of `phones` as digits,
    joined by single spaces (blank parts kept, so the layout is fixed: the benchmark
    generator builds the same string in SQL)."""
    return " ".join([*(fold(text) for text in texts), *(digits(phone) for phone in phones)])


def phone_term(query):
    """The digits a phone-like query is matched by: the number without its country code or
    trunk prefix (its national significant number, read in settings.PHONE_REGION), which
    every way of writing the number contains, so "+45 33 12 34 56", "0045 33 12 34 56" and
    "33123456" all find a number stored as "33 12 34 56" or "+4533123456"; the plain digits
    when it does not parse as a number or leaves fewer than three."""
    plain = digits(query)
    try:
        number = phonenumbers.parse(query, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return plain
    national = phonenumbers.national_significant_number(number)
    return national if len(national) >= TRIGRAM and national in plain else plain


def search_terms(query):
    """The terms a typed query is matched by, each against the stored text (all must match):
    a phone-like query is one term of its digits (phone_term); otherwise each word folded."""
    query = (query or "").strip()
    if _PHONE_QUERY.match(query) and len(digits(query)) >= TRIGRAM:
        return [phone_term(query)]
    return list(dict.fromkeys(fold(query).split()))
