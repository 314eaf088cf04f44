"""Proof that CI's second pass really ran on PostgreSQL and Redis (REQUIRE_SERVICES=1 fails a skip)."""

import pytest
import redis
from django.conf import settings
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == ("btree_gist",)


@pytest.mark.redis
def test_reaches_redis():
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    assert client.ping() is True
    assert settings.CACHES["default"]["BACKEND"] == "armorpt.cache.ForgivingRedisCache"
