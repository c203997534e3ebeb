import pytest
from django.core.management import call_command

from leads.routing.models import AssignmentCondition, AssignmentRule

pytestmark = pytest.mark.django_db


def test_the_demo_rules_are_seeded_once():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    assert AssignmentRule.objects.count() == 4
    assert AssignmentCondition.objects.count() == 5
    assert AssignmentRule.objects.get(name="Store firmaer til Maria").target_user.username == (
        "maria"
    )
