"""Consent records: one regards a lead or a contact, appended by the service under the
record's edit rights, shown in the record pages' Consent panel, warned about on the
log-activity form, exported and erased with the person, moved by a merge and back."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.merge import merge_contacts
from accounts.tests.factories import ContactFactory
from activities.merge import undo_merge
from activities.models import Activity
from crm.services import share_record
from leads.merge import merge_leads
from leads.tests.factories import make_lead
from privacy.consent import ConsentRefused, consent_panel_rows, record_consent
from privacy.models import ConsentRecord
from privacy.services import erase_person, export_person

pytestmark = pytest.mark.django_db

Purpose, Status, How = ConsentRecord.Purpose, ConsentRecord.Status, ConsentRecord.How


def withdraw(record, user, purpose=Purpose.MARKETING_EMAIL, note=""):
    return record_consent(
        record=record,
        purpose=purpose,
        status=Status.WITHDRAWN,
        how=How.PHONE,
        note=note,
        user=user,
    )


def give(record, user, purpose=Purpose.MARKETING_EMAIL, note=""):
    return record_consent(
        record=record, purpose=purpose, status=Status.GIVEN, how=How.EMAIL, note=note, user=user
    )


# The model -----------------------------------------------------------------------------


class TestTheModel:
    def test_a_consent_regards_a_lead_or_a_contact(self, alice):
        lead, contact = make_lead(owner=alice), ContactFactory(owner_user=alice)
        ConsentRecord.objects.create(lead=lead, purpose="phone", status="given", how="phone")
        ConsentRecord.objects.create(contact=contact, purpose="phone", status="given", how="paper")

    def test_not_both(self, alice):
        lead, contact = make_lead(owner=alice), ContactFactory(owner_user=alice)
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsentRecord.objects.create(
                lead=lead, contact=contact, purpose="phone", status="given", how="phone"
            )

    def test_not_neither(self, alice):
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsentRecord.objects.create(purpose="phone", status="given", how="phone")


# The service ------------------------------------------------------------------------------


class TestRecordingConsent:
    def test_the_owner_records_consent_and_a_withdrawal_is_a_new_record(self, alice):
        lead = make_lead(owner=alice)
        given = give(lead, alice, note="  Said yes at the fair  ")
        withdrawn = withdraw(lead, alice)

        assert given.note == "Said yes at the fair" and given.recorded_by == alice
        assert ConsentRecord.objects.filter(lead=lead).count() == 2
        current, history, more = consent_panel_rows(lead)
        assert current == [withdrawn]
        assert history == [withdrawn, given] and not more

    def test_on_a_contact_too(self, alice):
        contact = ContactFactory(owner_user=alice)
        consent = give(contact, alice, purpose=Purpose.EVENTS)
        assert consent.contact == contact and consent.lead is None

    def test_another_teams_record_is_refused(self, alice, carol):
        lead = make_lead(owner=alice)
        with pytest.raises(ConsentRefused, match="may not change this record"):
            give(lead, carol)
        assert not ConsentRecord.objects.exists()

    def test_a_teammate_records_it_as_they_log_a_call_and_a_read_share_is_refused(
        self, alice, bob, carol
    ):
        contact = ContactFactory(owner_user=alice)
        withdraw(contact, bob)  # bob, in alice's team, may add to her contact's timeline
        assert ConsentRecord.objects.get().recorded_by == bob
        share_record(record=contact, by=alice, user=carol)  # carol only reads it
        with pytest.raises(ConsentRefused):
            withdraw(contact, carol)

    def test_a_merged_record_is_refused_saying_where_to_go(self, merged, alice):
        _master, other, _merge = merged
        with pytest.raises(ConsentRefused, match="merged into another"):
            give(other, alice)

    def test_an_unknown_purpose_is_refused(self, alice):
        with pytest.raises(ValidationError):
            give(make_lead(owner=alice), alice, purpose="telepathy")


# The panel and its form ---------------------------------------------------------------------


class TestThePanel:
    def test_the_lead_page_shows_the_current_state_the_history_and_the_form(self, as_alice, alice):
        lead = make_lead(owner=alice)
        give(lead, alice, purpose=Purpose.PHONE)
        withdraw(lead, alice, note="Asked us to stop the newsletter e-mails")

        content = as_alice.get(lead.get_absolute_url()).content.decode()

        assert 'data-testid="consent-panel"' in content
        assert 'data-testid="consent-marketing_email"' in content
        assert 'data-testid="consent-phone"' in content
        assert "Asked us to stop the newsletter e-mails" in content
        assert 'data-testid="consent-form"' in content

    def test_the_contact_page_has_it(self, as_alice, alice):
        contact = ContactFactory(owner_user=alice)
        content = as_alice.get(contact.get_absolute_url()).content.decode()
        assert 'data-testid="consent-panel"' in content and "No consent recorded." in content

    def test_a_read_share_sees_it_without_the_form_and_a_teammate_with_it(
        self, client, alice, bob, carol
    ):
        lead = make_lead(owner=alice)
        give(lead, alice)
        share_record(record=lead, by=alice, user=carol)
        client.force_login(carol)
        content = client.get(lead.get_absolute_url()).content.decode()
        assert 'data-testid="consent-current"' in content
        assert 'data-testid="consent-form"' not in content
        client.force_login(bob)
        assert 'data-testid="consent-form"' in client.get(lead.get_absolute_url()).text

    def test_the_panel_shows_the_records_do_not_contact_flags_beside_the_consents(
        self, as_alice, alice
    ):
        lead = make_lead(owner=alice, do_not_email=True)
        give(lead, alice)
        content = as_alice.get(lead.get_absolute_url()).content.decode()
        assert 'data-testid="consent-flags"' in content and "do not e-mail" in content
        plain = make_lead(owner=alice)
        assert 'data-testid="consent-flags"' not in as_alice.get(plain.get_absolute_url()).text

    def test_the_panel_is_one_query_for_any_number_of_records(self, alice, as_alice):
        lead = make_lead(owner=alice)
        for purpose in Purpose.values:
            give(lead, alice, purpose=purpose)
            withdraw(lead, alice, purpose=purpose)
        with CaptureQueriesContext(connection) as captured:
            current, history, more = consent_panel_rows(lead)
        assert len(captured) == 1
        assert [c.purpose for c in current] == list(Purpose.values)
        assert all(c.status == Status.WITHDRAWN for c in current)
        assert len(history) == 5 and more

    def test_the_lead_page_costs_the_same_with_none_or_many_records(self, as_alice, alice):
        counts = []
        for records in (0, 12):
            lead = make_lead(owner=alice)
            for _ in range(records):
                give(lead, alice)
            as_alice.get(lead.get_absolute_url())  # warms the content-type cache
            with CaptureQueriesContext(connection) as captured:
                as_alice.get(lead.get_absolute_url())
            counts.append(len(captured))
        assert counts[0] == counts[1]


class TestTheView:
    def url(self, record):
        return reverse(f"privacy:{record._meta.model_name}_consent", args=[record.pk])

    def data(self, **values):
        return {
            "consent-purpose": "marketing_email",
            "consent-status": "withdrawn",
            "consent-how": "phone",
            "consent-note": "Called in",
            **values,
        }

    def test_the_owner_records_and_goes_back_to_the_record(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(self.url(lead), self.data(), follow=True)
        assert response.redirect_chain[-1][0] == lead.get_absolute_url()
        consent = ConsentRecord.objects.get(lead=lead)
        assert (consent.status, consent.how, consent.recorded_by) == ("withdrawn", "phone", alice)
        assert "Consent recorded." in response.content.decode()

    def test_on_a_contact(self, as_alice, alice):
        contact = ContactFactory(owner_user=alice)
        as_alice.post(self.url(contact), self.data(**{"consent-status": "given"}))
        assert ConsentRecord.objects.get(contact=contact).status == "given"

    def test_bad_input_is_said_and_nothing_stored(self, as_alice, alice):
        lead = make_lead(owner=alice)
        response = as_alice.post(self.url(lead), self.data(**{"consent-how": "owl"}), follow=True)
        assert "The consent was not recorded" in response.content.decode()
        assert not ConsentRecord.objects.exists()

    def test_get_is_refused(self, as_alice, alice):
        assert as_alice.get(self.url(make_lead(owner=alice))).status_code == 405

    def test_another_team_gets_a_404_and_a_read_share_a_403(self, client, alice, carol):
        lead = make_lead(owner=alice)
        client.force_login(carol)
        assert client.post(self.url(lead), self.data()).status_code == 404
        share_record(record=lead, by=alice, user=carol)
        assert client.post(self.url(lead), self.data()).status_code == 403
        assert not ConsentRecord.objects.exists()

    def test_the_anonymous_go_to_the_login(self, client, alice):
        response = client.post(self.url(make_lead(owner=alice)), self.data())
        assert response.status_code == 302 and "login" in response["Location"]


# The log-activity form's warning --------------------------------------------------------------


def quick_add(client, record, kind):
    url = reverse(
        "activities:quick_add",
        kwargs={"model_label": record._meta.label_lower, "object_id": record.pk, "kind": kind},
    )
    return client.get(url).content.decode()


class TestTheWarning:
    def test_an_email_to_a_do_not_email_lead_warns(self, as_alice, alice):
        lead = make_lead(owner=alice, do_not_email=True)
        content = quick_add(as_alice, lead, "email")
        assert 'data-testid="opt-out-warning"' in content
        assert "This person asked not to be e-mailed." in content
        assert 'data-testid="quick-add-form"' in content  # a warning, not a refusal

    def test_a_call_to_a_do_not_phone_contact_warns(self, as_alice, alice):
        contact = ContactFactory(owner_user=alice, do_not_phone=True)
        assert "This person asked not to be phoned." in quick_add(as_alice, contact, "phone_call")

    def test_a_withdrawn_consent_warns(self, as_alice, alice):
        lead = make_lead(owner=alice)
        withdraw(lead, alice, purpose=Purpose.PHONE)
        content = quick_add(as_alice, lead, "phone_call")
        assert "This person withdrew their consent to phone calls" in content
        assert "withdrew" not in quick_add(as_alice, lead, "email")

    def test_consent_given_again_does_not(self, as_alice, alice):
        lead = make_lead(owner=alice)
        withdraw(lead, alice)
        give(lead, alice)
        assert 'data-testid="opt-out-warning"' not in quick_add(as_alice, lead, "email")

    def test_a_task_or_a_willing_person_gets_none(self, as_alice, alice):
        lead = make_lead(owner=alice, do_not_email=True)
        assert 'data-testid="opt-out-warning"' not in quick_add(as_alice, lead, "task")
        other = make_lead(owner=alice)
        assert 'data-testid="opt-out-warning"' not in quick_add(as_alice, other, "email")

    def test_logging_it_anyway_works(self, as_alice, alice):
        lead = make_lead(owner=alice, do_not_email=True)
        url = reverse(
            "activities:quick_add",
            kwargs={"model_label": "leads.lead", "object_id": lead.pk, "kind": "email"},
        )
        data = {"subject": "Replied to her question", "direction": "outgoing", "completed": "on"}
        assert as_alice.post(url, data).status_code == 302
        assert Activity.objects.filter(object_id=lead.pk, kind="email").count() == 1


# A person's data -----------------------------------------------------------------------------

EMAIL = "ida.holm@fabrikam.example"


class TestPersonalData:
    def test_the_export_lists_the_consents_of_the_persons_leads_and_contacts(self, alice):
        lead = make_lead(owner=alice, email=EMAIL)
        contact = ContactFactory(owner_user=alice, email=EMAIL)
        other = make_lead(owner=alice, email="someone@else.example")
        give(lead, alice, note="At the fair")
        withdraw(contact, alice)
        give(other, alice, note="Not hers")

        export = export_person(email=EMAIL)

        section = next(s for s in export.sections if s.key == "consent_records")
        assert len(section.items) == 2
        text = str(export.as_json())
        assert "At the fair" in text and "Not hers" not in text

    def test_erasure_removes_the_notes_and_keeps_the_records(self, alice, admin_user):
        lead = make_lead(owner=alice, email=EMAIL, first_name="Ida", last_name="Holm")
        give(lead, alice, note="Ida Holm said yes on +45 20 30 40 50")
        withdraw(lead, alice)

        erasure = erase_person(email=EMAIL, user=admin_user, reason="She asked")

        assert erasure.counts["consent_records"] == 2
        notes = set(ConsentRecord.objects.filter(lead=lead).values_list("note", flat=True))
        assert notes == {"[erased]", ""}
        assert ConsentRecord.objects.filter(lead=lead).count() == 2


# Merging ------------------------------------------------------------------------------------


class TestMerging:
    def test_a_merged_leads_consents_move_to_the_master_and_back_on_undo(self, alice):
        master, other = make_lead(owner=alice), make_lead(owner=alice, first_name="Ann")
        give(master, alice, purpose=Purpose.PHONE)
        later = withdraw(other, alice)

        merge = merge_leads(user=alice, master=master, others=[other])

        assert ConsentRecord.objects.filter(lead=master).count() == 2
        current, _history, _more = consent_panel_rows(master)
        assert later in current

        undo_merge(user=alice, merge=merge)
        assert list(ConsentRecord.objects.filter(lead=other)) == [later]
        assert ConsentRecord.objects.filter(lead=master).count() == 1

    def test_a_merged_contacts_consents_too(self, alice):
        master = ContactFactory(owner_user=alice)
        other = ContactFactory(owner_user=alice)
        consent = give(other, alice, purpose=Purpose.NEWSLETTER)

        merge = merge_contacts(user=alice, master=master, others=[other])
        consent.refresh_from_db()
        assert consent.contact == master

        undo_merge(user=alice, merge=merge)
        consent.refresh_from_db()
        assert consent.contact == other
