"""crm.lib.bulk stores the same rows as bulk_create, for the widest model we have (Lead)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def many_leads(user, count=7):
    return [
        new_lead(
            user,
            last_name=f"Hansen {n}",
            email=f"anna{n}@fabrikam.example",
            website=f"https://fabrikam{n}.example",
            city=f"Copenhagen {n}",
        )
        for n in range(count)
    ]


def test_many_rows_store_what_bulk_create_stores(alice):
    """The multi-row path (VALUES with "?" on SQLite, COPY on PostgreSQL) stores the same
    values as Django's bulk_create, row for row."""
    by_django = Lead.objects.bulk_create(many_leads(alice))
    lean = insert_objects(many_leads(alice))

    assert [stored(lead) for lead in lean] == [stored(lead) for lead in by_django]
    assert len({lead.pk for lead in lean} | {lead.pk for lead in by_django}) == 14


def test_logged_queries_store_the_same_rows(alice):
    """DEBUG and query-counting tests log the SQL with its "%s" placeholders substituted:
    that path stores the same rows as the unlogged one."""
    unlogged = insert_objects(many_leads(alice))
    with CaptureQueriesContext(connection) as queries:
        logged = insert_objects(many_leads(alice))

    assert queries.captured_queries
    assert [stored(lead) for lead in logged] == [stored(lead) for lead in unlogged]


def test_one_insert_gives_every_row_the_same_modified_at(alice):
    leads = insert_objects(many_leads(alice, count=3))

    stamps = {lead.modified_at for lead in leads}
    assert len(stamps) == 1
    assert (
        set(
            Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list(
                "modified_at", flat=True
            )
        )
        == stamps
    )


def test_insert_rows_writes_many_json_rows_in_order(alice):
    leads = insert_objects(many_leads(alice, count=3))
    columns = ["lead_id", "kind", "outcome", "rule_name", "distribution", "candidates"]
    columns += ["passed_over", "owner_user_id", "created_at"]
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    rows = [
        (
            lead.pk,
            "routed",
            "rule",
            f'Rule {n} «Nordics», "quoted"\ttab',
            "round_robin",
            [{"user_id": alice.pk, "name": "Ålice O'Brien", "status": "chosen", "open_leads": n}],
            [{"rule_id": None, "name": "Default owner", "reason": "away"}] if n else [],
            alice.pk,
            now,
        )
        for n, lead in enumerate(leads)
    ]

    insert_rows(AssignmentExplanation, columns, rows)

    for lead, row in zip(leads, rows, strict=True):
        explanation = AssignmentExplanation.objects.get(lead=lead)
        assert explanation.rule_name == row[3]
        assert explanation.candidates == row[5]
        assert explanation.passed_over == row[6]
        assert explanation.created_at == now
