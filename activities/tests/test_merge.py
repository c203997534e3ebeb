"""The merge engine (activities/merge.py): the fields offered, the registries of what moves
(filled by the apps above: capture's web submissions here), and what a later merge blocks."""

import pytest

from activities.merge import (
    MergeRefused,
    later_dependent_merges,
    mergeable_fields,
    moved_kinds,
    moved_summary,
    undo_merge,
)
from capture.models import Submission
from capture.tests.factories import WebFormFactory
from leads.merge import merge_leads
from leads.models import Lead
from leads.tests.factories import make_lead
from opportunities.models import Opportunity

pytestmark = pytest.mark.django_db


def test_the_fields_offered_are_the_ones_a_person_enters():
    names = [name for name, _label in mergeable_fields(Lead)]
    assert names[:3] == ["topic", "salutation", "first_name"]
    assert "email" in names and "existing_account" in names
    for internal in ("state", "status", "owner_user", "merged_into", "version", "email_key"):
        assert internal not in names
    assert dict(mergeable_fields(Lead))["first_name"] == "First name"


def test_a_model_nobody_made_mergeable_is_refused():
    with pytest.raises(MergeRefused):
        mergeable_fields(Opportunity)


def test_the_apps_above_fill_the_registry():
    keys = {items.key for items in moved_kinds(Lead)}
    assert {"activities", "notes", "inquiries", "links", "web_submissions"} <= keys


def submission(lead, web_form):
    return Submission.objects.create(web_form=web_form, lead=lead, fingerprint="f" * 64)


def test_a_web_submission_moves_to_a_master_without_one_and_back(alice):
    web_form = WebFormFactory(created_by=alice)
    master, other = make_lead(owner=alice), make_lead(owner=alice)
    sent = submission(other, web_form)

    merge = merge_leads(user=alice, master=master, others=[other])

    sent.refresh_from_db()
    assert sent.lead == master
    assert moved_summary(merge) == {"web_submissions": {"count": 1, "ids": [sent.pk]}}
    undo_merge(user=alice, merge=merge)
    sent.refresh_from_db()
    assert sent.lead == other


def test_a_master_with_a_web_submission_keeps_its_own(alice):
    web_form = WebFormFactory(created_by=alice)
    master, other = make_lead(owner=alice), make_lead(owner=alice)
    own, theirs = submission(master, web_form), submission(other, web_form)

    merge = merge_leads(user=alice, master=master, others=[other])

    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (own.lead, theirs.lead) == (master, other)  # one per lead: it stays
    assert merge.moved == []


def test_only_later_merges_of_the_same_records_block_an_undo(alice):
    first, second, third, fourth = (make_lead(owner=alice) for _ in range(4))
    earlier = merge_leads(user=alice, master=first, others=[second])
    unrelated = merge_leads(user=alice, master=third, others=[fourth])
    assert later_dependent_merges(earlier) == []
    later = merge_leads(user=alice, master=make_lead(owner=alice), others=[first])
    assert later_dependent_merges(earlier) == [later]
    assert later_dependent_merges(unrelated) == []
