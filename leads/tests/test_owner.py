"""services.set_owner: the one owner change that assign, claim, reroute and hand-over share."""

import pytest

from leads import services
from leads.signals import lead_assigned
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def told():
    received = []

    def on_assigned(sender, lead, owner, assigned_by, reason, **kwargs):
        received.append((owner, assigned_by, reason))

    lead_assigned.connect(on_assigned)
    yield received
    lead_assigned.disconnect(on_assigned)


def test_a_new_owner_is_told_after_commit_and_the_lead_is_a_new_version(
    alice, bob, told, django_capture_on_commit_callbacks
):
    lead = make_lead(owner=alice)

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.set_owner(
            lead, owner=bob, user=alice, reason="assigned", assigned_by=alice
        )
        assert told == []  # not before the commit

    lead.refresh_from_db()
    assert changed
    assert (lead.owner, lead.version, lead.modified_by) == (bob, 2, alice)
    assert told == [(bob, alice, "assigned")]


def test_the_same_owner_again_is_stored_but_nobody_is_told(
    alice, told, django_capture_on_commit_callbacks
):
    lead = make_lead(owner=alice)

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.set_owner(
            lead, owner=alice, user=alice, reason="routed", assigned_by=None
        )

    lead.refresh_from_db()
    assert not changed and lead.version == 2
    assert told == []


def test_has_owner_reads_the_ids(alice, django_assert_num_queries):
    lead = make_lead(owner=alice)
    lead = type(lead).objects.get(pk=lead.pk)

    with django_assert_num_queries(0):
        assert lead.has_owner
    lead.owner_user_id = None
    assert not lead.has_owner
