import pytest
from django.core.cache import caches
from django.test import override_settings

from tests.helpers import closed_port


@pytest.fixture
def unreachable_cache():
    config = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "dead": {
            "BACKEND": "armorpt.cache.ForgivingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    with override_settings(CACHES=config):
        yield caches["dead"]


def test_an_unreachable_redis_is_a_cache_miss_not_an_error(unreachable_cache):
    assert unreachable_cache.set("page", "html") is None
    assert unreachable_cache.get("page") is None
    assert unreachable_cache.get("page", "fallback") == "fallback"
    assert unreachable_cache.get_many(["a", "b"]) == {}
    assert unreachable_cache.add("counter", 1) is False


def test_incr_on_an_unreachable_redis_raises_what_rate_limiters_expect(unreachable_cache):
    with pytest.raises(ValueError):
        unreachable_cache.incr("counter")
