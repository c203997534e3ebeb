"""The qualify page and the status actions of the lead page: each with the happy path, the wrong
method and the wrong user."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Account, Contact
from leads import services
from leads.models import State, Status
from leads.tests.factories import make_lead
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, lead=None):
    return reverse(f"leads:{name}", args=[lead.pk] if lead else [])


class TestQualifyPage:
    def test_the_page_previews_the_default_records(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.get(url("qualify", lead))

        content = response.content.decode()
        assert response.status_code == 200
        assert "Create a new account" in content and "Create a new contact" in content
        assert "Create a new opportunity" in content and "Fabrikam A/S" in content
        assert not Account.objects.exists()

    def test_the_preview_names_choices_and_flags_as_words(self, as_alice, alice):
        lead = make_lead(owner=alice, rating="warm", decision_maker=True)

        response = as_alice.get(url("qualify", lead))

        opportunity_rows = dict(response.context["preview"][2]["rows"])
        assert opportunity_rows["Rating"] == "Warm"
        assert opportunity_rows["Decision maker identified"] == "Yes"

    def test_the_preview_shows_money_with_its_currency_and_separators(self, as_alice, alice):
        lead = make_lead(
            owner=alice,
            annual_revenue=Decimal("1234567.5"),
            estimated_value=Decimal("12345.67"),
            budget_amount=Decimal("250000"),
        )

        response = as_alice.get(url("qualify", lead))

        account_rows = dict(response.context["preview"][0]["rows"])
        opportunity_rows = dict(response.context["preview"][2]["rows"])
        assert account_rows["Annual revenue"] == "EUR 1,234,567.50"
        assert opportunity_rows["Estimated revenue"] == "EUR 12,345.67"
        assert opportunity_rows["Budget amount"] == "EUR 250,000.00"
        content = response.content.decode()
        assert "EUR 12,345.67" in content and "EUR 250,000.00" in content
        assert "12345.67" not in content and "250000.00" not in content

    def test_a_duplicate_account_is_offered_and_can_be_used(self, as_alice, alice):
        existing = Account(name="Fabrikam", owner=alice)
        existing.save()
        lead = make_lead(owner=alice)

        response = as_alice.get(url("qualify", lead))
        assert 'data-testid="account-duplicates"' in response.content.decode()

        response = as_alice.post(
            url("qualify", lead),
            {
                "create_account": "on",
                "account": existing.pk,
                "create_contact": "on",
                "confirm": "1",
            },
        )

        assert response.status_code == 302
        assert Account.objects.count() == 1
        assert Contact.objects.get().account == existing

    def test_confirming_qualifies_and_shows_what_it_became(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.post(
            url("qualify", lead),
            {
                "create_account": "on",
                "create_contact": "on",
                "create_opportunity": "on",
                "confirm": "1",
            },
            follow=True,
        )

        lead.refresh_from_db()
        assert lead.state == State.QUALIFIED
        content = response.content.decode()
        assert "Lead qualified" in content
        assert Opportunity.objects.get().get_absolute_url() in content

    def test_a_refused_combination_shows_the_reason(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(
            url("qualify", lead), {"create_opportunity": "on", "confirm": "1"}
        )
        assert response.status_code == 200
        assert "needs a customer" in response.content.decode()
        assert not Opportunity.objects.exists()

    def test_an_already_qualified_lead_is_refused(self, as_alice, alice):
        lead = make_lead(owner=alice)
        services.qualify_lead(lead=lead, user=alice, create_contact=True)
        response = as_alice.post(
            url("qualify", lead), {"create_contact": "on", "confirm": "1"}, follow=True
        )
        assert "already qualified" in response.content.decode()
        assert Contact.objects.count() == 1

    def test_a_second_post_with_the_same_version_says_already_qualified(self, as_alice, alice):
        lead = make_lead(owner=alice)
        form = {"create_contact": "on", "confirm": "1", "expected_version": lead.version}

        first = as_alice.post(url("qualify", lead), form)
        second = as_alice.post(url("qualify", lead), form, follow=True)

        assert first.status_code == 302
        assert second.status_code == 200
        content = second.content.decode()
        assert "This lead is already qualified." in content
        assert "changed this record" not in content
        assert Contact.objects.count() == 1

    def test_a_double_click_says_already_qualified_not_changed(self, as_alice, alice, monkeypatch):
        """Both requests read the open lead before the first one committed (a double click):
        the second waits for the lock, then must see the state before the version."""
        from leads import views

        lead = make_lead(owner=alice)
        read_before_the_first_commit = views._editable_lead(
            type("Request", (), {"user": alice})(), lead.pk
        )
        form = {"create_contact": "on", "confirm": "1", "expected_version": lead.version}
        assert as_alice.post(url("qualify", lead), form).status_code == 302

        monkeypatch.setattr(
            views, "_editable_lead", lambda request, pk: read_before_the_first_commit
        )
        second = as_alice.post(url("qualify", lead), form, follow=True)

        assert second.status_code == 200
        content = second.content.decode()
        assert "This lead is already qualified." in content
        assert "changed this record" not in content
        assert second.redirect_chain[-1][0] == lead.get_absolute_url()
        assert Contact.objects.count() == 1

    def test_a_lead_without_company_or_last_name_is_offered_what_it_can_make(
        self, as_alice, alice
    ):
        lead = make_lead(owner=alice, company_name="")

        response = as_alice.get(url("qualify", lead))

        content = response.content.decode()
        assert response.context["form"]["create_account"].value() is False
        assert response.context["form"]["create_contact"].value() is True
        assert "No account: the lead has no company name." in content
        assert "Create a new contact" in content and "the new contact" in content

    def test_asking_for_an_account_without_a_company_name_is_a_form_error(self, as_alice, alice):
        lead = make_lead(owner=alice, company_name="")

        response = as_alice.post(
            url("qualify", lead), {"create_account": "on", "create_contact": "on", "confirm": "1"}
        )

        assert response.status_code == 400
        assert response.context["form"].errors["create_account"] == [
            "An account needs a name and this lead has no company name: enter it on the "
            "lead, choose an existing account, or untick this."
        ]
        assert 'data-testid="qualify-form-errors"' in response.content.decode()
        assert not Account.objects.exists() and not Contact.objects.exists()
        lead.refresh_from_db()
        assert lead.is_open

    def test_a_preview_refresh_with_a_form_error_is_swapped_in(self, as_alice, alice):
        lead = make_lead(owner=alice, last_name="", first_name="Anna")
        response = as_alice.post(url("qualify", lead), {"create_contact": "on"}, **HTMX)
        assert response.status_code == 200  # htmx swaps only 2xx answers
        assert "A contact needs a last name" in response.content.decode()

    def test_another_team_gets_a_404(self, as_carol, alice):
        assert as_carol.get(url("qualify", make_lead(owner=alice))).status_code == 404

    def test_put_is_not_allowed(self, as_alice, alice):
        assert as_alice.put(url("qualify", make_lead(owner=alice))).status_code == 405


class TestStatusActions:
    def test_mark_contacted_with_htmx_returns_the_status_panel(self, as_alice, alice):
        lead = make_lead(owner=alice)

        response = as_alice.post(url("set_status", lead), {"status": "contacted"}, **HTMX)

        content = response.content.decode()
        assert response.status_code == 200
        assert 'id="status-panel"' in content and "<html" not in content
        assert 'hx-swap-oob="true"' in content  # the status log is refreshed too
        lead.refresh_from_db()
        assert lead.status == Status.CONTACTED

    def test_without_htmx_it_redirects_to_the_page(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(url("set_status", lead), {"status": "contacted"})
        assert response.status_code == 302

    def test_a_closed_status_is_refused(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(url("set_status", lead), {"status": "lost"}, follow=True)
        assert "either New or Contacted" in response.content.decode()

    def test_disqualify_and_reactivate(self, as_alice, alice):
        lead = make_lead(owner=alice)

        as_alice.post(url("disqualify", lead), {"status": "lost", "note": "Too small"})
        lead.refresh_from_db()
        assert (lead.state, lead.status) == (State.DISQUALIFIED, Status.LOST)

        as_alice.post(url("reactivate", lead))
        lead.refresh_from_db()
        assert (lead.state, lead.status) == (State.OPEN, Status.NEW)

    def test_disqualify_keeping_the_contact(self, as_alice, alice):
        lead = make_lead(owner=alice)
        as_alice.post(url("disqualify", lead), {"status": "canceled", "keep_contact": "on"})
        assert Contact.objects.get().email == lead.email

    def test_disqualify_without_a_reason_is_refused(self, as_alice, alice):
        lead = make_lead(owner=alice)
        assert as_alice.post(url("disqualify", lead), {"note": "x"}).status_code == 400
        lead.refresh_from_db()
        assert lead.is_open

    def test_another_team_gets_404_everywhere(self, as_carol, alice):
        lead = make_lead(owner=alice)
        for name in ("set_status", "disqualify", "reactivate", "assign"):
            assert as_carol.post(url(name, lead), {"status": "lost"}).status_code == 404

    def test_get_is_not_allowed_for_posts_only(self, as_alice, alice):
        lead = make_lead(owner=alice)
        assert as_alice.get(url("set_status", lead)).status_code == 405
        assert as_alice.get(url("reactivate", lead)).status_code == 405

    def test_assign_to_a_teammate(self, as_alice, alice, bob):
        lead = make_lead(owner=alice)
        response = as_alice.post(url("assign", lead), {"owner": f"user:{bob.pk}"})
        assert response.status_code == 302
        lead.refresh_from_db()
        assert lead.owner == bob

    def test_assign_refuses_put(self, as_alice, alice):
        assert as_alice.put(url("assign", make_lead(owner=alice))).status_code == 405
