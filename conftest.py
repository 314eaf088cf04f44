"""Shared test setup.

Tests that need PostgreSQL or Redis carry the `postgres` / `redis` marks. Without the
service they are skipped with the reason; with REQUIRE_SERVICES=1 (CI's second pass) a
missing service fails them instead, so CI cannot pass without really using them.
"""

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _postgres_missing():
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/armorpt (see README)"
    return None


def _redis_missing():
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/15 (see README)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"needs Redis: {settings.REDIS_URL} did not answer ({exc})"
    return None


def _missing_service(item):
    for mark, probe in (("postgres", _postgres_missing), ("redis", _redis_missing)):
        if item.get_closest_marker(mark) and (reason := probe()):
            return reason
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason and REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    if reason:
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Pages and rate limits are cached; every test starts with an empty cache."""
    from tests.caches import empty_cache

    empty_cache()
    yield
