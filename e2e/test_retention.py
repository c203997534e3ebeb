"""An administrator writes a retention rule in the admin, opens its dry run and sees the old
disqualified lead it would anonymise (and not the recent one), then enables it."""

from playwright.sync_api import expect

from leads.models import Lead, LeadStatusChange, Status
from leads.services import disqualify_lead
from leads.tests.factories import make_lead
from privacy import retention
from privacy.models import RetentionPolicy
from privacy.tasks import apply_retention


def _disqualified(owner, months, **fields):
    lead = make_lead(owner=owner, **fields)
    disqualify_lead(lead=lead, user=owner, status=Status.LOST)
    then = retention.months_before(lead.modified_at, months)
    Lead.objects.filter(pk=lead.pk).update(modified_at=then, created_at=then)
    LeadStatusChange.objects.filter(lead=lead).update(changed_at=then)
    return lead


def test_an_administrator_writes_a_rule_and_reads_its_dry_run_before_enabling_it(
    page, live_server, login, admin_user, alice
):
    old = _disqualified(alice, 30, first_name="Olga", last_name="Olsen", email="olga@x.example")
    _disqualified(alice, 3, first_name="Yrsa", last_name="Yde", email="yrsa@y.example")

    login(admin_user)
    page.goto(f"{live_server.url}/admin/privacy/retentionpolicy/add/")
    page.get_by_label("Name:").fill("Disqualified leads after 24 months")
    page.get_by_label("Records:").select_option("disqualified_leads")
    page.get_by_label("Months without activity:").fill("24")
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_test_id("retention-dry-run-link").click()

    report = page.get_by_test_id("retention-report")
    expect(report).to_contain_text("1 lead would be anonymised")
    expect(report).to_contain_text("The rule is not enabled")
    leads = page.get_by_test_id("retention-leads")
    expect(leads).to_contain_text("Olga Olsen")
    expect(leads).not_to_contain_text("Yrsa")
    expect(leads.get_by_role("link", name=str(old.pk))).to_have_attribute(
        "href", old.get_absolute_url()
    )

    # Enabled, the nightly task anonymises the lead the dry run listed.
    page.get_by_role("link", name="Back to the rule").click()
    page.get_by_label("Enabled").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("Disqualified leads after 24 months")
    assert RetentionPolicy.objects.get().is_enabled
    assert apply_retention.call() == {"Disqualified leads after 24 months": 1}
    old.refresh_from_db()
    assert old.last_name == "[erased]" and old.email == ""
