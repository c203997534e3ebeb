"""A rep records a consent withdrawal on a lead's page and sees it in the Consent panel;
then, logging an e-mail to a lead who asked not to be e-mailed, the form warns."""

from playwright.sync_api import expect

from leads.tests.factories import make_lead
from privacy.models import ConsentRecord


def test_a_rep_records_a_withdrawal_and_is_warned_before_e_mailing(
    page, live_server, login, alice
):
    lead = make_lead(owner=alice)
    quiet = make_lead(owner=alice, first_name="Bo", last_name="Berg", do_not_email=True)
    login(alice)

    page.goto(f"{live_server.url}{lead.get_absolute_url()}")
    panel = page.get_by_test_id("consent-panel")
    expect(panel).to_contain_text("No consent recorded.")
    panel.get_by_text("Record consent").click()
    form = panel.get_by_test_id("consent-form")
    form.get_by_label("Purpose").select_option(label="Marketing e-mail")
    form.get_by_label("Consent").select_option(label="Withdrawn")
    form.get_by_label("How").select_option(label="Phone")
    form.get_by_label("Details").fill("Called to stop the offers")
    form.get_by_role("button", name="Record").click()

    expect(page.get_by_role("alert").first).to_contain_text("Consent recorded.")
    panel = page.get_by_test_id("consent-panel")
    expect(panel.get_by_test_id("consent-marketing_email")).to_contain_text("Withdrawn")
    expect(panel.get_by_test_id("consent-history")).to_contain_text("Called to stop the offers")
    consent = ConsentRecord.objects.get(lead=lead)
    assert (consent.status, consent.recorded_by) == ("withdrawn", alice)

    # The lead with the withdrawn consent: logging an e-mail warns, and still may be logged.
    page.get_by_test_id("quick-add-email").click()
    form = page.get_by_test_id("quick-add-form")
    expect(form.get_by_test_id("opt-out-warning")).to_contain_text(
        "withdrew their consent to marketing e-mail"
    )

    page.goto(f"{live_server.url}{quiet.get_absolute_url()}")
    page.get_by_test_id("quick-add-email").click()
    form = page.get_by_test_id("quick-add-form")
    expect(form.get_by_test_id("opt-out-warning")).to_contain_text(
        "This person asked not to be e-mailed."
    )
    expect(form.get_by_role("button", name="Save")).to_be_enabled()
