"""The scope's literal id lists as one array parameter on PostgreSQL (crm.lib.any_of), the
timeline's per-row Edit right probed by key (activities.models.editable_rows_by) and JIT off:
what made a rep's API create / log-a-call / lead page slow at 1,000,000 leads."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity
from activities.timeline import with_can_edit
from crm.models import Share, forget_scope
from leads.models import Lead
from leads.tests.factories import make_lead

pytestmark = pytest.mark.django_db


def test_thousands_of_shared_ids_are_one_parameter_on_postgresql(alice, carol):
    leads = [make_lead(owner=alice, last_name=f"Delt {i}") for i in range(3)]
    content_type = ContentType.objects.get_for_model(Lead)
    # 3,000 shares, three of them real leads; the rest ids of leads that do not exist.
    Share.objects.bulk_create(
        [
            Share(content_type=content_type, object_id=pk, user=carol, granted_by=alice)
            for pk in [lead.pk for lead in leads] + list(range(10**6, 10**6 + 2997))
        ]
    )
    forget_scope(carol)
    with CaptureQueriesContext(connection) as queries:
        found = set(Lead.objects.visible_to(carol).values_list("pk", flat=True))
    assert found == {lead.pk for lead in leads}
    sql = queries.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        # One array (the SQL captured is as sent, the array written out), not 3,000 "%s".
        assert '"leads_lead"."id" = ANY(' in sql and '"leads_lead"."id" IN (' not in sql


def test_editable_rows_by_gives_the_same_rows_as_editable_by(alice, bob, carol):
    own_lead = make_lead(owner=carol, last_name="Carols")
    other_lead = make_lead(owner=alice, last_name="Alices")
    activities = [
        Activity.objects.create(
            owner_user=owner,
            created_by=owner,
            modified_by=owner,
            content_type=ContentType.objects.get_for_model(Lead),
            object_id=lead.pk,
            kind=Activity.Kind.TASK,
            subject=f"{owner.username} on {lead.last_name}",
        )
        for owner in (alice, carol)
        for lead in (own_lead, other_lead)
    ]
    for user in (alice, bob, carol):
        forget_scope(user)
        wide = set(Activity.objects.editable_by(user).values_list("pk", flat=True))
        rows = set(Activity.objects.editable_rows_by(user).values_list("pk", flat=True))
        assert rows == wide, user
        annotated = {
            activity.pk: activity.user_can_edit
            for activity in with_can_edit(
                Activity.objects.filter(pk__in=[a.pk for a in activities]), user
            )
        }
        assert {pk for pk, can in annotated.items() if can} == wide & set(annotated)


@pytest.mark.postgres
def test_the_app_turns_postgresql_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
