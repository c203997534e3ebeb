"""The lead search index (leads.search, Lead.search_text): what a typed query finds, kept
current by every write path (create, the edit form, API PATCH, import, bulk), scoped and
combined with the list's filters, and rebuilt by `manage.py rebuild_search_index`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from api import services as api_services
from crm.lib.search import search_terms
from leads import bulk, search, services
from leads.imports.tests.conftest import write_csv
from leads.models import Lead, Status
from leads.selectors import search_leads
from leads.tests.factories import lead_data, make_lead

pytestmark = pytest.mark.django_db


def found(text, queryset=None):
    return set(search_leads(queryset or Lead.objects.all(), text).values_list("pk", flat=True))


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_services.create_token(user=user).key}")
    return client


class TestTerms:
    def test_words_are_folded_and_a_phone_number_is_one_term_of_digits(self):
        assert search_terms("  José SØRENSEN ") == ["jose", "sorensen"]
        # The country code and a leading 00 or + are not part of the term: every way of
        # writing the number contains its national digits.
        assert search_terms("+45 33-88 11") == ["338811"]
        assert search_terms("0045 33 88 11 00") == search_terms("33881100") == ["33881100"]
        assert search_terms("a 12") == ["a", "12"]  # too few digits for a phone number
        assert search_terms("") == []


class TestWhatAQueryFinds:
    @pytest.fixture
    def leads(self, alice):
        return {
            "jose": make_lead(
                owner=alice, first_name="José", last_name="Sørensen", company_name="Ærø Fisk",
                email="jose@aero.example", business_phone="+45 20-30 40 50", topic="Boats",
            ),
            "anna": make_lead(owner=alice, mobile_phone="(+45) 61 62 63 64"),
        }  # fmt: skip

    @pytest.mark.parametrize(
        ("text", "who"),
        [
            ("jos", {"jose"}),  # part of a first name
            ("SØREN", {"jose"}),
            ("sorensen", {"jose"}),  # accents typed without accents
            ("José", {"jose"}),
            ("aero fisk", {"jose"}),  # company, "æ" folded as "ae"
            ("aero.example", {"jose"}),  # e-mail
            ("boat", {"jose"}),  # topic
            ("hansen fabrikam", {"anna"}),
            ("20304050", {"jose"}),  # phone digits, stored with spaces and dashes
            ("20 30-40", {"jose"}),  # typed with spaces and dashes
            ("+45 61 62", {"anna"}),  # the mobile phone
            ("45", {"jose", "anna"}),  # a short term still matches (by a scan)
            ("jose hansen", set()),  # every term must match
        ],
    )
    def test_finds(self, leads, text, who):
        assert found(text) == {leads[name].pk for name in who}


class TestKeptCurrent:
    def test_the_edit_form_updates_the_index(self, as_alice, alice):
        lead = make_lead(owner=alice)
        form = {**lead_data(last_name="Ægidius", email=""), "preferred_contact_method": 1}
        assert as_alice.post(reverse("leads:edit", args=[lead.pk]), form | {
            "expected_version": 1}).status_code == 302  # fmt: skip
        assert found("aegidius") == {lead.pk}
        assert found("hansen") == set()

    def test_api_patch_updates_the_index(self, alice):
        lead = make_lead(owner=alice)
        response = api_client(alice).patch(
            f"/api/v1/leads/{lead.pk}/",
            {"company_name": "Zürich Tools", "email": ""},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert found("zurich") == {lead.pk}
        assert found("fabrikam") == set()

    def test_update_lead_service(self, alice):
        lead = make_lead(owner=alice)
        services.update_lead(lead=lead, user=alice, data={"email": "new@widgets.example"})
        assert found("widgets") == {lead.pk}

    def test_bulk_create_fills_the_index(self, alice):
        builder = bulk.LeadBuilder()
        leads = [
            builder.build({**lead_data(first_name=f"Bjørn{n}"), "owner_user": alice})
            for n in range(3)
        ]
        saved = services.create_leads(leads=leads, created_by=alice, validate=False)
        assert found("bjorn1") == {saved[1].pk}

    def test_an_import_fills_the_index(self, tmp_path, admin_user):
        rows = [
            ["First Name", "Last Name", "Company", "Email", "Business Phone"],
            ["Åsa", "Ødegård", "Nørre Gear", "asa@gear.example", "+45 70 80 90 10"],
        ]
        call_command(
            "import_leads", str(write_csv(tmp_path / "leads.csv", rows)),
            "--user", admin_user.username, stdout=io.StringIO(),
        )  # fmt: skip
        (lead,) = Lead.objects.all()
        assert found("odegard") == found("norre gear") == found("70809010") == {lead.pk}

    def test_the_rebuild_command_fixes_rows_written_around_the_app(self, alice):
        lead = make_lead(owner=alice)
        Lead.objects.filter(pk=lead.pk).update(last_name="Ørsted", search_text="")
        assert found("orsted") == set()
        out = io.StringIO()
        call_command("rebuild_search_index", "--batch-size", "1", stdout=out)
        assert found("orsted") == {lead.pk}
        assert "1 updated" in out.getvalue() and "rows/s" in out.getvalue()


class TestPages:
    def test_list_search_is_scoped_and_combines_with_filters(self, as_alice, alice, carol):
        first = make_lead(owner=alice, last_name="Jensen", company_name="Bco")
        second = make_lead(owner=alice, last_name="Jensen", company_name="Aco")
        make_lead(owner=carol, last_name="Jensen", email="c@theirs.example")  # not visible
        make_lead(owner=alice, last_name="Other", email="")
        services.set_lead_status(lead=second, user=alice, status=Status.CONTACTED)
        list_url = reverse("leads:list")

        page = as_alice.get(list_url, {"q": "jensen", "sort": "company_name"}).context["page"]
        assert list(page) == [second, first]
        assert page.paginator.count == 2
        page = as_alice.get(list_url, {"q": "jensen", "status": "contacted"}).context["page"]
        assert list(page) == [second]

    def test_api_search_is_scoped(self, alice, carol):
        mine = make_lead(owner=alice, first_name="José")
        make_lead(owner=carol, first_name="José", email="c@theirs.example")
        body = api_client(alice).get("/api/v1/leads/", {"q": "jose"}).json()
        assert [row["id"] for row in body["results"]] == [mine.pk]


def _fts_ids(term):
    """SQLite: the lead ids the FTS5 table itself finds for `term`, apart from leads_lead (a
    search joins it to leads_lead, which would hide a row the table kept after a delete)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} MATCH %s",
            [f'"{term}"'],
        )
        return {pk for (pk,) in cursor.fetchall()}


def _tables():
    return set(connection.introspection.table_names())


class TestTheIndexOfEachDatabase:
    def test_sqlite_searches_its_fts5_table_and_postgresql_its_trigram_index(self):
        sql = str(search_leads(Lead.objects.all(), "hansen 12").query)
        if connection.vendor == "sqlite":
            assert f"{search.FTS_TABLE} MATCH" in sql  # "hansen"
            assert "LIKE" in sql  # "12": under three characters, no trigram
            assert "MATCH" not in str(search_leads(Lead.objects.all(), "ab 12").query)
        else:
            assert search.FTS_TABLE not in sql and search.FTS_TABLE not in _tables()
            assert sql.count("LIKE") == 2

    def test_a_quote_or_fts5_syntax_in_a_term_is_only_text(self, alice):
        lead = make_lead(owner=alice, company_name='Say "Hi" AND NOT* Ltd')
        assert found('"hi"') == found("and not*") == found('say "hi" ltd') == {lead.pk}
        assert found("NEAR(") == set()

    def test_the_fts5_table_follows_inserts_updates_and_deletes(self, alice):
        lead = make_lead(owner=alice, last_name="Quistgaard")
        other = make_lead(owner=alice, last_name="Quistgaard")
        Lead.objects.filter(pk=lead.pk).update(search_text="written around the app")
        other.delete()
        assert found("quistgaard") == set()
        assert found("around the app") == {lead.pk}
        if connection.vendor == "sqlite":  # the table itself, not only the search
            assert _fts_ids("quistgaard") == set()
            assert _fts_ids("around") == {lead.pk}
        else:
            assert search.FTS_TABLE not in _tables()

    def test_after_migrate_triggers_a_table_rebuild_dropped_are_back(self, alice):
        if connection.vendor != "sqlite":
            emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
            assert search.FTS_TABLE not in _tables()
            return
        lead = make_lead(owner=alice, last_name="Before")
        with connection.cursor() as cursor:  # as SQLite's DROP TABLE of a rebuilt leads_lead
            for name in search._FTS_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
            Lead.objects.filter(pk=lead.pk).update(search_text="changed meanwhile")
            assert search.sqlite_index_state(cursor) == (True, False)
            emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
            assert search.sqlite_index_state(cursor) == (True, True)
        assert found("meanwhile") == {lead.pk} and found("before") == set()
        make_lead(owner=alice, last_name="Afterwards")
        assert len(found("afterwards")) == 1

    def test_the_rebuild_command_refills_the_fts5_table(self, alice):
        lead = make_lead(owner=alice, last_name="Lindqvist")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:  # an entry lost (a restored dump, say)
                cursor.execute(
                    f"INSERT INTO {search.FTS_TABLE} ({search.FTS_TABLE}, rowid, search_text)"
                    " SELECT 'delete', id, search_text FROM leads_lead WHERE id = %s",
                    [lead.pk],
                )
            assert found("lindqvist") == set()
        out = io.StringIO()
        call_command("rebuild_search_index", stdout=out)
        assert found("lindqvist") == {lead.pk}
        assert (search.FTS_TABLE in _tables()) == (connection.vendor == "sqlite")
