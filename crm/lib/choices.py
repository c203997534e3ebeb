"""The one empty choice of every select: Django's own for a model field's blank choice
("- Select an option -", Danish "- Vælg en valgmulighed -"), so that a form, a filter and a
list read the same."""

from django.utils.translation import gettext_lazy as _

EMPTY_CHOICE = _("- Select an option -")
