"""The contact and account merge pages (accounts/merge_views.py on activities/merge_views.py):
side by side, merged through the services, another team's a 404, the merged record's banner."""

import pytest
from django.urls import reverse

from accounts.models import Account, Contact
from accounts.tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def _post(client, url_name, master, other, **take):
    data = {
        "ids": f"{master.pk},{other.pk}",
        "master": master.pk,
        f"version_{master.pk}": master.version,
        f"version_{other.pk}": other.version,
        **{f"take_{field}": record.pk for field, record in take.items()},
    }
    return client.post(reverse(url_name), data)


def test_two_contacts_are_merged_taking_the_others_phone(as_alice, alice):
    master = ContactFactory(owner_user=alice, last_name="Holm", business_phone="")
    other = ContactFactory(owner_user=alice, last_name="Holm", business_phone="+45 11 22 33 44")
    page = as_alice.get(reverse("accounts:merge_contacts"), {"ids": f"{master.pk},{other.pk}"})
    assert page.status_code == 200 and page.context["master"] == master
    response = _post(as_alice, "accounts:merge_contacts", master, other, business_phone=other)
    assert response["Location"].startswith(master.get_absolute_url())
    assert Contact.objects.get(pk=master.pk).business_phone == "+45 11 22 33 44"
    merged = Contact.objects.get(pk=other.pk)
    assert merged.merged_into_id == master.pk and not merged.is_active
    content = as_alice.get(merged.get_absolute_url()).content.decode()
    assert 'data-testid="merged-into"' in content and "Merge with" not in content


def test_two_accounts_are_merged_and_another_team_gets_a_404(client, alice, carol):
    master = AccountFactory(owner_user=alice, name="Contoso")
    other = AccountFactory(owner_user=alice, name="Contoso A/S")
    client.force_login(carol)
    ids = {"ids": f"{master.pk},{other.pk}"}
    assert client.get(reverse("accounts:merge_accounts"), ids).status_code == 404
    client.force_login(alice)
    response = _post(client, "accounts:merge_accounts", master, other, name=other)
    assert response.status_code == 302
    assert Account.objects.get(pk=master.pk).name == "Contoso A/S"
    content = client.get(master.get_absolute_url()).content.decode()
    assert 'data-testid="merged-from"' in content and 'data-testid="undo-merge"' in content
