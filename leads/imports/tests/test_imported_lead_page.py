"""A lead imported as qualified has no qualification row (the import links no records): its
page says so and names the batch instead of "Not qualified yet" (issue 15)."""

import pytest
from django.urls import reverse

from leads.imports.tests.conftest import write_csv
from leads.models import Lead, State
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_a_lead_imported_qualified_names_its_batch(tmp_path, import_leads, as_admin):
    path = write_csv(
        tmp_path / "in.csv",
        [["Last Name", "Company", "Status"], ["Cruz", "Northwind", "qualified"]],
    )
    assert import_leads(path).status == 0
    lead = Lead.objects.get(last_name="Cruz")
    assert lead.state == State.QUALIFIED
    batch = lead.status_changes.get().reason.removeprefix("Import batch #")

    content = as_admin.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert f"Qualified by import #{batch} (no records linked)." in content
    assert "Not qualified yet" not in content


def test_an_open_lead_is_still_not_qualified_yet(as_alice, alice):
    lead = make_lead(owner=alice)
    content = as_alice.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Not qualified yet." in content
    assert "Qualified by import" not in content


def test_another_team_cannot_see_the_imported_lead(tmp_path, import_leads, as_carol):
    path = write_csv(tmp_path / "in.csv", [["Last Name", "Status"], ["Cruz", "qualified"]])
    assert import_leads(path).status == 0
    lead = Lead.objects.get(last_name="Cruz")
    assert as_carol.get(reverse("leads:detail", args=[lead.pk])).status_code == 404
