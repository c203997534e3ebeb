"""`{{ lead|display:"status" }}` (crm/templatetags/choices.py) shows what
`lead.get_status_display` shows, for every choice of every field with choices, and for a value
the choices do not hold."""

import pytest
from django.utils import translation

from crm.templatetags.choices import display
from leads.models import Lead

CHOICE_FIELDS = [field for field in Lead._meta.fields if field.choices]


@pytest.mark.parametrize("field", CHOICE_FIELDS, ids=lambda field: field.name)
def test_display_shows_what_get_display_shows(field):
    values = [value for value, _label in field.flatchoices] + [None, "not-a-choice"]
    for value in values:
        lead = Lead(**{field.attname: value})
        assert display(lead, field.name) == getattr(lead, f"get_{field.name}_display")()


def test_display_follows_the_active_language():
    lead = Lead(status="new")
    with translation.override("en"):
        assert display(lead, "status") == "New"
    with translation.override("de"):  # no German catalogue: the same words, its own entry
        assert display(lead, "status") == lead.get_status_display()
