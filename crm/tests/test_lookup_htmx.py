"""A lookup's search box sends its own htmx request whatever the form around it sets: the
qualify form's hx-select of its preview once filtered the lookup's options away (issue 15)."""

import re

import pytest
from django.urls import reverse

from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

RESET = {
    "hx-select": "unset",
    "hx-select-oob": "unset",
    "hx-swap": "innerHTML",
    "hx-vals": "unset",
    "hx-confirm": "unset",
    "hx-push-url": "false",
}


def _search_boxes(html):
    return re.findall(r"<input type=\"search\"[^>]*data-lookup-search[^>]*>", html, re.S)


def test_every_lookup_of_the_qualify_page_resets_what_the_form_sets(as_alice, alice):
    lead = make_lead(owner=alice)

    html = as_alice.get(reverse("leads:qualify", args=[lead.pk])).content.decode()

    assert 'hx-select="#qualify-preview"' in html  # the form's own, which must not reach them
    boxes = _search_boxes(html)
    names = sorted(re.search(r'name="(\w+)__search"', box)[1] for box in boxes)
    assert names == ["account", "contact", "existing_opportunity"]
    for box in boxes:
        for attribute, value in RESET.items():
            assert f'{attribute}="{value}"' in box, (attribute, box)
        assert re.search(r'hx-target="#id_\w+-options"', box)


def test_the_lead_forms_lookups_reset_them_too(as_alice):
    html = as_alice.get(reverse("leads:create")).content.decode()

    boxes = _search_boxes(html)
    assert len(boxes) == 2
    assert all('hx-select="unset"' in box for box in boxes)
