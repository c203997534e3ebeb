"""The request's user is loaded with its administrator role in the same query."""

import pytest

from crm.backends import UserBackend
from crm.models import ADMINISTRATOR_GROUP
from crm.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_and_whether_an_administrator_are_one_query(alice, django_assert_num_queries):
    # In the administrator group without being a superuser: the group decides.
    grouped = UserFactory(username="ida", groups=[ADMINISTRATOR_GROUP])
    backend = UserBackend()
    with django_assert_num_queries(2):
        admin, rep = backend.get_user(grouped.pk), backend.get_user(alice.pk)
        assert (admin.is_administrator, rep.is_administrator) == (True, False)


def test_an_inactive_or_missing_user_is_no_user(alice):
    alice.is_active = False
    alice.save()

    assert UserBackend().get_user(alice.pk) is None
    assert UserBackend().get_user(987654) is None
