"""A rep never sees another team's records: alice (North) types the addresses of carol's (South)
lead, account, contact and opportunity and gets the "not found" page every time, and her
forged form posts change nothing."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import AccountFactory, ContactFactory
from leads.models import Lead, LeadLink, State
from leads.tests.factories import make_lead
from opportunities.models import Opportunity
from opportunities.tests.factories import OpportunityFactory

SECRET = "Southern secret"


@pytest.fixture
def carols_records(carol):
    account = AccountFactory(owner_user=carol, name=f"{SECRET} account")
    contact = ContactFactory(
        owner_user=carol, first_name=SECRET, last_name="Contact", account=account
    )
    return {
        "account": account,
        "contact": contact,
        "lead": make_lead(owner=carol, topic=f"{SECRET} lead", company_name="South Co"),
        "opportunity": OpportunityFactory(
            owner_user=carol, account=account, topic=f"{SECRET} deal"
        ),
        "won": OpportunityFactory(
            owner_user=carol,
            account=account,
            topic=f"{SECRET} won deal",
            state=Opportunity.State.WON,
            status=Opportunity.Status.WON,
        ),
    }


def expect_not_found(page, url):
    response = page.goto(url)
    assert response.status == 404, f"{url}: {response.status}"
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(SECRET)


def test_another_teams_records_are_not_found_pages(
    page, live_server, login, alice, carols_records
):
    records = carols_records
    lead, account = records["lead"], records["account"]
    contact, deal = records["contact"], records["opportunity"]
    login(alice)
    base = live_server.url
    for path in (
        f"/leads/{lead.pk}/",
        f"/leads/{lead.pk}/edit/",
        f"/leads/{lead.pk}/qualify/",
        f"/leads/{lead.pk}/assign/",
        f"/leads/{lead.pk}/disqualify/",
        f"/accounts/{account.pk}/",
        f"/accounts/{account.pk}/edit/",
        f"/accounts/contacts/{contact.pk}/",
        f"/accounts/contacts/{contact.pk}/edit/",
        f"/opportunities/{deal.pk}/",
        f"/opportunities/{deal.pk}/edit/",
        f"/opportunities/{deal.pk}/close/",
        f"/activities/timeline/accounts.account/{account.pk}/",
        f"/activities/timeline/leads.lead/{lead.pk}/",
        f"/leads/links/account/{account.pk}/",
        f"/leads/links/contact/{contact.pk}/",
    ):
        expect_not_found(page, f"{base}{path}")

    # Lists and pickers do not show them either, even when asked by id.
    for path in (
        "/leads/?view=any",
        "/accounts/?is_active=",
        "/accounts/contacts/?is_active=",
        "/opportunities/?state=",
        f"/opportunities/?account={account.pk}&state=",
        f"/accounts/contacts/?account={account.pk}&is_active=",
        f"/opportunities/new/?account={account.pk}",
        f"/lookup/account/?name=account&account={account.pk}&q=southern",
    ):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        expect(page.locator("body")).not_to_contain_text(SECRET)


def test_forged_posts_on_another_teams_records_change_nothing(
    page, live_server, login, alice, carols_records
):
    records = carols_records
    lead, account = records["lead"], records["account"]
    mine = make_lead(owner=alice, topic="Alice's lead", email="a@example.com")
    login(alice)
    base = live_server.url
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")

    def post(path, **form):
        return page.request.post(
            f"{base}{path}",
            form=form,
            headers={"X-CSRFToken": token, "Referer": f"{base}/"},
            max_redirects=0,
        )

    for path, form in (
        (f"/accounts/{account.pk}/deactivate/", {}),
        (f"/accounts/contacts/{records['contact'].pk}/deactivate/", {}),
        (f"/opportunities/{records['won'].pk}/reopen/", {}),
        (
            f"/opportunities/{records['opportunity'].pk}/close/",
            {"outcome": "won", "close_date": "2030-01-01"},
        ),
        (f"/leads/{lead.pk}/reactivate/", {}),
        (f"/leads/{lead.pk}/status/", {"status": "contacted"}),
        (f"/leads/{lead.pk}/disqualify/", {"status": "lost"}),
        (f"/leads/{lead.pk}/links/", {"account": str(account.pk)}),
    ):
        response = post(path, **form)
        assert response.status == 404, f"{path}: {response.status}"

    # Linking her own lead to carol's account, or bulk-assigning carol's lead: refused.
    assert post(f"/leads/{mine.pk}/links/", account=str(account.pk)).status == 302
    assert (
        post("/leads/bulk/", action="assign", leads=str(lead.pk), owner=f"user:{alice.pk}").status
        == 302
    )
    page.goto(f"{base}/leads/")  # the two refusals' messages show on the next page
    expect(page.locator(".messages .alert-danger")).to_have_count(2)

    account.refresh_from_db()
    records["contact"].refresh_from_db()
    lead.refresh_from_db()
    assert account.is_active and records["contact"].is_active
    assert Opportunity.objects.get(pk=records["won"].pk).state == Opportunity.State.WON
    assert Opportunity.objects.get(pk=records["opportunity"].pk).state == Opportunity.State.OPEN
    assert (lead.owner, lead.state, lead.status) == (records["lead"].owner, State.OPEN, "new")
    assert not LeadLink.objects.exists()
    assert Lead.objects.get(pk=lead.pk).version == 1
