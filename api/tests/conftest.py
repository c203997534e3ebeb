import pytest
from rest_framework.test import APIClient

from api import services
from leads.tests.factories import make_lead


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(db):
    """api_as(alice) → an APIClient sending alice's token, as an integration would."""

    def _client(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {services.create_token(user=user).key}")
        return client

    return _client


@pytest.fixture
def lead(alice):
    return make_lead(owner=alice)


@pytest.fixture
def carols_lead(carol):
    return make_lead(owner=carol, email="someone@south.example", company_name="South Co")
