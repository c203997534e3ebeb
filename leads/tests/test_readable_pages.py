"""Numbers and phone numbers people can read on the record pages (issue 15): money with its
currency and thousands separators, phone numbers as tel: links."""

from decimal import Decimal

from django.urls import reverse

from accounts.tests.factories import AccountFactory, ContactFactory
from leads.tests.factories import make_lead
from opportunities.tests.factories import CurrencyFactory, OpportunityFactory


def test_the_lead_page_shows_budget_and_value_as_money_in_the_base_currency(
    as_alice, alice, settings
):
    lead = make_lead(
        owner=alice, budget_amount=Decimal("1234567.5"), estimated_value=Decimal("9999.99")
    )

    html = as_alice.get(lead.get_absolute_url()).content.decode()

    assert f'data-testid="budget">{settings.BASE_CURRENCY} 1,234,567.50' in html
    assert f'data-testid="estimated-value">{settings.BASE_CURRENCY} 9,999.99<' in html


def test_the_lead_page_links_its_phone_numbers(as_alice, alice):
    lead = make_lead(owner=alice, business_phone="+45 33 88 11 00", mobile_phone="20 30 40 50")

    html = as_alice.get(lead.get_absolute_url()).content.decode()

    assert '<a href="tel:+4533881100" class="tel">+45 33 88 11 00</a>' in html
    assert '<a href="tel:20304050" class="tel">20 30 40 50</a>' in html


def test_an_opportunity_shows_its_own_currency(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    usd = CurrencyFactory(code="USD")
    opportunity = OpportunityFactory(
        owner_user=alice, account=account, currency=usd, estimated_value=Decimal("1234567.5")
    )

    detail = as_alice.get(opportunity.get_absolute_url()).content.decode()
    listing = as_alice.get(reverse("opportunities:list")).content.decode()

    assert "USD 1,234,567.50" in detail
    assert "USD 1,234,567.50" in listing


def test_account_and_contact_pages_and_lists_link_phone_numbers(as_alice, alice):
    account = AccountFactory(owner_user=alice, phone="+45 70 10 20 30")
    contact = ContactFactory(owner_user=alice, account=account, business_phone="+45 33 11 22 33")
    link_account = '<a href="tel:+4570102030" class="tel">'
    link_contact = '<a href="tel:+4533112233" class="tel">'

    assert link_account in as_alice.get(account.get_absolute_url()).content.decode()
    assert link_contact in as_alice.get(account.get_absolute_url()).content.decode()
    assert link_contact in as_alice.get(contact.get_absolute_url()).content.decode()
    assert link_account in as_alice.get(reverse("accounts:account_list")).content.decode()
    assert link_contact in as_alice.get(reverse("accounts:contact_list")).content.decode()


def test_the_name_company_or_email_rule_is_said_once_on_the_last_name(as_alice, alice):
    response = as_alice.post(
        reverse("leads:create"),
        {"first_name": "Anna", "owner": f"user:{alice.pk}", "preferred_contact_method": 1},
    )

    html = response.content.decode()
    assert html.count("Enter at least a last name, a company name or an e-mail address.") == 1
    field = html.split('id="div_id_last_name"', 1)[1].split('id="div_id_', 1)[0]
    assert "Enter at least a last name" in field


def test_the_lead_form_marks_required_fields_and_explains_the_one_of_three_rule(as_alice):
    html = as_alice.get(reverse("leads:create")).content.decode()

    last_name = html.split('id="div_id_last_name"', 1)[1].split('id="div_id_', 1)[0]
    assert "at least one of the three" in last_name
    owner = html.split('id="div_id_owner"', 1)[1].split("</label>", 1)[0]
    assert 'class="asteriskField"' in owner  # crispy's mark on a required label


def test_the_lead_form_says_how_long_a_long_text_may_be(as_alice):
    html = as_alice.get(reverse("leads:create")).content.decode()

    topic = html.split('id="div_id_topic"', 1)[1].split('id="div_id_', 1)[0]
    assert 'maxlength="300"' in topic
    assert "Up to 300 characters." in topic


def test_an_over_long_topic_is_refused_with_its_limit_not_cut(as_alice, alice):
    from leads.models import Lead
    from leads.tests.factories import lead_data

    data = {**lead_data(topic="x" * 301), "owner": f"user:{alice.pk}"}
    data["preferred_contact_method"] = 1
    response = as_alice.post(reverse("leads:create"), data)

    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters (it has 301)." in (
        response.content.decode()
    )
    assert not Lead.objects.exists()
