"""The batch duplicate finder (crm/duplicate_finder.py) with the leads' and accounts' finders:
pairs found by key in SQL, scored, stored once, kept current incrementally and by a full
rebuild, removed when a record closes, merges, is deleted or no longer matches; a dismissed
pair stays dismissed."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Contact
from accounts.tests.factories import AccountFactory, ContactFactory
from crm import duplicate_finder
from crm.models import DuplicateScan, PossibleDuplicate
from leads.models import Lead, State, Status
from leads.tests.factories import make_lead as _make_lead

pytestmark = pytest.mark.django_db

Reason = PossibleDuplicate.Reason


def _pairs(model):
    return {
        (pair.record_id, pair.other_id): (pair.score, pair.reason)
        for pair in duplicate_finder.open_pairs(model)
    }


_serial = iter(range(1, 1_000_000))


def make_lead(*, owner, **values):
    """A lead sharing nothing with the others but what the test gives it."""
    n = next(_serial)
    blank = {"email": "", "business_phone": "", "company_name": f"Firm{n} Zq{n}"}
    return _make_lead(
        owner=owner, **{"first_name": f"P{n}", "last_name": f"Q{n}", **blank, **values}
    )


def _key(a, b):
    return (min(a.pk, b.pk), max(a.pk, b.pk))


class TestLeads:
    def test_finds_same_email_phone_and_similar_name_and_company(self, alice):
        a = make_lead(owner=alice, first_name="Jens", last_name="Hansen", email="jens@x.dk")
        b = make_lead(owner=alice, first_name="Anna", last_name="Berg", email="JENS@x.dk")
        c = make_lead(owner=alice, last_name="Lund", business_phone="+45 33 88 11 00")
        d = make_lead(owner=alice, last_name="Holm", business_phone="33881100")
        e = make_lead(owner=alice, first_name="Mette", last_name="Friis", company_name="Acme A/S")
        f = make_lead(owner=alice, first_name="Mette", last_name="Friis", company_name="ACME")
        make_lead(owner=alice, first_name="Mette", last_name="Friis", company_name="Globex")
        counts = duplicate_finder.refresh("leads.lead", full=True)
        pairs = _pairs(Lead)
        assert pairs[_key(a, b)] == (100, Reason.EMAIL)
        assert pairs[_key(c, d)] == (95, Reason.PHONE)
        assert pairs[_key(e, f)][1] == Reason.NAME_COMPANY
        assert len(pairs) == 3  # Globex is another company
        assert counts["added"] == 3

    def test_the_strongest_reason_wins_and_a_rerun_adds_nothing(self, alice):
        a = make_lead(owner=alice, last_name="Hansen", email="j@x.dk", business_phone="33881100")
        b = make_lead(owner=alice, last_name="Hansen", email="j@x.dk", business_phone="33881100")
        duplicate_finder.refresh("leads.lead", full=True)
        assert _pairs(Lead) == {_key(a, b): (100, Reason.EMAIL)}
        found_at = PossibleDuplicate.objects.get().found_at
        assert duplicate_finder.refresh("leads.lead", full=True)["added"] == 0
        assert PossibleDuplicate.objects.get().found_at == found_at

    def test_closed_and_merged_leads_take_no_part(self, alice):
        a = make_lead(owner=alice, email="j@x.dk")
        b = make_lead(owner=alice, email="j@x.dk")
        duplicate_finder.refresh("leads.lead", full=True)
        assert _key(a, b) in _pairs(Lead)
        Lead.objects.filter(pk=b.pk).update(state=State.DISQUALIFIED, status=Status.CANCELED)
        counts = duplicate_finder.refresh("leads.lead")
        assert _pairs(Lead) == {}
        assert counts["removed"] == 1
        c = make_lead(owner=alice, email="j@x.dk")
        Lead.objects.filter(pk=c.pk).update(merged_into=a)
        duplicate_finder.refresh("leads.lead", full=True)
        assert _pairs(Lead) == {}

    def test_a_deleted_lead_takes_its_pairs_along(self, alice):
        a = make_lead(owner=alice, email="j@x.dk")
        b = make_lead(owner=alice, email="j@x.dk")
        duplicate_finder.refresh("leads.lead", full=True)
        Lead.objects.filter(pk=b.pk).delete()
        duplicate_finder.refresh("leads.lead")
        assert not PossibleDuplicate.objects.filter(record_id=a.pk).exists()

    def test_incremental_scans_only_what_changed_since_the_watermark(self, alice):
        a = make_lead(owner=alice, email="j@x.dk")
        duplicate_finder.refresh("leads.lead", full=True)
        scan = DuplicateScan.objects.get(label="leads.lead")
        b = make_lead(owner=alice, email="j@x.dk")
        counts = duplicate_finder.refresh("leads.lead")
        assert counts["scanned"] == 1 and counts["added"] == 1
        assert _key(a, b) in _pairs(Lead)
        assert DuplicateScan.objects.get(label="leads.lead").scanned_from > scan.scanned_from
        # A lead edited so it no longer matches: its pair goes.
        b.email = "other@x.dk"
        b.save()
        assert duplicate_finder.refresh("leads.lead")["removed"] == 1
        assert _pairs(Lead) == {}

    def test_a_dismissed_pair_stays_dismissed(self, alice):
        a = make_lead(owner=alice, email="j@x.dk")
        b = make_lead(owner=alice, email="j@x.dk")
        duplicate_finder.refresh("leads.lead", full=True)
        pair = PossibleDuplicate.objects.get()
        duplicate_finder.dismiss_pair(user=alice, pair=pair)
        b.first_name = "Changed"
        b.save()
        duplicate_finder.refresh("leads.lead")
        duplicate_finder.refresh("leads.lead", full=True)
        pair.refresh_from_db()
        assert pair.dismissed_by == alice and pair.dismissed_at is not None
        assert _pairs(Lead) == {}
        assert PossibleDuplicate.objects.filter(record_id=min(a.pk, b.pk)).count() == 1

    def test_a_key_shared_by_too_many_pairs_nothing(self, alice, monkeypatch):
        monkeypatch.setattr(duplicate_finder, "MAX_GROUP", 3)
        for _ in range(4):
            make_lead(owner=alice, business_phone="70 10 20 30")
        duplicate_finder.refresh("leads.lead", full=True)
        assert _pairs(Lead) == {}

    def test_incremental_in_chunks(self, alice, monkeypatch):
        monkeypatch.setattr(duplicate_finder, "CHUNK", 2)
        duplicate_finder.refresh("leads.lead", full=True)
        leads = [make_lead(owner=alice, email=f"p{n % 2}@x.dk") for n in range(5)]
        counts = duplicate_finder.refresh("leads.lead")
        assert counts["scanned"] == 5
        assert len(_pairs(Lead)) == 3 + 1  # three of p0, two of p1
        assert all(_key(leads[0], lead) in _pairs(Lead) for lead in leads[2::2])


class TestCustomers:
    def test_accounts_by_email_domain_and_similar_sounding_name(self, alice):
        a = AccountFactory(owner_user=alice, name="Fabrikam A/S", website="")
        b = AccountFactory(owner_user=alice, name="Fabricam", website="")
        c = AccountFactory(owner_user=alice, name="Nordic", website="https://nordic.dk")
        d = AccountFactory(owner_user=alice, name="Other", email="info@nordic.dk")
        AccountFactory(owner_user=alice, name="Unrelated", website="")
        duplicate_finder.refresh("accounts.account", full=True)
        from accounts.models import Account

        pairs = _pairs(Account)
        assert pairs[_key(a, b)][1] == Reason.NAME
        assert pairs[_key(c, d)] == (90, Reason.DOMAIN)
        assert len(pairs) == 2

    def test_contacts_by_email_and_by_name_at_the_same_account(self, alice):
        from accounts.models import Contact

        account = AccountFactory(owner_user=alice)
        other = AccountFactory(owner_user=alice)
        a = ContactFactory(owner_user=alice, email="p@x.dk")
        b = ContactFactory(owner_user=alice, email="P@x.dk")
        c = ContactFactory(owner_user=alice, first_name="Ole", account=account)
        d = ContactFactory(owner_user=alice, first_name="Ole", account=account)
        ContactFactory(owner_user=alice, first_name="Ole", account=other)
        duplicate_finder.refresh("accounts.contact", full=True)
        assert _pairs(Contact) == {
            _key(a, b): (100, Reason.EMAIL),
            _key(c, d): (90, Reason.NAME_ACCOUNT),
        }

    def test_an_inactive_contact_loses_its_pairs(self, alice):
        from accounts.models import Contact

        ContactFactory(owner_user=alice, email="p@x.dk")
        b = ContactFactory(owner_user=alice, email="p@x.dk")
        duplicate_finder.refresh("accounts.contact", full=True)
        Contact.objects.filter(pk=b.pk).update(is_active=False)
        duplicate_finder.refresh("accounts.contact")
        assert _pairs(Contact) == {}


class TestCommand:
    def test_find_duplicates_command_full_and_incremental(self, alice, capsys):
        make_lead(owner=alice, email="j@x.dk")
        make_lead(owner=alice, email="j@x.dk")
        call_command("find_duplicates", "--kind", "lead", "--full")
        assert "leads.lead: 2 scanned, 1 added, 0 removed" in capsys.readouterr().out
        call_command("find_duplicates")
        out = capsys.readouterr().out
        assert "accounts.contact" in out and "leads.lead: 0 scanned" in out

    def test_the_periodic_task_runs_every_kind(self, alice):
        from crm.tasks import find_duplicates

        make_lead(owner=alice, email="j@x.dk")
        make_lead(owner=alice, email="j@x.dk")
        result = find_duplicates.call()
        assert result["leads.lead"]["added"] == 1
        assert set(result) == {"leads.lead", "accounts.contact", "accounts.account"}


def test_the_watermark_is_taken_before_the_scan(alice):
    before = timezone.now() - timedelta(seconds=1)
    duplicate_finder.refresh("leads.lead", full=True)
    scan = DuplicateScan.objects.get(label="leads.lead")
    assert before < scan.scanned_from <= timezone.now() and scan.full_at == scan.scanned_from


def duplicate_checks(callbacks):
    """The duplicate finder's own callbacks (others, e.g. scoring's, also wait on commits)."""
    return [c for c in callbacks if getattr(c, "func", None) is duplicate_finder._check_pending]


def test_a_lead_saved_is_checked_at_once_after_the_commit(
    alice, django_capture_on_commit_callbacks
):
    """No wait for the batch run: creating a lead with a known e-mail stores the pair when the
    transaction commits (a task), and changing the e-mail away removes it."""
    with django_capture_on_commit_callbacks(execute=True):
        first = make_lead(owner=alice, email="same@x.dk")
    with django_capture_on_commit_callbacks(execute=True):
        second = make_lead(owner=alice, email="SAME@x.dk")
    assert _pairs(Lead) == {(first.pk, second.pk): (100, Reason.EMAIL)}
    assert not DuplicateScan.objects.exists()  # not the batch run

    second.email = "other@x.dk"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second.save()
    assert len(duplicate_checks(callbacks)) == 1
    assert _pairs(Lead) == {}
    # A save that changes no key enqueues nothing.
    second = Lead.objects.get(pk=second.pk)
    second.description = "Called"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second.save()
    assert duplicate_checks(callbacks) == []


def test_one_transaction_saving_many_records_enqueues_one_check_per_kind(
    alice, django_capture_on_commit_callbacks
):
    from django.db import transaction
    from django.tasks.signals import task_enqueued

    enqueued = []

    def count(sender, task_result, **kwargs):
        if "label" in task_result.kwargs:  # check_duplicates's (scoring's enqueue too)
            enqueued.append(task_result.kwargs)

    task_enqueued.connect(count)
    try:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            leads = [make_lead(owner=alice, email="same@x.dk") for _ in range(3)]
            ContactFactory(owner_user=alice, email="same@x.dk")
    finally:
        task_enqueued.disconnect(count)
    assert sorted(enqueued, key=lambda kwargs: kwargs["label"]) == [
        {"label": "accounts.contact", "ids": [Contact.objects.get().pk]},
        {"label": "leads.lead", "ids": sorted(lead.pk for lead in leads)},
    ]
    assert len(_pairs(Lead)) == 3


def test_a_contact_saved_is_checked_at_once(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = ContactFactory(owner_user=alice, email="ida@x.dk")
        second = ContactFactory(owner_user=alice, email="ida@x.dk")

    assert set(_pairs(Contact)) == {(first.pk, second.pk)}
