"""The global search (crm.global_search, crm/search_views.py): the top bar's type-ahead and the
results page find leads, contacts, accounts and opportunities the way people remember them,
only among what the user may see, by each model's search index, kept current by saves, with a
fixed number of queries."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from crm import global_search
from leads.models import Lead
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

SUGGEST = reverse("search_suggest")
SEARCH = reverse("search")


def suggested(client, text):
    """{kind: [titles]} the type-ahead shows for `text`."""
    response = client.get(SUGGEST, {"q": text})
    assert response.status_code == 200
    return {
        spec.kind: [found.title for found in hits]
        for spec, hits, _more in response.context["groups"]
    }


@pytest.fixture
def records(alice, carol):
    account = AccountFactory(
        name="Nordlys Transport ApS", email="info@nordlys.example", website="https://nordlys.example",
        phone="+45 33 12 34 56", owner_user=alice,
    )  # fmt: skip
    contact = ContactFactory(
        first_name="Søren", last_name="Kierkegaard", email="soren@nordlys.example",
        mobile_phone="20 30 40 50", account=account, owner_user=alice,
    )  # fmt: skip
    return {
        "account": account,
        "contact": contact,
        "lead": make_lead(
            owner=alice, first_name="Åse", last_name="Bøgh", company_name="Nordlys Transport ApS",
            email="aase@nordlys.example", business_phone="33 12 34 56", topic="Trucks for Aarhus",
        ),
        "closed": make_lead(owner=alice, last_name="Bøgh", topic="Old enquiry",
                            state="disqualified", status="lost"),
        "deal": OpportunityFactory(topic="Nordlys fleet renewal", account=account,
                                   owner_user=alice),
        # Another team's: never shown to alice.
        "theirs": make_lead(owner=carol, last_name="Bøgh", company_name="Nordlys Transport ApS",
                            topic="", email="other@nordlys.example",
                            business_phone="+45 33 12 34 56"),
        "their_account": AccountFactory(name="Nordlys Shipping A/S", owner_user=carol),
    }  # fmt: skip


class TestWhatItFinds:
    @pytest.mark.parametrize(
        "typed",
        ["+45 33 12 34 56", "33123456", "0045 33 12 34 56", "33 12-34 56", "(+45) 3312 3456"],
    )
    def test_a_phone_number_typed_any_way(self, as_alice, records, typed):
        found = suggested(as_alice, typed)
        assert found["lead"] == ["Trucks for Aarhus"]
        assert found["account"] == ["Nordlys Transport ApS"]

    def test_a_mobile_phone_without_its_country_code(self, as_alice, records):
        assert suggested(as_alice, "+45 2030 4050") == {"contact": ["Søren Kierkegaard"]}

    def test_a_name_without_accents_and_parts_in_any_order(self, as_alice, records):
        assert suggested(as_alice, "soren")["contact"] == ["Søren Kierkegaard"]
        assert suggested(as_alice, "kierkegaard sor")["contact"] == ["Søren Kierkegaard"]
        assert suggested(as_alice, "bogh aase")["lead"] == ["Trucks for Aarhus"]

    def test_a_company_without_its_legal_suffix(self, as_alice, records):
        found = suggested(as_alice, "Nordlys")
        assert found["account"] == ["Nordlys Transport ApS"]
        assert found["lead"] == ["Trucks for Aarhus"]
        assert found["opportunity"] == ["Nordlys fleet renewal"]

    def test_an_email_domain(self, as_alice, records):
        found = suggested(as_alice, "nordlys.example")
        assert set(found) == {"lead", "contact", "account"}

    def test_what_matched_is_shown(self, as_alice, records):
        response = as_alice.get(SUGGEST, {"q": "aase@nordlys"})
        (group,) = response.context["groups"]
        (found,) = group[1]
        assert ("E-mail", "aase@nordlys.example") in [(str(k), v) for k, v in found.matched]
        assert "<mark>aase@nordlys.example</mark>" in response.content.decode()

    def test_closed_leads_are_marked_and_come_after_open_ones(self, as_alice, records):
        (group,) = as_alice.get(SUGGEST, {"q": "bogh"}).context["groups"]
        assert [(found.title, found.closed) for found in group[1]] == [
            ("Trucks for Aarhus", ""),
            ("Old enquiry", "Disqualified"),
        ]

    def test_one_character_shows_nothing_and_nothing_found_says_so(self, as_alice, records):
        assert as_alice.get(SUGGEST, {"q": "n"}).content.strip() == b""
        response = as_alice.get(SUGGEST, {"q": "zzqqxx"})
        assert "Nothing found for “zzqqxx”" in response.content.decode()

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity")
    def test_a_small_typo_on_postgresql(self, as_alice, records):
        response = as_alice.get(SUGGEST, {"q": "kirkegaard"})
        assert response.context["groups"] == [] and response.context["offer_close"] is True
        assert "Look for close matches" in response.content.decode()
        page = as_alice.get(SEARCH, {"q": "kirkegaard", "kind": "contact"})
        assert page.context["close"] is True and "close matches" in page.content.decode()
        assert [found.title for found in page.context["hits"]] == ["Søren Kierkegaard"]


class TestScope:
    def test_a_rep_never_sees_another_teams_record(self, as_alice, records):
        for typed in ("nordlys", "shipping", "other@nordlys", "33123456"):
            response = as_alice.get(SUGGEST, {"q": typed})
            assert "Shipping" not in response.content.decode()
            assert "other@nordlys.example" not in response.content.decode()
            shown = {
                (s.kind, h.record.pk) for s, hits, _m in response.context["groups"] for h in hits
            }
            assert ("lead", records["theirs"].pk) not in shown
            page = as_alice.get(SEARCH, {"q": typed, "kind": "lead"})
            assert records["theirs"].pk not in [h.record.pk for h in page.context["hits"]]
        page = as_alice.get(SEARCH, {"q": "shipping", "kind": "account"})
        assert page.context["hits"] == [] and page.context["total"] == 0

    def test_the_other_team_finds_its_own(self, as_carol, records):
        assert suggested(as_carol, "nordlys") == {
            "lead": ["Nordlys Transport ApS"],
            "account": ["Nordlys Shipping A/S"],
        }


class TestResultsPage:
    def test_tabs_with_counts_and_the_first_kind_with_matches_open(self, as_alice, records):
        response = as_alice.get(SEARCH, {"q": "nordlys"})
        counts = {spec.kind: count for spec, count, _capped in response.context["tabs"]}
        assert counts == {"lead": 1, "contact": 1, "account": 1, "opportunity": 1}
        assert response.context["active"].kind == "lead"
        response = as_alice.get(SEARCH, {"q": "soren"})
        assert response.context["active"].kind == "contact"
        assert [h.title for h in response.context["hits"]] == ["Søren Kierkegaard"]

    def test_paging(self, as_alice, alice):
        for number in range(30):
            make_lead(owner=alice, last_name=f"Pagesen{number}")
        first = as_alice.get(SEARCH, {"q": "pagesen", "kind": "lead"})
        assert len(first.context["hits"]) == 25 and first.context["page"].has_next()
        second = as_alice.get(SEARCH, {"q": "pagesen", "kind": "lead", "page": 2})
        assert len(second.context["hits"]) == 5
        shown = {h.record.pk for h in first.context["hits"] + second.context["hits"]}
        assert len(shown) == 30
        assert 'rel="next"' in first.content.decode()

    def test_a_count_over_the_cap_says_so(self, as_alice, alice, monkeypatch):
        monkeypatch.setattr(global_search, "COUNT_CAP", 3)
        for _number in range(5):
            make_lead(owner=alice, last_name="Capsen")
        response = as_alice.get(SEARCH, {"q": "capsen"})
        assert ("lead", 4, True) in [(s.kind, n, c) for s, n, c in response.context["tabs"]]
        assert re.search(r"3\+</span>", response.content.decode())

    def test_no_query_explains_what_to_type(self, as_alice):
        response = as_alice.get(SEARCH)
        assert response.status_code == 200 and "phone number" in response.content.decode()

    def test_an_unknown_kind_or_odd_page_is_no_error(self, as_alice, records):
        for params in ({"kind": "nothing"}, {"page": "x"}, {"page": "999"}, {"after": "abc"}):
            assert as_alice.get(SEARCH, {"q": "nordlys", **params}).status_code == 200

    def test_the_box_is_on_every_page_and_keeps_the_query(self, as_alice, records):
        home = as_alice.get(reverse("home")).content.decode()
        assert 'role="search"' in home and 'id="global-search-input"' in home
        page = as_alice.get(SEARCH, {"q": "nordlys"}).content.decode()
        assert 'value="nordlys"' in page

    def test_login_is_required(self, client):
        assert client.get(SEARCH, {"q": "x"}).status_code == 302
        assert client.get(SUGGEST, {"q": "xx"}).status_code == 302

    def test_fixed_queries(self, as_alice, alice, records, django_assert_num_queries):
        with CaptureQueriesContext(connection) as few:
            as_alice.get(SEARCH, {"q": "nordlys"})
        for number in range(20):
            account = AccountFactory(name=f"Nordlys {number}", owner_user=alice)
            make_lead(owner=alice, company_name=f"Nordlys {number}")
            ContactFactory(last_name=f"Nordlys{number}", account=account, owner_user=alice)
            OpportunityFactory(topic=f"Nordlys {number}", account=account, owner_user=alice)
        with django_assert_num_queries(len(few.captured_queries)):
            as_alice.get(SEARCH, {"q": "nordlys"})
        with CaptureQueriesContext(connection) as typed:
            as_alice.get(SUGGEST, {"q": "nordlys"})
        # The session, the user, the scope, then two queries per kind.
        assert len(typed.captured_queries) <= 3 + 2 * len(global_search.KINDS)


class TestKeptCurrent:
    def test_saving_a_record_updates_its_index(self, as_alice, records):
        contact = records["contact"]
        contact.last_name = "Ørsted"
        contact.save(update_fields=["last_name"])
        assert suggested(as_alice, "orsted") == {"contact": ["Søren Ørsted"]}
        deal = records["deal"]
        deal.topic = "Ferry charter"
        deal.save()
        assert suggested(as_alice, "ferry") == {"opportunity": ["Ferry charter"]}

    def test_contacts_and_opportunities_are_found_by_their_customers_name(self, as_alice, records):
        found = suggested(as_alice, "transport aps")
        assert found["contact"] == ["Søren Kierkegaard"]
        assert found["opportunity"] == ["Nordlys fleet renewal"]
        account = records["account"]
        account.name = "Polarlys Fragt A/S"
        account.save()
        assert suggested(as_alice, "polarlys fragt") == {
            "contact": ["Søren Kierkegaard"],
            "account": ["Polarlys Fragt A/S"],
            "opportunity": ["Nordlys fleet renewal"],
        }
        assert "contact" not in suggested(as_alice, "transport aps")
        person = ContactFactory(
            first_name="Ib", last_name="Holm", owner_user=records["lead"].owner
        )
        deal = OpportunityFactory(topic="Printers", contact=person, owner_user=person.owner_user)
        person.last_name = "Quorn"
        person.save()
        assert suggested(as_alice, "ib quorn")["opportunity"] == [deal.topic]

    def test_qualifying_makes_searchable_records(self, as_alice, alice):
        from leads.services import qualify_lead

        lead = make_lead(
            owner=alice, first_name="Ib", last_name="Quist", company_name="Quistco ApS"
        )
        qualify_lead(lead=Lead.objects.get(pk=lead.pk), user=alice, create_account=True,
                     create_contact=True, create_opportunity=True)  # fmt: skip
        found = suggested(as_alice, "quist")
        assert found["account"] == ["Quistco ApS"] and found["contact"] == ["Ib Quist"]
        assert len(found["lead"]) == 1

    def test_the_rebuild_command_fixes_rows_written_around_the_app(self, as_alice, records):
        Account.objects.filter(pk=records["account"].pk).update(name="Renamed", search_text="")
        Contact.objects.filter(pk=records["contact"].pk).update(search_text="")
        assert "account" not in suggested(as_alice, "renamed")
        out = io.StringIO()
        call_command("rebuild_search_index", "--model", "accounts.Account", stdout=out)
        assert suggested(as_alice, "renamed") == {"account": ["Renamed"]}
        assert "contact" not in suggested(as_alice, "kierkegaard")
        call_command("rebuild_search_index", stdout=out)
        assert suggested(as_alice, "kierkegaard") == {"contact": ["Søren Kierkegaard"]}
        assert "accounts read" in out.getvalue() and "opportunities read" in out.getvalue()
