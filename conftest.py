"""Personas shared by every test: two reps in team North, one in South, North's manager and an
administrator. Tests read as sentences about them ("carol cannot see alice's lead")."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP, Membership
from crm.tests.factories import MembershipFactory, TeamFactory, UserFactory


def pytest_configure(config):
    # The tests read the Danish catalogue: build its .mo from the .po, as bin/bootstrap does
    # (once, in the main process, not in each xdist worker).
    if not hasattr(config, "workerinput"):
        call_command("compilemessages", verbosity=0)


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _rate_limit_window_held_still(request, monkeypatch):
    # Rate limits count in fixed windows: four requests that straddle a minute's end would be
    # counted in two windows and the limit would not trip (a CI run on PostgreSQL once did).
    # Tests of the windows themselves mark themselves real_ratelimit_clock and travel in time.
    if request.node.get_closest_marker("real_ratelimit_clock") is None:
        from crm import ratelimit

        now = ratelimit.time.time()
        monkeypatch.setattr(ratelimit, "_clock", lambda: now)
    yield


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # A request activates its language for the thread (LocaleMiddleware never deactivates it):
    # after a Danish request, the next test's messages would be Danish too.
    yield
    translation.deactivate()


@pytest.fixture
def north(db):
    return TeamFactory(name="North")


@pytest.fixture
def south(db):
    return TeamFactory(name="South")


def _member(username, team, group, role=Membership.Role.MEMBER, **extra):
    user = UserFactory(username=username, groups=[group], **extra)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture
def alice(north):
    return _member("alice", north, SALESPERSON_GROUP, first_name="Alice", last_name="Adams")


@pytest.fixture
def bob(north):
    return _member("bob", north, SALESPERSON_GROUP, first_name="Bob", last_name="Berg")


@pytest.fixture
def carol(south):
    return _member("carol", south, SALESPERSON_GROUP, first_name="Carol", last_name="Cruz")


@pytest.fixture
def manager(north):
    return _member(
        "maria",
        north,
        SALES_MANAGER_GROUP,
        role=Membership.Role.MANAGER,
        first_name="Maria",
        last_name="Manning",
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin",
        groups=[ADMINISTRATOR_GROUP],
        is_staff=True,
        is_superuser=True,
        first_name="Ada",
        last_name="Admin",
    )


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def as_carol(client, carol):
    client.force_login(carol)
    return client


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database (crm/testing.py) starts as a new one would: a run that was killed
    in the middle of a transactional test can leave rows behind, so flush them (the
    post_migrate receivers then seed the groups, sources and base currency again)."""
    from django.core.management import call_command

    from crm.models import User

    with django_db_blocker.unblock():
        if User.objects.exists():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def merged(alice):
    """Two of alice's leads, the younger merged into the older: (master, merged, merge)."""
    from leads.merge import merge_leads
    from leads.tests.factories import make_lead

    master = make_lead(owner=alice, first_name="Anna")
    other = make_lead(owner=alice, first_name="Ann")
    merge = merge_leads(user=alice, master=master, others=[other])
    other.refresh_from_db()
    return master, other, merge
