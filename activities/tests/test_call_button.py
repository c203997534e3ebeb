"""The "Call" button (activities.templatetags.timeline.call_button) and the "Log a call" form
it opens filled in."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from accounts.tests.factories import ContactFactory
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_the_button_dials_and_names_the_form_to_open(alice):
    lead = make_lead(owner=alice, mobile_phone="+45 20-30 40 50")
    html = Template("{% load timeline %}{% call_button lead lead.mobile_phone 'Åse' %}").render(
        Context({"lead": lead})
    )
    assert 'href="tel:+4520304050"' in html
    log = reverse("activities:quick_add", args=["leads.lead", lead.pk, "phone_call"])
    assert f'data-call-log="{log}?phone=%2B45+20-30+40+50&amp;person=%C3%85se"' in html
    assert f'data-call-target="#timeline-leads-lead-{lead.pk}-form"' in html
    blank = Template("{% load timeline %}{% call_button lead '' %}").render(
        Context({"lead": lead})
    )
    assert blank == ""


def test_the_log_a_call_form_is_filled_in(as_alice, alice):
    contact = ContactFactory(owner_user=alice, first_name="Ib", last_name="Holm")
    url = reverse("activities:quick_add", args=["accounts.contact", contact.pk, "phone_call"])
    form = as_alice.get(url, {"phone": "+45 70 80 90 10", "person": "Ib Holm"}).context["form"]
    assert form.initial["subject"] == "Call to +45 70 80 90 10"
    assert form.initial["other_party"] == "Ib Holm"
    assert form.initial["direction"] == "outgoing" and form.initial["completed"] is True
    assert form.initial["due_at"] is not None
    assert "subject" not in as_alice.get(url).context["form"].initial  # plain "Log a call"


def test_no_button_for_a_lead_that_must_not_be_phoned_or_is_closed(as_alice, alice):
    quiet = make_lead(owner=alice, mobile_phone="+45 20 30 40 50", do_not_phone=True)
    assert (
        'data-testid="call-button"' not in as_alice.get(quiet.get_absolute_url()).content.decode()
    )
    lead = make_lead(owner=alice, mobile_phone="+45 20 30 40 50")
    assert 'data-testid="call-button"' in as_alice.get(lead.get_absolute_url()).content.decode()
