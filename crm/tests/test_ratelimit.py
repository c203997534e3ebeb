import time

import pytest
import time_machine
from django.core.cache import caches

from crm import ratelimit
from crm.models import RateLimitCounter

REDIS_URL = "redis://127.0.0.1:6379/15"

pytestmark = pytest.mark.real_ratelimit_clock


@pytest.mark.django_db
def test_the_database_counts_per_key_and_window():
    with time_machine.travel("2026-06-01 10:00:05", tick=False):
        assert [ratelimit.hit("a", limit=2) for _ in range(3)] == [False, False, True]
        assert ratelimit.hit("b", limit=2) is False
        assert RateLimitCounter.objects.get(key="a").count == 3
    with time_machine.travel("2026-06-01 10:01:01", tick=False):
        assert ratelimit.hit("a", limit=2) is False
    # The window that ended was dropped when the new one began.
    assert list(RateLimitCounter.objects.filter(key="a").values_list("count", flat=True)) == [1]


@pytest.mark.django_db
def test_with_a_redis_cache_the_count_is_in_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    redis_cache = caches.create_connection("default")
    redis_cache.clear()
    try:
        with time_machine.travel("2026-06-01 10:00:05", tick=False):
            assert [ratelimit.hit("r", limit=1) for _ in range(2)] == [False, True]
            start = int(time.time() // 60) * 60
        assert redis_cache.get(f"ratelimit:r:{start}") == 2
        assert not RateLimitCounter.objects.exists()
    finally:
        redis_cache.clear()
