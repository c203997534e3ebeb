"""The messages `makemessages` would extract, found without GNU gettext, for
crm/tests/test_i18n.py: Python files are read token by token for the calls xgettext knows;
templates go through Django's own `templatize` (what makemessages hands xgettext) first."""

import io
import re
import tokenize
from ast import literal_eval
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

# What `makemessages` scans (make messages): its default extensions, these folders left out.
EXTENSIONS = {".py", ".html", ".txt"}
IGNORED = {".venv", "bench", "e2e", "node_modules", "staticfiles", "media", "locale"}
# The names xgettext reads as translation calls (its Python defaults and makemessages'
# --keyword options) and where each finds its context, singular and plural.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
SKIPPED_TOKENS = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT}


def source_files():
    base = Path(settings.BASE_DIR)
    for path in sorted(base.rglob("*")):
        parts = path.relative_to(base).parts
        if path.suffix not in EXTENSIONS or not path.is_file():
            continue
        if any(part in IGNORED or part.startswith(".") for part in parts[:-1]):
            continue
        yield path


def _string_arguments(code, start):
    """The leading string-literal arguments of the call whose "(" is at `code[start]`
    (adjacent literals joined, as Python joins them); stops at the first other argument."""
    arguments, current = [], None
    # From the "(" itself, so the lines inside the call are continuation lines.
    tokens = tokenize.generate_tokens(io.StringIO(code[start:]).readline)
    next(tokens)
    try:
        for token in tokens:
            if token.type in SKIPPED_TOKENS:
                continue
            if token.type == tokenize.STRING:
                current = (current or "") + literal_eval(token.string)
            elif token.type == tokenize.OP and token.string == "," and current is not None:
                arguments.append(current)
                current = None
            else:
                break
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    if current is not None:
        arguments.append(current)
    return arguments


CALL = re.compile(r"(?<![\w.])(?:\w+\.)?(" + "|".join(KEYWORDS) + r")\s*\(")


def messages_in(code):
    """(context, message, plural) of each translation call in Python-like `code`."""
    found = set()
    for call in CALL.finditer(code):
        context, singular, plural = KEYWORDS[call.group(1)]
        arguments = _string_arguments(code, call.end() - 1)
        needed = max(n for n in (context, singular, plural) if n is not None) + 1
        if len(arguments) < needed:
            continue
        found.add(
            (
                arguments[context] if context is not None else None,
                arguments[singular],
                arguments[plural] if plural is not None else None,
            )
        )
    return found


def extracted_messages():
    """Every message of the project's code and templates, as makemessages would find it."""
    found = set()
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            text = templatize(text, origin=str(path))
        found |= messages_in(text)
    return found
