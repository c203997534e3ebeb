"""crm.lib.bulk stores the same rows as bulk_create, for the widest model we have (Lead)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from crm.lib.bulk import insert_objects, insert_rows
from leads.models import Lead
from leads.routing.models import AssignmentExplanation
from leads.tests.factories import lead_data, web_source

pytestmark = pytest.mark.django_db


def new_lead(user, **overrides):
    lead = Lead(
        **lead_data(
            annual_revenue=Decimal("1234.50"),
            number_of_employees=12,
            do_not_email=True,
            estimated_close_date=date(2025, 1, 31),
            created_at=datetime(2024, 5, 23, 10, 30, tzinfo=UTC),
            source=web_source(),
            **overrides,
        )
    )
    lead.owner = user
    lead.stamp(user)
    lead.refresh_keys()
    return lead


def stored(lead):
    names = [
        f.attname for f in Lead._meta.concrete_fields if f.attname not in ("id", "modified_at")
    ]
    return Lead.objects.filter(pk=lead.pk).values(*names).get()


def test_insert_objects_stores_what_bulk_create_stores(alice):
    (by_django,) = Lead.objects.bulk_create([new_lead(alice)])
    (lean,) = insert_objects([new_lead(alice)])

    assert lean.pk is not None and lean.pk != by_django.pk
    assert not lean._state.adding
    assert stored(lean) == stored(by_django)
    assert stored(lean)["annual_revenue"] == Decimal("1234.50")
    assert stored(lean)["created_at"] == datetime(2024, 5, 23, 10, 30, tzinfo=UTC)
    assert Lead.objects.get(pk=lean.pk).modified_at is not None  # auto_now was asked


def test_insert_objects_returns_the_keys_in_order(alice):
    leads = insert_objects([new_lead(alice, last_name=f"Hansen {n}") for n in range(7)])

    for lead in leads:
        assert Lead.objects.get(pk=lead.pk).last_name == lead.last_name


def test_insert_objects_refuses_stored_objects(alice):
    (lead,) = insert_objects([new_lead(alice)])

    with pytest.raises(ValueError):
        insert_objects([lead])


def test_insert_rows_writes_json_and_nulls(alice):
    (lead,) = insert_objects([new_lead(alice)])
    candidates = [{"user_id": alice.pk, "name": "Alice", "status": "chosen", "open_leads": 3}]

    columns = ["lead_id", "kind", "outcome", "rule_id", "rule_name", "distribution"]
    columns += ["candidates", "passed_over", "owner_user_id", "created_at"]
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    row = (lead.pk, "routed", "default", None, "", "", candidates, [], alice.pk, now)

    insert_rows(AssignmentExplanation, columns, [row])

    explanation = AssignmentExplanation.objects.get(lead=lead)
    assert explanation.candidates == candidates
    assert explanation.passed_over == []
    assert explanation.owner == alice
    assert explanation.rule is None
    assert explanation.created_at == now
