"""Text in every language of the site."""

from django.conf import settings
from django.utils import translation


def in_every_language(*labels):
    """Each lazy label as each language of the site writes it, in the order of LANGUAGES: a
    Danish file (a spreadsheet, an export, an error file) is read the same by an English user
    or worker."""
    texts = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts.extend(str(label) for label in labels)
    return texts
