"""The import's batch path costs a fixed number of queries per chunk, however many rows the
chunk holds (issue #7: 5,000 rows/s needs batch-wise dedupe, routing and history)."""

import io
from contextlib import suppress

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.bulk import LeadStatistics
from leads.imports.tests.conftest import write_csv
from leads.models import Lead, LeadStatusChange
from leads.routing.models import AssignmentExplanation
from leads.routing.tests.factories import make_rule
from leads.tests.factories import make_lead

HEADER = ["First Name", "Last Name", "Company", "E-mail", "Phone", "Country", "Created"]


def leads_file(path, rows):
    return write_csv(
        path,
        [
            HEADER,
            *(
                [
                    "Anna",
                    f"Hansen {n}",
                    f"Company {n // 2} ApS",
                    f"anna{n}@company{n // 2}.example" if n % 5 else "",
                    f"+45 {20000000 + n}",
                    "Denmark",
                    "2024-03-01 10:00:00",
                ]
                for n in range(rows)
            ),
        ],
    )


@pytest.fixture
def routed_to_north(north):
    return make_rule("Nordics", north, ("country", "in", "Denmark,Sweden"))


def queries_for(import_leads, path, *, batch_size):
    with CaptureQueriesContext(connection) as queries:
        run = import_leads(path, "--batch-size", batch_size, "-v0")
    assert run.status == 0, run.output
    return len(queries)


@pytest.mark.django_db
def test_a_chunk_costs_the_same_queries_for_3_rows_as_for_300(
    tmp_path, import_leads, routed_to_north
):
    few = queries_for(import_leads, leads_file(tmp_path / "few.csv", 3), batch_size=3)
    Lead.objects.all().delete()
    many = queries_for(import_leads, leads_file(tmp_path / "many.csv", 300), batch_size=300)

    assert Lead.objects.count() == 300
    assert many == few


@pytest.mark.django_db
def test_each_further_chunk_adds_a_fixed_number_of_queries(
    tmp_path, import_leads, routed_to_north
):
    path = leads_file(tmp_path / "leads.csv", 300)
    one_chunk = queries_for(import_leads, path, batch_size=300)
    Lead.objects.all().delete()
    three_chunks = queries_for(import_leads, path, batch_size=100)

    # Per chunk: the chunk's savepoint and its release; the dedupe lookups by e-mail and by
    # name + company; create_leads' savepoint and its release; routing: the rules, their
    # conditions, the settings, the teams, the team distribution row (created if missing,
    # then locked), the memberships, the member distribution rows, the users, the open-lead
    # counts; the lead INSERT, the history and status-log INSERT ... SELECTs, the
    # explanations INSERT; the batch's progress UPDATE. On PostgreSQL the leads are written
    # with COPY, their ids drawn from the sequence first: one query more.
    per_chunk = 22 if connection.vendor == "postgresql" else 21
    assert (three_chunks - one_chunk) / 2 == per_chunk
    assert Lead.objects.count() == 300
    created = Lead.history.filter(history_type="+", id__in=Lead.objects.values("pk"))
    assert created.count() == 300
    assert LeadStatusChange.objects.count() == 300
    assert AssignmentExplanation.objects.count() == 300


@pytest.mark.django_db
def test_postgresql_statistics_are_refreshed_as_an_import_grows_the_table(
    tmp_path, import_leads, routed_to_north, monkeypatch
):
    """The dedupe lookups need the planner to know the lead table's size: on PostgreSQL the
    import analyses the table (and the status log growing with it) after every ANALYZE_AFTER
    leads it added (and not at all elsewhere, nor for imports smaller than that)."""
    monkeypatch.setattr(LeadStatistics, "ANALYZE_AFTER", 150)
    path = leads_file(tmp_path / "leads.csv", 300)
    with CaptureQueriesContext(connection) as queries:
        run = import_leads(path, "--batch-size", 100, "-v0")

    assert run.status == 0, run.output
    analyses = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        # After 200 leads (300 - 200 < 150): the leads and their first status-log entries.
        assert analyses == ['ANALYZE "leads_lead", "leads_leadstatuschange"']
    else:
        assert analyses == []
    assert Lead.objects.count() == 300


def update_as(user, path):
    """Run the command as `user` with --dedupe update; returns (queries, output)."""
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries, suppress(SystemExit):  # exit status 1
        call_command(
            "import_leads",
            str(path),
            *("--user", user.username, "--dedupe", "update", "--batch-size", 100, "-v0"),
            stdout=out,
        )
    return len(queries), out.getvalue()


@pytest.mark.django_db
def test_the_edit_rights_on_matched_leads_cost_one_query_per_chunk(tmp_path, alice, bob):
    """An update of leads the importing user may not edit is refused row by row, but their
    rights are read once for the chunk: 3 matched rows cost the queries of 30."""

    def file_of(count):
        for n in range(count):
            make_lead(owner=alice, last_name=f"Hansen {n}", email=f"anna{n}@fabrikam.example")
        rows = [["Last Name", "E-mail", "City"]]
        rows += [[f"Hansen {n}", f"anna{n}@fabrikam.example", "Aarhus"] for n in range(count)]
        return write_csv(tmp_path / f"{count}.csv", rows)

    few, few_output = update_as(bob, file_of(3))
    Lead.objects.all().delete()
    many, many_output = update_as(bob, file_of(30))

    assert "rejected=3" in few_output and "rejected=30" in many_output
    assert "which you cannot edit" in many_output
    assert many == few
