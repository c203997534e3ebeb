"""Fairness across processes: the distribution state is shared through a row lock."""

import threading
from collections import Counter

import pytest
from django.db import connection

from crm.tests.factories import TeamFactory, UserFactory
from leads import services as lead_services
from leads.routing.models import Distribution
from leads.routing.tests.factories import add_members, make_rule
from leads.tests.factories import lead_data

THREADS, LEADS_EACH, MEMBERS = 4, 250, 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_writers_share_one_round_robin_exactly():
    team = TeamFactory(name="West")
    members = add_members(team, *[f"rep{i}" for i in range(MEMBERS)])
    creator = UserFactory(username="importer")
    make_rule("West", team, distribution=Distribution.ROUND_ROBIN)
    errors = []
    start = threading.Barrier(THREADS)

    def write(worker):
        # Each thread has its own database connection (Django's are per thread).
        try:
            start.wait()
            for i in range(LEADS_EACH):
                lead_services.create_lead(
                    data=lead_data(email=f"w{worker}-{i}@example.com"),
                    created_by=creator,
                    route=True,
                    validate=False,
                )
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    from leads.models import Lead

    counts = Counter(Lead.objects.values_list("owner_user__username", flat=True))
    assert counts == {member.username: 200 for member in members}
