"""The lead list at scale: a capped count, keyset and last pages, visibility as literal ids,
and an index behind every offered sort."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.lib.pagination import ListPaginator
from crm.models import Membership, scope_of
from leads.filters import ORDERING
from leads.models import Lead
from leads.models.list_indexes import SORT_COLUMNS, SORT_INDEXES
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

LIST = reverse("leads:list")


def ids(page):
    return [lead.pk for lead in page]


@pytest.fixture
def thirty(alice):
    """30 open leads of alice, three to a company name (ties on the sort value)."""
    leads = LeadFactory.create_batch(30, owner_user=alice, created_by=alice)
    for number, lead in enumerate(leads):
        lead.company_name = f"Company {number // 3:02}"
    Lead.objects.bulk_update(leads, ["company_name"])
    return leads


class TestCount:
    def test_over_the_cap_the_count_says_so_and_next_still_goes_on(
        self, as_alice, thirty, settings
    ):
        settings.LIST_COUNT_CAP = 10
        response = as_alice.get(LIST)
        content = response.content.decode()
        assert "10+ leads" in content
        assert response.context["page"].paginator.capped
        assert 'rel="next"' in content
        assert "Page 1 of" not in content

    def test_under_the_cap_the_count_is_exact(self, as_alice, thirty):
        response = as_alice.get(LIST)
        assert "30 leads" in response.content.decode()
        assert "Page 1 of 2" in response.content.decode()


class TestPages:
    def test_the_last_page_shows_the_last_rows(self, as_alice, thirty):
        everything = list(Lead.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
        page = as_alice.get(LIST, {"page": "last"}).context["page"]
        assert ids(page) == everything[25:]
        assert page.number == 2 and not page.has_next()

    def test_with_a_capped_count_last_reads_the_reversed_order(self, as_alice, thirty, settings):
        settings.LIST_COUNT_CAP = 10
        everything = list(Lead.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
        page = as_alice.get(LIST, {"page": "last"}).context["page"]
        assert ids(page) == everything[-25:]
        assert page.number is None and page.has_previous() and not page.has_next()

    def test_a_deep_page_number_is_read_from_the_nearer_end(self, as_alice, thirty, settings):
        settings.LIST_COUNT_CAP = 10
        everything = list(Lead.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
        page = as_alice.get(LIST, {"page": "2"}).context["page"]
        assert ids(page) == everything[25:]
        assert not page.has_next()

    def test_keyset_pages_walk_every_row_once_ties_included(self, alice, thirty):
        leads = Lead.objects.order_by("-company_name", "pk")
        everything = list(leads.values_list("pk", flat=True))
        paginator = ListPaginator(leads, 4, cap=5)
        page, seen = paginator.get_page(1), []
        while True:
            seen += ids(page)
            if not page.has_next():
                break
            page = paginator.get_page(None, after=page.cursor_last)
        assert seen == everything
        # And back again from the last page, with `before`.
        page, back = paginator.get_page("last"), []
        while True:
            back = ids(page) + back
            if not page.has_previous():
                break
            page = paginator.get_page(None, before=page.cursor_first)
        assert back == everything

    def test_deep_links_continue_from_a_row(self, as_alice, thirty, settings):
        settings.LIST_COUNT_CAP = 10
        first = as_alice.get(LIST, {"sort": "company_name"}).context["page"]
        # Page 2 starts past the counted rows: Next continues after the page's last row.
        assert (
            f"after={first.cursor_last}"
            in as_alice.get(LIST, {"sort": "company_name"}).content.decode()
        )
        second = as_alice.get(LIST, {"sort": "company_name", "after": first.cursor_last})
        everything = list(Lead.objects.order_by("company_name", "pk").values_list("pk", flat=True))
        assert ids(first) + ids(second.context["page"]) == everything

    def test_a_foreign_or_bad_cursor_gives_the_first_page(self, as_alice, thirty, carol):
        theirs = LeadFactory(owner_user=carol, created_by=carol)
        first = ids(as_alice.get(LIST).context["page"])
        assert ids(as_alice.get(LIST, {"after": theirs.pk}).context["page"]) == first
        assert ids(as_alice.get(LIST, {"after": "x"}).context["page"]) == first

    @pytest.mark.parametrize("rows", [1, 50])
    def test_the_rows_are_decorated_after_the_ids_are_chosen(self, as_alice, alice, rows):
        """can_edit and the Claim button are computed for the page's rows only: the query
        that pages (LIMIT/OFFSET) reads ids and nothing joined or annotated."""
        LeadFactory.create_batch(rows, owner_user=alice, created_by=alice)
        with CaptureQueriesContext(connection) as queries:
            as_alice.get(LIST, {"per_page": "50"})
        paging = [q["sql"] for q in queries if "LIMIT 51" in q["sql"]]
        assert len(paging) == 1
        assert "JOIN" not in paging[0] and "EXISTS" not in paging[0]


class TestVisibility:
    def test_the_scope_is_read_once_and_written_as_literal_ids(
        self, alice, django_assert_num_queries
    ):
        alice.is_administrator  # noqa: B018 (cached: the scope's own query is then the one)
        with django_assert_num_queries(1):
            visible = Lead.objects.visible_to(alice)
            editable = Lead.objects.editable_by(alice)
        for queryset in (visible, editable):
            assert "crm_membership" not in str(queryset.query)

    def test_a_new_membership_is_seen_at_once(self, alice, south, carol):
        theirs = LeadFactory(owner_user=carol, created_by=carol)
        assert not Lead.objects.visible_to(alice).filter(pk=theirs.pk).exists()
        Membership.objects.create(user=alice, team=south)
        assert Lead.objects.visible_to(alice).filter(pk=theirs.pk).exists()
        assert south.pk in scope_of(alice).team_ids


def test_every_offered_sort_has_an_index_ending_with_the_id():
    indexes = {index.name: index for index in Lead._meta.indexes}
    for field, _param in ORDERING:
        name = SORT_INDEXES[field]
        assert indexes[name].fields == [*SORT_COLUMNS.get(field, [field]), "id"], field


class TestFewMatches:
    """Under the cap the count is exact: an empty list reads no rows, and on PostgreSQL the
    few matching rows are read by the filter first and sorted after (not by walking the sort
    order's index past every other row)."""

    def test_an_empty_list_reads_no_rows(self, as_alice, thirty, bob):
        # bob: a teammate without leads (the owner filter offers only alice's teams' people)
        with CaptureQueriesContext(connection) as queries:
            response = as_alice.get(LIST, {"owner": f"user:{bob.pk}", "sort": "company_name"})
        assert response.context["page"].object_list == []
        page_reads = [q["sql"] for q in queries if 'ORDER BY "leads_lead".' in q["sql"]]
        assert page_reads == []

    @pytest.mark.parametrize("sort", ["company_name", "-company_name", "last_name", "-created_at"])
    def test_every_page_is_in_the_sort_order_ties_by_id(self, alice, thirty, sort):
        rows = Lead.objects.filter(owner_user=alice).order_by(
            sort, "pk" if sort[0] != "-" else "-pk"
        )
        expected = list(rows.values_list("pk", flat=True))
        paginator = ListPaginator(rows, 7)
        seen = [pk for n in range(1, 6) for pk in ids(paginator.page(n))]
        assert seen == expected
        assert ids(paginator.get_page("last")) == expected[28:]

    @pytest.mark.postgres
    def test_on_postgresql_the_rows_are_filtered_then_sorted(self, alice, thirty):
        rows = Lead.objects.filter(owner_user=alice).order_by("company_name", "pk")
        with CaptureQueriesContext(connection) as queries:
            page = ListPaginator(rows, 7).page(2)
        assert len(page.object_list) == 7
        assert any("OFFSET 0) AS t(" in q["sql"] for q in queries)
