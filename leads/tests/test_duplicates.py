"""Lead entry and qualification ask the account check with everything the lead knows."""

from accounts.tests.factories import AccountFactory
from leads.duplicates import possible_duplicates, qualification_duplicates
from leads.tests.factories import lead_data, make_lead


def _accounts(matches):
    return [match.record for match in matches if match.record._meta.model_name == "account"]


def test_lead_entry_finds_an_account_by_the_leads_e_mail(alice):
    nordlys = AccountFactory(owner_user=alice, name="Nordlys Energi", email="info@nordlys.example")
    data = lead_data(company_name="Totally Different", email="INFO@nordlys.example ")
    data["business_phone"] = ""
    [match] = [m for m in possible_duplicates(user=alice, data=data) if m.record == nordlys]
    assert "same e-mail address" in match.reasons


def test_lead_entry_finds_an_account_by_the_leads_e_mail_domain(alice):
    nordlys = AccountFactory(owner_user=alice, name="Nordlys", website="https://nordlys.example")
    data = lead_data(company_name="Other", email="anna@nordlys.example", business_phone="")
    assert _accounts(possible_duplicates(user=alice, data=data)) == [nordlys]


def test_a_free_mail_address_does_not_make_accounts_match(alice):
    AccountFactory(owner_user=alice, name="Nordlys", email="nordlys@gmail.com")
    data = lead_data(company_name="Other", email="anna@gmail.com", business_phone="")
    assert _accounts(possible_duplicates(user=alice, data=data)) == []


def test_qualifying_finds_an_account_by_the_leads_e_mail(alice):
    nordlys = AccountFactory(owner_user=alice, name="Nordlys", email="sales@nordlys.example")
    lead = make_lead(
        owner=alice, company_name="Other", email="sales@nordlys.example", business_phone=""
    )
    found = qualification_duplicates(user=alice, lead=lead)["accounts"]
    assert [match.record for match in found] == [nordlys]
