"""The qualify page's choices (issue 15): a sure duplicate is preselected and similar ones stay
suggestions; choosing an existing record wins over creating one (the "create" box is
unticked); an existing opportunity brings its account; its estimated value can take the
lead's. Each with the happy path, the wrong method and the wrong user."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from leads import services
from leads.models import Qualification
from leads.tests.factories import make_lead
from opportunities.models import Currency, Opportunity
from opportunities.tests.factories import CurrencyFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ALL_THREE = {"create_account": "on", "create_contact": "on", "create_opportunity": "on"}


def qualify_url(lead):
    return reverse("leads:qualify", args=[lead.pk])


def _first_lead_qualified(alice):
    """Lead A of Fabrikam qualified into a new account, contact and opportunity (30,000)."""
    first = make_lead(owner=alice, estimated_value=Decimal("30000"))
    qualification = services.qualify_lead(
        lead=first, user=alice, create_account=True, create_contact=True, create_opportunity=True
    )
    return qualification.opportunity


def _second_lead(alice, **fields):
    return make_lead(
        owner=alice,
        first_name="Jens",
        last_name="Jensen",
        email="jens@fabrikam.example",
        business_phone="",
        estimated_value=Decimal("12000"),
        **fields,
    )


class TestSureMatches:
    def test_an_account_of_the_same_normalised_name_is_preselected(self, as_alice, alice):
        fabrikam = AccountFactory(owner_user=alice, name="FABRIKAM a/s")
        lead = make_lead(owner=alice)  # company "Fabrikam A/S"

        response = as_alice.get(qualify_url(lead))

        form = response.context["form"]
        assert str(form["account"].value()) == str(fabrikam.pk)
        assert form["create_account"].value() is False
        assert response.context["preview"][0]["title"] == "Use FABRIKAM a/s"

    def test_a_similar_name_stays_a_suggestion(self, as_alice, alice):
        AccountFactory(owner_user=alice, name="Fabricam")
        lead = make_lead(owner=alice)

        response = as_alice.get(qualify_url(lead))

        form = response.context["form"]
        assert [m.record.name for m in response.context["duplicates"]["accounts"]] == ["Fabricam"]
        assert not form["account"].value() and form["create_account"].value() is True
        assert response.context["preview"][0]["title"] == "Create a new account"
        assert "Use Fabricam" in response.content.decode()  # offered

    def test_a_contact_with_the_same_e_mail_address_is_preselected(self, as_alice, alice):
        anna = ContactFactory(
            owner_user=alice, first_name="A.", last_name="H", email="ANNA.hansen@fabrikam.example"
        )
        lead = make_lead(owner=alice)

        form = as_alice.get(qualify_url(lead)).context["form"]

        assert str(form["contact"].value()) == str(anna.pk)
        assert form["create_contact"].value() is False

    def test_the_same_phone_is_sure_only_with_the_same_name(self, as_alice, alice):
        lead = make_lead(owner=alice, email="")  # phone +45 33 88 11 00
        other = ContactFactory(
            owner_user=alice,
            first_name="Bo",
            last_name="Berg",
            email="",
            business_phone="33881100",
        )

        first = as_alice.get(qualify_url(lead))
        anna = ContactFactory(
            owner_user=alice,
            first_name="anna",
            last_name="HANSEN",
            email="",
            business_phone="+4533881100",
        )
        second = as_alice.get(qualify_url(lead))

        assert [m.record for m in first.context["duplicates"]["contacts"]] == [other]
        assert not first.context["form"]["contact"].value()
        assert str(second.context["form"]["contact"].value()) == str(anna.pk)

    def test_another_teams_twin_is_never_preselected(self, as_alice, alice, carol):
        AccountFactory(owner_user=carol, name="Fabrikam")
        lead = make_lead(owner=alice)

        form = as_alice.get(qualify_url(lead)).context["form"]

        assert not form["account"].value() and form["create_account"].value() is True


class TestExistingWinsOverCreate:
    def test_choosing_an_existing_account_unticks_create_account_in_the_refresh(
        self, as_alice, alice
    ):
        contoso = AccountFactory(owner_user=alice, name="Contoso Ltd")
        lead = make_lead(owner=alice)

        response = as_alice.post(qualify_url(lead), {**ALL_THREE, "account": contoso.pk}, **HTMX)

        content = response.content.decode()
        assert response.status_code == 200
        assert response.context["problem"] is None
        assert response.context["form"]["create_account"].value() is False
        assert response.context["preview"][0]["title"] == "Use Contoso Ltd"
        # The records fieldset is in the answer for the out-of-band swap, the box unticked.
        assert 'id="qualify-records"' in content
        assert 'name="create_account" class="checkboxinput form-check-input" id' in content
        assert 'name="create_account" class="checkboxinput form-check-input" checked' not in (
            content
        )

    def test_choosing_an_existing_opportunity_without_script_creates_no_second_account(
        self, as_alice, alice
    ):
        opportunity = _first_lead_qualified(alice)
        second = _second_lead(alice)

        response = as_alice.post(
            qualify_url(second),
            {**ALL_THREE, "existing_opportunity": opportunity.pk, "confirm": "1"},
        )

        assert response.status_code == 302
        qualification = Qualification.objects.get(lead=second)
        assert qualification.opportunity == opportunity and not qualification.created_opportunity
        assert qualification.account == opportunity.account and not qualification.created_account
        assert Account.objects.count() == 1 and Opportunity.objects.count() == 1
        assert Contact.objects.get(last_name="Jensen").account == opportunity.account

    def test_the_preview_names_the_opportunitys_account(self, as_alice, alice):
        opportunity = _first_lead_qualified(alice)
        second = _second_lead(alice)

        response = as_alice.post(
            qualify_url(second), {**ALL_THREE, "existing_opportunity": opportunity.pk}, **HTMX
        )

        form = response.context["form"]
        assert str(form["account"].value()) == str(opportunity.account_id)
        assert form["create_account"].value() is False
        assert form["create_opportunity"].value() is False
        titles = [block["title"] for block in response.context["preview"]]
        assert titles[0] == f"Use {opportunity.account}"
        assert titles[2] == f"Use {opportunity}"

    def test_the_refresh_refuses_another_user_and_the_wrong_method(self, as_carol, alice, client):
        lead = make_lead(owner=alice)
        assert as_carol.post(qualify_url(lead), ALL_THREE, **HTMX).status_code == 404
        assert client.put(qualify_url(lead)).status_code in (302, 405)


class TestEstimatedValueAdded:
    def test_the_box_is_ticked_when_the_lead_has_a_value_and_the_preview_says_what_it_adds(
        self, as_alice, alice
    ):
        opportunity = _first_lead_qualified(alice)
        second = _second_lead(alice)

        first_view = as_alice.get(qualify_url(second))
        refresh = as_alice.post(
            qualify_url(second),
            {**ALL_THREE, "existing_opportunity": opportunity.pk, "add_estimated_value": "on"},
            **HTMX,
        )

        assert first_view.context["form"]["add_estimated_value"].value() is True
        assert (
            f"Adds EUR 12,000.00 to {opportunity}: EUR 30,000.00 → EUR 42,000.00"
            in refresh.content.decode()
        )

    def test_qualifying_adds_the_value_as_a_new_version_with_history(self, as_alice, alice):
        opportunity = _first_lead_qualified(alice)
        second = _second_lead(alice)
        version, history = opportunity.version, opportunity.history.count()

        response = as_alice.post(
            qualify_url(second),
            {"existing_opportunity": opportunity.pk, "add_estimated_value": "on", "confirm": "1"},
            follow=True,
        )

        opportunity.refresh_from_db()
        assert opportunity.estimated_value == Decimal("42000")
        assert opportunity.version == version + 1
        assert opportunity.history.count() == history + 1
        assert opportunity.history.first().history_change_reason.startswith("Estimated value")
        assert (
            f"Added EUR 12,000.00 to {opportunity}: EUR 30,000.00 → EUR 42,000.00."
            in response.content.decode()
        )
        options = Qualification.objects.get(lead=second).options
        assert options["value_added"] == ["12000.00", "30000.00", "42000.00"]

    def test_unticked_the_value_is_left_alone(self, as_alice, alice):
        opportunity = _first_lead_qualified(alice)
        second = _second_lead(alice)

        as_alice.post(
            qualify_url(second), {"existing_opportunity": opportunity.pk, "confirm": "1"}
        )

        opportunity.refresh_from_db()
        assert opportunity.estimated_value == Decimal("30000")
        assert Qualification.objects.get(lead=second).opportunity == opportunity

    def test_a_lead_without_a_value_is_not_offered_the_box(self, as_alice, alice):
        lead = make_lead(owner=alice)
        assert "add_estimated_value" not in as_alice.get(qualify_url(lead)).context["form"].fields

    def test_an_opportunity_in_another_currency_keeps_its_value_and_says_why(self, alice):
        other = Currency.objects.exclude(pk=Currency.objects.base().pk).first()
        other = other or CurrencyFactory(code="XTS", name="Test", symbol="¤", exchange_rate=2)
        account = AccountFactory(owner_user=alice, name="Fabrikam")
        opportunity = OpportunityFactory(
            owner_user=alice, account=account, currency=other, estimated_value=Decimal("500")
        )
        lead = _second_lead(alice)

        qualification = services.qualify_lead(
            lead=lead, user=alice, existing_opportunity=opportunity, add_estimated_value=True
        )

        opportunity.refresh_from_db()
        assert opportunity.estimated_value == Decimal("500")
        assert qualification.value_added is None

    def test_qualifying_into_an_existing_opportunity_takes_a_fixed_number_of_queries(
        self, as_alice, alice
    ):
        opportunity = _first_lead_qualified(alice)
        second = _second_lead(alice)
        data = {**ALL_THREE, "existing_opportunity": opportunity.pk, "add_estimated_value": "on"}

        with CaptureQueriesContext(connection) as queries:
            response = as_alice.post(qualify_url(second), {**data, "confirm": "1"})

        assert response.status_code == 302
        # session, user (administrator or not), scope; the lead; the opportunity (with its
        # account), the account's visibility (its default); in the savepoint: the lead locked,
        # qualify_lead's plan (the account's and the opportunity's visibility, the currency of
        # the value), the contact and its history, the opportunity locked, updated and its
        # history, the qualification, the lead and its history, the stay it ends, the new
        # status-log entry (23, the savepoint's 2 included). A confirmed POST that qualifies
        # plans once, in the service: the view plans only to show a refusal.
        assert len(queries) == 23, "\n".join(q["sql"][:110] for q in queries)


def test_the_confirmed_page_post_creating_all_three_keeps_its_query_count(as_alice, alice):
    lead = make_lead(owner=alice)

    with CaptureQueriesContext(connection) as queries:
        response = as_alice.post(qualify_url(lead), {**ALL_THREE, "confirm": "1"})

    assert response.status_code == 302
    # session, user (administrator or not), scope; the lead; in the savepoint: qualify_lead's
    # 14 (test_qualify_queries) and the savepoint's 2. The view does not plan what the
    # service plans (only a refusal shows the preview), no duplicate search (only a page
    # that is shown needs one) and nothing for the lookups.
    assert len(queries) == 19, "\n".join(q["sql"][:110] for q in queries)
