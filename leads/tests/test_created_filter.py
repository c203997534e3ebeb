"""The list's "Created from / until" filters count days in the user's time zone, as a range of
created_at (sargable: the board and the list read it by index at a million leads)."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from leads.models import Lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db
COPENHAGEN = zoneinfo.ZoneInfo("Europe/Copenhagen")


def test_days_are_the_users_own(as_alice, alice):
    alice.time_zone = "Europe/Copenhagen"
    alice.save()
    late = make_lead(owner=alice, topic="Late on the 1st")  # 23:30 in Copenhagen = 22:30 UTC
    Lead.objects.filter(pk=late.pk).update(
        created_at=datetime.datetime(2026, 12, 1, 23, 30, tzinfo=COPENHAGEN)
    )
    early = make_lead(owner=alice, topic="Early on the 2nd")  # 00:10 in Copenhagen
    Lead.objects.filter(pk=early.pk).update(
        created_at=datetime.datetime(2026, 12, 2, 0, 10, tzinfo=COPENHAGEN)
    )

    def listed(**dates):
        response = as_alice.get(reverse("leads:list"), {"view": "any", **dates})
        return {lead.topic for lead in response.context["page"]}

    assert listed(created_after="2026-12-02") == {"Early on the 2nd"}
    assert listed(created_before="2026-12-01") == {"Late on the 1st"}
    assert listed(created_after="2026-12-01", created_before="2026-12-01") == {"Late on the 1st"}
    assert listed(created_after="2026-12-01", created_before="2026-12-02") == {
        "Late on the 1st",
        "Early on the 2nd",
    }
