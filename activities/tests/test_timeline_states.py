"""State changes of opportunities (won, lost, reopened) and of accounts and contacts
(deactivated, activated) are on their timelines, with who did it (issue 21: "State changes,
assignments and shares appear on the timeline"; a lead's come from its status log)."""

import pytest
from django.utils import translation

from accounts.services import activate_customer, deactivate_customer
from accounts.tests.factories import AccountFactory
from activities.timeline import build_timeline
from opportunities.services import reopen_opportunity, win_opportunity
from opportunities.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def _states(record, user):
    return [e.object for e in build_timeline(record, user).entries if e.kind == "state"]


def test_an_opportunity_won_and_reopened_is_on_its_timeline(alice, bob):
    account = AccountFactory(owner_user=alice)
    opportunity = OpportunityFactory(owner_user=alice, account=account)
    opportunity.topic = "Renamed"  # an edit that changes no state is not a state change
    opportunity.save()

    win_opportunity(opportunity=opportunity, user=alice)
    reopen_opportunity(opportunity=opportunity, user=bob)

    reopened, won = _states(opportunity, alice)
    assert (won.state_text, won.status_text, won.history_user) == ("Won", "Won", alice)
    assert (reopened.state_text, reopened.history_user) == ("Open", bob)


def test_an_account_deactivated_and_activated_again_is_on_its_timeline(alice):
    account = AccountFactory(owner_user=alice)

    deactivate_customer(record=account, user=alice)
    activate_customer(record=account, user=alice)

    with translation.override("da"):
        assert [str(row.state_text) for row in _states(account, alice)] == [
            "Aktiveret",
            "Deaktiveret",
        ]


def test_a_lead_has_no_such_entries_its_status_log_tells(alice):
    from leads.tests.factories import make_lead

    assert _states(make_lead(owner=alice), alice) == []
