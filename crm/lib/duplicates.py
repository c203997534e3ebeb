"""Pure normalising and matching helpers for duplicate detection.

Shared by accounts, contacts and leads (entry, qualification, import). Nothing here touches
the database: each app stores the normalised keys on its own rows (indexed), narrows the
candidates with them, and scores only those candidates with `name_similarity`.

Stable public API: `normalise_email`, `normalise_phone`, `normalise_name`, `company_key`,
`person_key`, `company_domain`, `website_domain`, `name_words`, `word_sound`,
`sound_key`, `name_similarity`, `Match`, `rank_matches`, `NAME_THRESHOLD`.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from rapidfuzz import fuzz

# Names scoring at least this (0..100) count as "similar".
NAME_THRESHOLD = 85

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Dots, slashes and apostrophes join their neighbours ("A/S" -> "as", "S.A." -> "sa",
# "O'Brien" -> "obrien"); every other non-alphanumeric character separates words.
_JOINERS = re.compile(r"[./'’`´]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")

# Legal-form words dropped from the end of company names ("Acme Inc." == "ACME, Inc").
LEGAL_SUFFIXES = frozenset(
    """
    inc incorporated corp corporation co company ltd limited llc llp lp plc
    gmbh ag kg ohg ug mbh aps as asa ab oy oyj ivs amba smba is ks
    sa sas sarl srl spa sl bv nv vof cv pty pte bhd kk se
    """.split()  # noqa: SIM905 (a word list reads better than 40 quoted strings)
)

# Personal mail providers: sharing one says nothing about working for the same company.
FREE_MAIL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com hotmail.com hotmail.dk live.com live.dk outlook.com outlook.dk
    msn.com yahoo.com yahoo.dk yahoo.co.uk icloud.com me.com mac.com aol.com gmx.com gmx.de
    gmx.net web.de mail.com proton.me protonmail.com mail.dk jubii.dk sol.dk
    """.split()  # noqa: SIM905 (a word list reads better than 40 quoted strings)
)


def normalise_email(value):
    """Lower-cased, trimmed e-mail address, or "" when `value` holds no address.

    >>> normalise_email("  Anna.Hansen@Example.COM ")
    'anna.hansen@example.com'
    """
    text = (value or "").strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    text = text.strip("<> \t")
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain:
        return ""
    return f"{local}@{domain}"


def normalise_phone(value, region=None):
    """The number in E.164 form (`+4533881100`), or "" when it cannot be parsed.

    Numbers without a country code are read in `region` (default: settings.PHONE_REGION).
    A number that does not parse is never an error: the caller keeps it as typed and it
    simply takes no part in phone matching.
    """
    text = (value or "").strip()
    if not text:
        return ""
    return _e164(text, region or settings.PHONE_REGION)


# Parsing is the slow part of saving a lead (imports repeat the same switchboard numbers).
@functools.lru_cache(maxsize=4096)
def _e164(text, region):
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_name(value):
    """Case-, accent- and punctuation-insensitive form of a name, words single-spaced.

    >>> normalise_name("  Søren  Ålund-Østergård ")
    'soren alund ostergard'
    """
    text = (value or "").casefold().translate(_FOLD)
    if not text.isascii():  # ASCII has nothing to decompose (most names: skip the work)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("&", " and ")
    text = _JOINERS.sub("", text)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def company_key(value):
    """A company name without legal form, case, accents or punctuation.

    >>> company_key("ACME, Inc") == company_key("Acme Inc.") == "acme"
    True
    """
    words = normalise_name(value).split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def person_key(first_name, last_name):
    """Normalised "first last" of a person (middle names left out)."""
    return normalise_name(f"{first_name or ''} {last_name or ''}")


def company_domain(email):
    """The domain of an e-mail address, or "" for free-mail providers and bad addresses."""
    domain = normalise_email(email).rpartition("@")[2]
    if domain.startswith("www."):
        domain = domain[4:]
    return "" if domain in FREE_MAIL_DOMAINS else domain


def website_domain(url):
    """The host of a website address without "www." ("https://www.Acme.com/x" -> "acme.com")."""
    text = (url or "").strip().lower()
    if not text:
        return ""
    if "://" not in text:
        text = f"http://{text}"
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


# Words that say nothing about which company a name means: left out of the word keys.
FILLER_WORDS = frozenset({"and", "og", "und", "et", "of", "the", "de", "der", "den", "det"})


def name_words(key):
    """The distinctive words of a normalised name key, in order, each once.

    >>> name_words("the widget and gadget")
    ['widget', 'gadget']
    """
    words = []
    for word in (key or "").split():
        if word not in FILLER_WORDS and word not in words:
            words.append(word)
    return words or (key or "").split()[:1]


_SOUNDS = (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("z", "s"), ("w", "v"))
_VOWELS = re.compile(r"(?<=.)[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")


def word_sound(word):
    """A rough sound of one word: the first letter, then its consonants with the usual
    spelling variants folded (c/k/q, z/s, w/v, ph/f) and doubled letters collapsed.

    >>> word_sound("fabricam") == word_sound("fabrikam") == "fbrkm"
    True
    """
    for spelling, sound in _SOUNDS:
        word = word.replace(spelling, sound)
    return _REPEATS.sub(r"\1", _VOWELS.sub("", word)) or word


def sound_key(key):
    """The sounds of the distinctive words in alphabetical order: a typo that keeps the sound
    ("Fabricam" for "Fabrikam") or another word order still gives the same key."""
    return " ".join(sorted(word_sound(word) for word in name_words(key)))


def name_similarity(a, b):
    """How alike two names are, 0 (nothing in common) to 100 (same after normalising).

    Word order does not matter ("Hansen Anna" == "Anna Hansen"). Empty names score 0.
    """
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0
    return round(fuzz.token_sort_ratio(left, right))


@dataclass(frozen=True)
class Match:
    """A likely duplicate: the matching record, a score 0..100 and why it matched.

    `reasons` are short, translated phrases shown to the user ("same e-mail address").
    `sure`: the same record beyond doubt (the same e-mail address, the same normalised name,
    or phone and name), so a form may preselect it; the others stay suggestions.
    """

    record: object
    score: int
    reasons: tuple = field(default_factory=tuple)
    sure: bool = False


def rank_matches(matches, *, limit=10):
    """Best first (score, then the record's primary key for a stable order), at most `limit`."""
    ordered = sorted(matches, key=lambda match: (-match.score, getattr(match.record, "pk", 0)))
    return ordered[:limit]
