"""`manage.py compilemessages` without GNU gettext: the set-up (bin/bootstrap) compiles the
committed .po catalogues into the .mo files Django reads, on machines that have no msgfmt (a
fresh laptop, CI). polib writes the same .mo; a catalogue whose placeholders differ from
its messages' is refused, as `msgfmt --check-format` refuses it."""

import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _placeholders(text):
    return set(PLACEHOLDER.findall(text))


def placeholder_problems(catalogue):
    """Entries whose translation names other placeholders than their message."""
    problems = []
    for entry in catalogue.translated_entries():
        if not entry.msgid_plural:
            if _placeholders(entry.msgstr) != _placeholders(entry.msgid):
                problems.append(entry.msgid)
            continue
        wanted = _placeholders(entry.msgid_plural)
        for form, text in entry.msgstr_plural.items():
            found = _placeholders(text)
            # A singular may leave its count out ("Open the lead", not "Open the 1 lead").
            if found != wanted and not (form == 0 and found <= wanted):
                problems.append(entry.msgid)
    return problems


class Command(BaseCommand):
    help = "Compile the .po catalogues under LOCALE_PATHS into .mo files (no msgfmt needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale", "-l", action="append", default=[], help="Only these languages."
        )

    def handle(self, *args, **options):
        for folder in settings.LOCALE_PATHS:
            for po_path in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
                language = po_path.parent.parent.name
                if options["locale"] and language not in options["locale"]:
                    continue
                catalogue = polib.pofile(str(po_path))
                if problems := placeholder_problems(catalogue):
                    raise CommandError(
                        f"{po_path}: the placeholders of these translations differ from their "
                        f"messages': {problems[:5]}"
                    )
                mo_path = po_path.with_suffix(".mo")
                # The .mo is rewritten only when the .po is newer, so a set-up run stays quick.
                if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                    # Written aside and moved into place: a running server never reads half.
                    partial = mo_path.with_suffix(".mo.partial")
                    catalogue.save_as_mofile(str(partial))
                    partial.replace(mo_path)
                    if options["verbosity"] > 0:
                        self.stdout.write(f"compiled {po_path}")
