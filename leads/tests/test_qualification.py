"""The qualification plan (leads.qualification): what it can make, the options the qualify
page starts from and the blocks its preview shows. Executing a plan: test_qualify."""

import pytest

from accounts.models import Account
from leads.models import QualificationSettings
from leads.qualification import defaults_for, plan_qualification
from leads.tests.factories import CampaignFactory, make_lead

pytestmark = pytest.mark.django_db


def test_the_page_starts_from_the_defaults_less_what_the_lead_cannot_make(alice):
    lead = make_lead(owner=alice, last_name="", company_name="Fabrikam A/S")

    assert defaults_for(lead) == {
        "create_account": True,
        "create_contact": False,
        "create_opportunity": True,
    }


def test_the_page_does_not_offer_an_account_the_lead_already_has(alice):
    account = Account(name="Contoso Ltd", owner=alice)
    account.save()
    lead = make_lead(owner=alice, existing_account=account)
    QualificationSettings.objects.update_or_create(pk=1, defaults={"create_opportunity": False})

    assert defaults_for(lead) == {
        "create_account": False,
        "create_contact": True,
        "create_opportunity": False,
    }


def test_the_plan_says_what_the_lead_cannot_make_and_why(alice):
    lead = make_lead(owner=alice, last_name="", company_name="Fabrikam A/S")

    plan = plan_qualification(lead=lead, user=alice, create_account=True)

    assert (plan.can_make_account, plan.can_make_contact) == (True, False)
    assert [str(reason) for reason in plan.not_made.values()] == [
        "No contact: the lead has no last name."
    ]


def test_a_skipped_record_is_named_once(alice):
    lead = make_lead(owner=alice, last_name="", company_name="Fabrikam A/S")

    plan = plan_qualification(
        lead=lead, user=alice, create_account=True, create_contact=True, skip_missing=True
    )

    assert plan.skipped == ["contact"]
    assert list(plan.not_made) == ["contact"]


def test_the_preview_blocks_label_the_new_records_and_name_the_campaign(alice):
    campaign = CampaignFactory(name="Spring fair", code="")
    lead = make_lead(owner=alice, last_name="", campaign=campaign)

    blocks = plan_qualification(
        lead=lead, user=alice, create_account=True, create_opportunity=True
    ).display_blocks()

    titles = [block["title"] for block in blocks]
    assert titles == [
        "Create a new account",
        "Create a new opportunity",
        "No contact: the lead has no last name.",
        "Source campaign: Spring fair",
    ]
    account_rows = dict(blocks[0]["rows"])
    assert account_rows["Account name"] == "Fabrikam A/S"
    opportunity_rows = dict(blocks[1]["rows"])
    assert opportunity_rows["Customer"] == "the new account"
    assert blocks[2]["skipped"] is True
