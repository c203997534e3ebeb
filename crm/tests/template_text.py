"""The templates' text a user reads outside {% translate %} / {% blocktranslate %}, for
crm/tests/test_i18n.py."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

# Attributes a user reads or hears (a screen reader reads aria-label), and the data-
# attributes our scripts show (static/js: confirm(), a search box's placeholder).
VISIBLE_ATTRIBUTES = {
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "alt",
    "label",
    "data-confirm",
    "data-shortcut-placeholder",
}
BUTTON_INPUTS = {"submit", "button", "reset"}
# Not prose: scripts, styles, and code (a header or a key is the same in every language).
RAW = {"script", "style", "code", "kbd", "samp"}
# Blocks whose content is translated as a whole, or never shown.
SKIPPED_BLOCKS = {"blocktranslate", "blocktrans", "comment", "verbatim"}
# Names that are the same in every language.
BRAND_NAMES = {"CRM", "Dynamics 365", "Microsoft", "ReDoc", "OpenAPI", "API", "CSV", "UTM"}
# Stands in for a template tag or variable, so the HTML parser sees the page's shape; not a
# letter, so it never counts as text.
MARK = "\N{OBJECT REPLACEMENT CHARACTER}"
LETTER = re.compile(r"[^\W\d_]")
BLOCK_NAME = re.compile(r"^\s*(\w+)")


def template_files():
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders.append(Path(settings.BASE_DIR) / "crm" / "templates")
    return sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())


def skeleton(source):
    """The template as the HTML parser should see it: text outside translation blocks and
    comments kept, every tag and variable (and what a translation block holds) one MARK."""
    parts = []
    skipping = None  # the end tag of the block whose content is not checked
    for token in Lexer(source).tokenize():
        name = ""
        if token.token_type == TokenType.BLOCK:
            match = BLOCK_NAME.match(token.contents)
            name = match.group(1) if match else ""
        if skipping:
            if name == skipping:
                skipping = None
            continue
        if name in SKIPPED_BLOCKS:
            skipping = "end" + name
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type != TokenType.COMMENT:
            parts.append(MARK)
    return "".join(parts)


def is_text(value):
    value = value.replace(MARK, " ")
    for brand in BRAND_NAMES:
        value = value.replace(brand, " ")
    return bool(LETTER.search(value))


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.raw = (
            0  # inside <script>, <style> or code (a header, a key: the same in every language)
        )

    def handle_starttag(self, tag, attrs):
        if tag in RAW:
            self.raw += 1
        values = dict(attrs)
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            )
            if visible and value and is_text(value):
                self.found.append(f"{tag} {name}={value.strip()!r}")

    def handle_endtag(self, tag):
        if tag in RAW and self.raw:
            self.raw -= 1

    def handle_data(self, data):
        if not self.raw and is_text(data):
            self.found.append(" ".join(data.replace(MARK, " ").split()))


def untranslated_text(source):
    """The text nodes and visible attributes of a template that hold a letter outside the
    translation tags."""
    finder = _TextFinder()
    finder.feed(skeleton(source))
    finder.close()
    return finder.found
