import pytest
from rest_framework.test import APIClient

from api import services


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
