import pytest

from activities.tests.factories import AccountFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Every test stores attachments in its own folder, so "nothing stored" can be checked.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def media_root(settings):
    return settings.MEDIA_ROOT


@pytest.fixture
def account(alice):
    """Alice's account: her teammate bob sees it, carol (South) does not."""
    return AccountFactory(name="Acme", owner_user=alice)
