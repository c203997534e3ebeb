"""An erasure's entry on the record's History tab says what it did: the erasure scrubs the
earlier entries too, so no field differs from the one before it."""

from crm.history import history_page
from leads.tests.factories import make_lead
from privacy.services import erase_person

EMAIL = "anna.hansen@fabrikam.example"


def test_the_erasure_entry_says_the_personal_data_was_erased(alice, admin_user, as_admin):
    lead = make_lead(owner=alice)
    erase_person(email=EMAIL, user=admin_user, reason="Asked")

    newest = history_page(lead, user=admin_user).entries[0]
    assert newest.summary == "Personal data erased (GDPR)"
    assert newest.who == "Ada Admin"

    page = as_admin.get(f"/leads/{lead.pk}/history/").content.decode()
    assert '<p class="mb-1 small fw-semibold" data-testid="history-summary">' in page
    assert "Personal data erased (GDPR)" in page
    assert "No field you can read changed." not in page


def test_other_entries_have_no_summary(alice, as_alice):
    lead = make_lead(owner=alice)

    entries = history_page(lead, user=alice).entries
    assert [entry.summary for entry in entries] == [""]
    assert (
        'data-testid="history-summary"'
        not in as_alice.get(f"/leads/{lead.pk}/history/").content.decode()
    )
