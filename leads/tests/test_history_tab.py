"""The History tab of the record pages: in words, with the reasons, read-only, scoped."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import AccountFactory, ContactFactory
from crm.services import update_record
from leads import services
from leads.imports.models import ImportBatch
from leads.imports.tests.conftest import write_csv
from leads.models import Lead
from leads.tests.factories import make_lead
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def entries_text(response):
    """The History tab's entries as a reader sees them (tags dropped, spaces folded)."""
    import re

    html = response.content.decode()
    start = html.index('data-testid="history-entries"')
    text = re.sub(r"<[^>]+>", " ", html[start:])
    return " ".join(text.split())


def test_the_tab_shows_a_bulk_reassignment_in_words(as_alice, alice, bob):
    lead = make_lead(owner=alice, rating="warm")
    response = as_alice.post(
        reverse("leads:bulk"),
        {"action": "assign", "owner": f"user:{bob.pk}", "leads": [lead.pk]},
    )
    assert response.status_code in (200, 302), response.content
    assert Lead.objects.get(pk=lead.pk).owner_user == bob

    response = as_alice.get(reverse("leads:history", args=[lead.pk]))

    assert response.status_code == 200
    text = entries_text(response)
    assert "Why: Bulk assignment" in text
    assert "Owner Alice Adams → Bob Berg" in text
    assert "owner_user" not in text and f"user:{bob.pk}" not in text


def test_the_tab_shows_an_imports_changes_with_its_number(tmp_path, as_admin, admin_user):
    lead = make_lead(owner=admin_user, email="anna@fabrikam.example", rating="cold")
    path = write_csv(
        tmp_path / "leads.csv",
        [
            ["Last Name", "Email", "Rating", "Industry"],
            ["Hansen", "anna@fabrikam.example", "Hot", "Consulting"],
        ],
    )
    call_command("import_leads", str(path), "--user", "admin", "--dedupe", "update")
    batch = ImportBatch.objects.get()

    text = entries_text(as_admin.get(reverse("leads:history", args=[lead.pk])))

    assert f"Why: Import #{batch.pk}" in text
    assert "Rating Cold → Hot" in text
    assert "Industry — → Consulting" in text


def test_details_and_history_are_tabs_of_each_record_page(as_alice, alice):
    lead = make_lead(owner=alice)
    account = AccountFactory(owner_user=alice)
    contact = ContactFactory(owner_user=alice, account=account)
    opportunity = OpportunityFactory(owner_user=alice, account=account)
    pages = [
        ("leads:detail", "leads:history", lead),
        ("accounts:account_detail", "accounts:account_history", account),
        ("accounts:contact_detail", "accounts:contact_history", contact),
        ("opportunities:detail", "opportunities:history", opportunity),
    ]
    for detail, history, record in pages:
        history_url = reverse(history, args=[record.pk])
        assert f'href="{history_url}"' in as_alice.get(reverse(detail, args=[record.pk])).text
        response = as_alice.get(history_url)
        assert response.status_code == 200
        assert f'aria-current="page" href="{history_url}"' in response.text


def test_another_teams_record_history_is_a_404_and_no_page_edits_history(as_carol, alice):
    account = AccountFactory(owner_user=alice)
    records = {
        "leads:history": make_lead(owner=alice),
        "accounts:account_history": account,
        "accounts:contact_history": ContactFactory(owner_user=alice, account=account),
        "opportunities:history": OpportunityFactory(owner_user=alice, account=account),
    }
    for name, record in records.items():
        url = reverse(name, args=[record.pk])
        assert as_carol.get(url).status_code == 404, name
        assert as_carol.post(url).status_code == 405, name


def test_a_post_by_the_owner_is_refused_too(as_alice, alice):
    lead = make_lead(owner=alice)
    url = reverse("leads:history", args=[lead.pk])

    assert as_alice.post(url).status_code == 405
    assert as_alice.delete(url).status_code == 405
    assert lead.history.count() == 1


def test_the_tab_reads_a_fixed_number_of_queries(as_alice, alice, bob, django_assert_num_queries):
    def tab(entries):
        lead = make_lead(owner=alice)
        for number in range(entries):
            services.assign_lead(lead=lead, user=alice, owner=bob if number % 2 == 0 else alice)
        return reverse("leads:history", args=[lead.pk])

    one, thirty = tab(1), tab(30)
    as_alice.get(one)  # the session and the user's scope are read once per request anyway
    # session, user, the user's scope; the lead (visible_to); its history rows with their
    # users; the users they name (the owners); the merges into it (its "Merged from" panel)
    for url in (one, thirty):
        with django_assert_num_queries(8):
            response = as_alice.get(url)
        assert response.status_code == 200


def test_pages_of_fifty_go_back_in_time(as_alice, alice):
    account = AccountFactory(owner_user=alice)
    for number in range(60):
        update_record(account, user=alice, data={"city": f"City {number}"})
    url = reverse("accounts:account_history", args=[account.pk])

    first = as_alice.get(url)
    second = as_alice.get(url, {"page": 2})

    assert first.text.count('data-testid="history-entry"') == 50
    assert "City 58 → City 59" in entries_text(first)
    assert second.text.count('data-testid="history-entry"') == 11  # 10 changes, the creation
    assert as_alice.get(url, {"page": "x"}).status_code == 200
