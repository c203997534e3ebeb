import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory, ContactFactory
from crm.services import update_record
from opportunities.models import Currency, Opportunity
from opportunities.services import win_opportunity
from opportunities.tests.factories import OpportunityFactory


def _form(**overrides):
    data = {
        "topic": "Smart meters",
        "currency": Currency.objects.base().pk,
        "sales_stage": 0,
        "status": 1,
        "estimated_value": "1000",
    }
    return {**data, **overrides}


@pytest.fixture
def acme(alice):
    return AccountFactory(owner_user=alice, name="Acme")


@pytest.fixture
def deal(alice, acme):
    return OpportunityFactory(owner_user=alice, account=acme, topic="Smart meters")


# --- list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_query_count_does_not_grow(
    as_alice, alice, acme, rows, django_assert_num_queries
):
    contact = ContactFactory(owner_user=alice)
    OpportunityFactory.create_batch(rows, owner_user=alice, account=acme)
    OpportunityFactory.create_batch(rows, owner_user=alice, contact=contact)
    # session, user, navbar's sales-manager check,
    # page count (capped), the page's ids, the page's rows (customer, currency, owner joined),
    # the campaign filter's choices
    with django_assert_num_queries(7):
        response = as_alice.get(reverse("opportunities:list"))
    assert len(response.context["page"].object_list) == min(2 * rows, 25)


def test_the_list_shows_open_visible_opportunities_by_default(as_alice, alice, carol, acme, deal):
    closed = OpportunityFactory(owner_user=alice, account=acme, topic="Old deal")
    win_opportunity(opportunity=closed, user=alice)
    OpportunityFactory(owner_user=carol, account=AccountFactory(owner_user=carol), topic="Hidden")
    response = as_alice.get(reverse("opportunities:list"))
    assert [o.topic for o in response.context["page"]] == ["Smart meters"]
    won = as_alice.get(reverse("opportunities:list"), {"state": Opportunity.State.WON})
    assert [o.topic for o in won.context["page"]] == ["Old deal"]


def test_the_list_searches_and_sorts(as_alice, alice, acme):
    OpportunityFactory(owner_user=alice, account=acme, topic="Alpha", estimated_value=5)
    OpportunityFactory(owner_user=alice, account=acme, topic="Beta", estimated_value=9)
    url = reverse("opportunities:list")
    response = as_alice.get(url, {"state": 0, "ordering": "-value"})
    assert [o.topic for o in response.context["page"]] == ["Beta", "Alpha"]
    response = as_alice.get(url, {"q": "acme", "ordering": "topic"})
    assert [o.topic for o in response.context["page"]] == ["Alpha", "Beta"]


def test_the_list_refuses_post(as_alice):
    assert as_alice.post(reverse("opportunities:list")).status_code == 405


# --- detail -------------------------------------------------------------------------------


def test_the_detail_shows_the_customer_and_actions(as_alice, deal):
    response = as_alice.get(deal.get_absolute_url())
    assert response.status_code == 200
    assert "Acme" in response.text
    assert reverse("opportunities:close", args=[deal.pk]) in response.text


def test_the_detail_query_count_is_fixed(as_alice, deal, django_assert_num_queries):
    as_alice.get(deal.get_absolute_url())  # warm process caches (content types)
    # session, user, navbar's sales-manager check,
    # opportunity (+ can_edit, customer, currency, owner,
    # modifier joined), the leads panel (leads' record_leads tag: source leads, their
    # links), the activities timeline (count; it reads the source leads' timelines through
    # in the same query), the process bar's stage history.
    # leads/tests/test_record_leads.py counts it with 1 and 50 leads.
    # + 1: the e-mails sent from it (mail's "E-mails sent" panel, mail/panels.py).
    with django_assert_num_queries(10):
        as_alice.get(deal.get_absolute_url())


def test_another_teams_opportunity_is_a_404(as_carol, deal):
    assert as_carol.get(deal.get_absolute_url()).status_code == 404
    assert as_carol.get(reverse("opportunities:edit", args=[deal.pk])).status_code == 404
    assert as_carol.post(reverse("opportunities:close", args=[deal.pk])).status_code == 404
    assert as_carol.post(reverse("opportunities:reopen", args=[deal.pk])).status_code == 404


def test_the_detail_refuses_post(as_alice, deal):
    assert as_alice.post(deal.get_absolute_url()).status_code == 405


# --- create and edit ----------------------------------------------------------------------


def test_creating_an_opportunity_for_an_account(as_alice, alice, acme):
    url = reverse("opportunities:create")
    assert as_alice.get(url, {"account": acme.pk}).context["form"].initial["account"] == acme
    response = as_alice.post(url, _form(account=acme.pk, owner=f"user:{alice.pk}"))
    opportunity = Opportunity.objects.get()
    assert response.url == opportunity.get_absolute_url()
    assert (opportunity.customer, opportunity.owner, opportunity.state) == (acme, alice, 0)


def test_creating_for_a_contact_preselects_it(as_alice, alice):
    anna = ContactFactory(owner_user=alice)
    response = as_alice.get(reverse("opportunities:create"), {"contact": anna.pk})
    assert response.context["form"].initial["contact"] == anna


def test_the_customer_must_be_exactly_one(as_alice, alice, acme):
    anna = ContactFactory(owner_user=alice)
    url = reverse("opportunities:create")
    for extra in ({}, {"account": acme.pk, "contact": anna.pk}):
        response = as_alice.post(url, _form(owner=f"user:{alice.pk}", **extra))
        assert response.status_code == 200
        assert response.text.count("exactly one potential customer") == 1  # said once
    assert not Opportunity.objects.exists()


def test_a_probability_over_100_is_refused(as_alice, alice, acme):
    response = as_alice.post(
        reverse("opportunities:create"),
        _form(owner=f"user:{alice.pk}", account=acme.pk, probability=120),
    )
    assert "probability" in response.context["form"].errors


def test_an_opportunity_has_a_contact_person_and_a_source_campaign(as_alice, alice, acme):
    from leads.tests.factories import CampaignFactory

    campaign = CampaignFactory(name="Spring fair")
    anna = ContactFactory(owner_user=alice, account=acme, first_name="Anna", last_name="Berg")
    response = as_alice.post(
        reverse("opportunities:create"),
        _form(
            account=acme.pk,
            parent_contact=anna.pk,
            source_campaign=campaign.pk,
            owner=f"user:{alice.pk}",
        ),
    )
    opportunity = Opportunity.objects.get()
    assert response.url == opportunity.get_absolute_url()
    assert (opportunity.parent_contact, opportunity.source_campaign) == (anna, campaign)

    page = as_alice.get(opportunity.get_absolute_url())
    assert "Anna Berg" in page.text and "Spring fair" in page.text

    listed = as_alice.get(reverse("opportunities:list"), {"source_campaign": campaign.pk})
    assert list(listed.context["page"]) == [opportunity]
    other = CampaignFactory(name="Autumn fair")
    assert (
        not as_alice.get(reverse("opportunities:list"), {"source_campaign": other.pk})
        .context["page"]
        .object_list
    )


def test_a_contact_customer_takes_no_contact_person(as_alice, alice):
    anna, ben = ContactFactory(owner_user=alice), ContactFactory(owner_user=alice)
    response = as_alice.post(
        reverse("opportunities:create"),
        _form(contact=anna.pk, parent_contact=ben.pk, owner=f"user:{alice.pk}"),
    )
    assert response.status_code == 200
    assert "a contact person is only for an account" in response.text
    assert not Opportunity.objects.exists()


def test_create_refuses_put(as_alice):
    assert as_alice.put(reverse("opportunities:create")).status_code == 405


def test_editing_an_opportunity(as_alice, alice, acme, deal):
    response = as_alice.post(
        reverse("opportunities:edit", args=[deal.pk]),
        _form(owner=f"user:{alice.pk}", account=acme.pk, status=2, expected_version=1),
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.status, deal.version) == (Opportunity.Status.ON_HOLD, 2)


def test_an_edit_cannot_close_through_the_status_field(as_alice, alice, acme, deal):
    response = as_alice.post(
        reverse("opportunities:edit", args=[deal.pk]),
        _form(owner=f"user:{alice.pk}", account=acme.pk, status=3, expected_version=1),
    )
    assert "status" in response.context["form"].errors


def test_a_stale_edit_is_refused_naming_who_and_when(as_alice, alice, acme, manager, deal):
    update_record(deal, user=manager, data={"topic": "Renamed"}, expected_version=1)
    response = as_alice.post(
        reverse("opportunities:edit", args=[deal.pk]),
        _form(owner=f"user:{alice.pk}", account=acme.pk, topic="Mine", expected_version=1),
    )
    assert response.status_code == 409
    assert "Maria Manning changed this record at" in response.text
    deal.refresh_from_db()
    assert deal.topic == "Renamed"


def test_a_closed_opportunity_is_not_edited(as_alice, alice, deal):
    win_opportunity(opportunity=deal, user=alice)
    response = as_alice.get(reverse("opportunities:edit", args=[deal.pk]), follow=True)
    assert "reopen it first" in response.text


def test_a_teammate_cannot_edit_but_the_manager_can(client, bob, manager, deal):
    client.force_login(bob)
    assert client.get(reverse("opportunities:edit", args=[deal.pk])).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("opportunities:edit", args=[deal.pk])).status_code == 200


def test_edit_refuses_delete(as_alice, deal):
    assert as_alice.delete(reverse("opportunities:edit", args=[deal.pk])).status_code == 405


# --- close and reopen ---------------------------------------------------------------------


def test_closing_as_won(as_alice, deal):
    url = reverse("opportunities:close", args=[deal.pk])
    assert as_alice.get(url).status_code == 200
    response = as_alice.post(
        url,
        {
            "outcome": "won",
            "actual_value": "1500",
            "close_date": "2026-11-20",
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.state, deal.actual_value) == (Opportunity.State.WON, 1500)
    assert deal.actual_close_date == datetime.date(2026, 11, 20)


def test_closing_as_lost_out_sold(as_alice, deal):
    as_alice.post(
        reverse("opportunities:close", args=[deal.pk]),
        {"outcome": "out_sold", "close_date": "2026-11-20", "description": "Rival was cheaper"},
    )
    deal.refresh_from_db()
    assert (deal.state, deal.status, deal.actual_value) == (2, Opportunity.Status.OUT_SOLD, 0)


def test_closing_twice_shows_a_clear_message(as_alice, alice, deal):
    win_opportunity(opportunity=deal, user=alice)
    response = as_alice.post(
        reverse("opportunities:close", args=[deal.pk]),
        {"outcome": "canceled", "close_date": "2026-11-20"},
    )
    assert response.status_code == 409
    assert "Only an open opportunity can be closed" in response.text


def test_a_bad_close_form_is_shown_again(as_alice, deal):
    response = as_alice.post(
        reverse("opportunities:close", args=[deal.pk]), {"outcome": "maybe", "close_date": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"outcome", "close_date"}


def test_close_refuses_put(as_alice, deal):
    assert as_alice.put(reverse("opportunities:close", args=[deal.pk])).status_code == 405


def test_reopening(as_alice, alice, deal):
    win_opportunity(opportunity=deal, user=alice)
    response = as_alice.post(reverse("opportunities:reopen", args=[deal.pk]), follow=True)
    assert "Opportunity reopened." in response.text
    deal.refresh_from_db()
    assert deal.state == Opportunity.State.OPEN
    again = as_alice.post(reverse("opportunities:reopen", args=[deal.pk]), follow=True)
    assert "already open" in again.text


def test_reopen_needs_post(as_alice, deal):
    assert as_alice.get(reverse("opportunities:reopen", args=[deal.pk])).status_code == 405


def test_the_process_bar_shows_the_stage_since_it_was_reached_and_moves_by_a_click(as_alice, deal):
    from opportunities.models import SalesStage
    from opportunities.services import set_sales_stage

    set_sales_stage(opportunity=deal, user=deal.owner_user, stage=SalesStage.DEVELOP)
    deal.refresh_from_db()
    html = as_alice.get(deal.get_absolute_url()).text
    assert 'aria-current="step"' in html
    current = html.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "Develop" in current and "since" in current
    # The other stages are buttons that move it, with the version.
    assert 'name="sales_stage" value="2"' in html

    response = as_alice.post(
        reverse("opportunities:set_stage", args=[deal.pk]),
        {"sales_stage": "2", "expected_version": deal.version, "next": deal.get_absolute_url()},
    )
    assert response.status_code == 302
    assert response["Location"] == deal.get_absolute_url()
    deal.refresh_from_db()
    assert deal.sales_stage == SalesStage.PROPOSE


def test_a_won_opportunity_ends_its_process_bar_on_won(as_alice, deal):
    from opportunities.services import win_opportunity

    win_opportunity(opportunity=deal, user=deal.owner_user)
    html = as_alice.get(deal.get_absolute_url()).text
    current = html.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "Won" in current
    assert 'name="sales_stage"' not in html
