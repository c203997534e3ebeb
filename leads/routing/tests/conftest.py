import pytest

from crm.tests.factories import TeamFactory
from leads.routing.tests.factories import add_members


@pytest.fixture
def east(db):
    """A team of three reps and nobody else: Dan, Eve and Finn."""
    team = TeamFactory(name="East")
    add_members(team, "dan", "eve", "finn")
    return team


@pytest.fixture
def dan(east):
    return east.members.get(username="dan")


@pytest.fixture
def eve(east):
    return east.members.get(username="eve")


@pytest.fixture
def finn(east):
    return east.members.get(username="finn")
