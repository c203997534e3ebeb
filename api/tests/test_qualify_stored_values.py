"""QualifyLead in the API when a stored value is one the forms would refuse (a bulk load's):
a 400 naming the field, never a 500."""

import pytest

from accounts.models import Contact
from leads.models import Lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def _stored_with_bad_contact_method(lead):
    Lead.objects.filter(pk=lead.pk).update(preferred_contact_method=0)
    return Lead.objects.get(pk=lead.pk)


def test_the_api_answers_a_refused_stored_value_with_400_and_the_field(api_as, alice):
    lead = _stored_with_bad_contact_method(make_lead(owner=alice))

    response = api_as(alice).post(
        f"/api/v1/leads/{lead.pk}/qualify/", {"create_contact": True}, format="json"
    )

    assert response.status_code == 400
    assert "preferred_contact_method" in response.json()
    assert not Contact.objects.exists()
