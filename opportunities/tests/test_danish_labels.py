"""Opportunity pages in Danish (the Danish QA walk, issue 20): the state badge's colour comes
from the state's code, not its translated label; the list's sort choices are translated."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory
from opportunities.services import win_opportunity
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_state_badge_class_is_the_states_code_in_every_language(as_alice, alice, language):
    deal = OpportunityFactory(owner_user=alice, account=AccountFactory(owner_user=alice))

    page = as_alice.get(deal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    listed = as_alice.get(reverse("opportunities:list"), HTTP_ACCEPT_LANGUAGE=language)

    assert "badge-opportunity-open" in page
    assert "badge-opportunity-open" in listed.content.decode()
    win_opportunity(opportunity=deal, user=alice, actual_value=100)
    page = as_alice.get(deal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "badge-opportunity-won" in page
