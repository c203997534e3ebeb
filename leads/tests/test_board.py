"""The lead board (leads/board.py): open leads in a column per status reason, scoped and
filtered as the list, counts and value per column, moves with the card's version (JSON for a
drop, a form for the keyboard), the qualify and disqualify forms as dialogs that return to the
board, "Show more" by keyset, and a fixed number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads import services
from leads.models import Lead, LeadStatusChange, State, Status
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db

BOARD = reverse("leads:board")


def _column(response, status):
    (column,) = [c for c in response.context["columns"] if c["status"] == status]
    return column


def _move(client, lead, status, version, **extra):
    return client.post(
        reverse("leads:set_status", args=[lead.pk]),
        {"status": status, "expected_version": version, **extra},
        HTTP_ACCEPT="application/json",
    )


class TestColumns:
    def test_open_leads_by_status_reason_with_counts_and_value(self, as_alice, alice, carol):
        new = make_lead(owner=alice, topic="Fresh one", estimated_value=Decimal("1000"))
        make_lead(owner=alice, topic="Fresh two", estimated_value=Decimal("250.50"))
        called = make_lead(owner=alice, topic="Called")
        services.set_lead_status(lead=called, user=alice, status=Status.CONTACTED)
        closed = make_lead(owner=alice, topic="Gone")
        services.disqualify_lead(lead=closed, user=alice, status=Status.LOST)
        make_lead(owner=carol, topic="Not yours")
        response = as_alice.get(BOARD)
        assert response.status_code == 200
        first = _column(response, Status.NEW)
        assert [lead.topic for lead in first["page"]] == ["Fresh two", "Fresh one"]
        assert first["count"] == 2 and first["value"] == Decimal("1250.50")
        assert [lead.topic for lead in _column(response, Status.CONTACTED)["page"]] == ["Called"]
        page = response.content.decode()
        assert "Gone" not in page and "Not yours" not in page
        assert "1,250.50" in page
        assert f'data-version="{new.version}"' in page

    def test_the_lists_filters_and_saved_views_apply(self, as_manager, alice, bob):
        make_lead(owner=alice, topic="Alice's", company_name="Contoso")
        make_lead(owner=bob, topic="Bob's", company_name="Fabrikam")
        team = as_manager.get(BOARD, {"view": "team"})
        assert {lead.topic for lead in _column(team, Status.NEW)["page"]} == {"Alice's", "Bob's"}
        searched = as_manager.get(BOARD, {"view": "team", "q": "contoso"})
        assert [lead.topic for lead in _column(searched, Status.NEW)["page"]] == ["Alice's"]
        # A closed-leads view makes no board: the board falls back to "My open leads".
        assert as_manager.get(BOARD, {"view": "qualified"}).context["view"] == "mine"

    def test_show_more_continues_from_the_last_card(self, as_alice, alice):
        for number in range(25):
            make_lead(owner=alice, topic=f"Lead {number:02}")
        first = _column(as_alice.get(BOARD), Status.NEW)
        assert len(first["page"]) == 20 and first["page"].has_next()
        more = as_alice.get(
            BOARD, {"column": "new", "after": first["page"].cursor_last}, HTTP_HX_REQUEST="true"
        )
        topics = [lead.topic for lead in more.context["column"]["page"]]
        assert topics == [f"Lead {n:02}" for n in range(4, -1, -1)]
        assert "<html" not in more.content.decode()  # the column's cards only

    def test_fixed_queries(self, as_alice, alice):
        make_lead(owner=alice)
        as_alice.get(BOARD)
        with CaptureQueriesContext(connection) as few:
            as_alice.get(BOARD)
        for _number in range(30):
            make_lead(owner=alice)
        with CaptureQueriesContext(connection) as many:
            as_alice.get(BOARD)
        assert len(many.captured_queries) == len(few.captured_queries)


class TestMoving:
    def test_a_drop_changes_the_status_reason_and_writes_the_log(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = _move(as_alice, lead, "contacted", lead.version)
        assert response.status_code == 200
        lead.refresh_from_db()
        assert lead.status == Status.CONTACTED
        assert response.json() == {
            "version": lead.version,
            "status": "contacted",
            "message": "Status set to Contacted.",
        }
        assert LeadStatusChange.objects.filter(lead=lead, to_status="contacted").count() == 1

    def test_a_stale_card_is_refused(self, as_alice, alice, bob):
        lead = make_lead(owner=alice)
        seen = lead.version
        services.update_lead(lead=lead, user=bob, data={"topic": "Changed by Bob"})
        response = _move(as_alice, lead, "contacted", seen)
        assert response.status_code == 409
        assert "changed" in response.json()["error"]
        lead.refresh_from_db()
        assert lead.status == Status.NEW

    def test_a_status_a_lead_cannot_have_is_a_400(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = _move(as_alice, lead, "qualified", lead.version)
        assert response.status_code == 400 and response.json()["error"]

    def test_the_keyboards_move_button_returns_to_the_board(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(
            reverse("leads:set_status", args=[lead.pk]),
            {
                "status": "contacted",
                "expected_version": lead.version,
                "next": f"{BOARD}?view=mine",
            },
        )
        assert response.status_code == 302 and response["Location"] == f"{BOARD}?view=mine"
        assert Lead.objects.get(pk=lead.pk).status == Status.CONTACTED

    def test_another_sites_next_is_ignored(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(
            reverse("leads:set_status", args=[lead.pk]),
            {"status": "contacted", "next": "https://evil.example/"},
        )
        assert response["Location"] == lead.get_absolute_url()

    def test_another_teams_card_is_a_404(self, as_alice, carol):
        lead = make_lead(owner=carol)
        assert _move(as_alice, lead, "contacted", lead.version).status_code == 404


class TestDialogs:
    def test_the_qualify_form_alone_returns_to_the_board(self, as_alice, alice):
        lead = make_lead(owner=alice)
        dialog = as_alice.get(
            reverse("leads:qualify", args=[lead.pk]), {"dialog": "1", "next": BOARD}
        )
        page = dialog.content.decode()
        assert dialog.status_code == 200 and "<html" not in page
        assert 'data-testid="qualify-form"' in page and f'value="{BOARD}"' in page
        response = as_alice.post(
            reverse("leads:qualify", args=[lead.pk]),
            {"create_account": "on", "create_contact": "on", "confirm": "1", "next": BOARD,
             "expected_version": lead.version},
        )  # fmt: skip
        assert response.status_code == 302 and response["Location"] == BOARD
        assert Lead.objects.get(pk=lead.pk).state == State.QUALIFIED

    def test_the_disqualify_form_alone_returns_to_the_board(self, as_alice, alice):
        lead = make_lead(owner=alice)
        dialog = as_alice.get(
            reverse("leads:disqualify", args=[lead.pk]), {"dialog": "1", "next": BOARD}
        )
        assert 'data-testid="disqualify-form"' in dialog.content.decode()
        assert "<html" not in dialog.content.decode()
        response = as_alice.post(
            reverse("leads:disqualify", args=[lead.pk]),
            {"status": "lost", "expected_version": lead.version, "next": BOARD},
        )
        assert response.status_code == 302 and response["Location"] == BOARD
        assert Lead.objects.get(pk=lead.pk).state == State.DISQUALIFIED
