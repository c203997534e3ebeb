"""The lead admin's change form makes the pages' lost-update check."""

from django.urls import reverse

from crm.tests.admin_forms import change_form_data
from leads import services
from leads.tests.factories import make_lead


def test_a_stale_lead_admin_save_is_refused(as_admin, alice, bob):
    lead = make_lead(owner=alice, topic="Laptops")
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    page = as_admin.get(url)
    assert page.context["adminform"].form["expected_version"].value() == lead.version
    data = change_form_data(page, topic="Laptops (admin)")
    services.update_lead(lead=lead, user=bob, data={"topic": "Laptops (Bob)"})

    response = as_admin.post(url, data)

    assert response.status_code == 200
    (error,) = response.context["adminform"].form.non_field_errors()
    assert error.startswith("Bob Berg changed this record at ")
    lead.refresh_from_db()
    assert lead.topic == "Laptops (Bob)"


def test_a_fresh_lead_admin_save_goes_through(as_admin, alice):
    lead = make_lead(owner=alice, topic="Laptops")
    url = reverse("admin:leads_lead_change", args=[lead.pk])

    response = as_admin.post(url, change_form_data(as_admin.get(url), topic="Tablets"))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.topic, lead.version) == ("Tablets", 2)


def test_adding_a_lead_in_the_admin_needs_no_version(as_admin, alice):
    response = as_admin.get(reverse("admin:leads_lead_add"))

    assert response.context["adminform"].form["expected_version"].value() is None
