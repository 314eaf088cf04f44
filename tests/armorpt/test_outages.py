"""An operator reads one line when Redis breaks and one when it is back, not one per request."""

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from armorpt import outages
from armorpt.celery import app
from armorpt.models import OutboundEmail
from tests.helpers import PrivateRedis, book, closed_port, use_broker


@pytest.fixture(autouse=True)
def nothing_down(monkeypatch):
    for outage in (outages.CACHE, outages.BROKER):
        monkeypatch.setattr(outage, "_down_since", None)
        monkeypatch.setattr(outage, "_failures", 0)


def outage_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "armorpt.outages"]


def _redis_cache(url):
    config = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "redis": {
            "BACKEND": "armorpt.cache.ForgivingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    return override_settings(CACHES=config)


@pytest.mark.redis
def test_a_redis_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    caplog.set_level(logging.INFO)
    with PrivateRedis() as redis_server, _redis_cache(redis_server.url):
        cache = caches["redis"]
        cache.set("page", "html")
        redis_server.kill()
        for _ in range(200):
            assert cache.get("page") is None  # every page is built without the cache meanwhile
        redis_server.start()
        cache.set("page", "html again")
        assert cache.get("page") == "html again"

    down, back = outage_lines(caplog)
    assert down.startswith("cache (Redis) unreachable") and "Logged once" in down
    assert back.startswith("cache (Redis) answers again after") and "200 failed calls" in back


@pytest.mark.django_db
def test_unreachable_cache_and_broker_say_so_once_however_many_requests(
    world, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    before = app.conf.broker_url, app.conf.task_always_eager
    use_broker(f"redis://127.0.0.1:{closed_port()}/0")
    try:
        with _redis_cache(f"redis://127.0.0.1:{closed_port()}/0"):
            for _ in range(50):
                caches["redis"].get("page")
            for n, (days, hour) in enumerate((d, h) for d in (2, 3) for h in (9, 11, 14)):
                with django_capture_on_commit_callbacks(execute=True):
                    book(world, days=days, hour=hour, n=n)  # one confirmation each, none of which reaches the broker
    finally:
        use_broker(before[0], eager=before[1])

    assert OutboundEmail.objects.filter(status="pending").count() >= 6
    lines = outage_lines(caplog)
    assert len(lines) == 2, lines
    assert any(line.startswith("cache (Redis) unreachable") for line in lines)
    assert any(line.startswith("Celery broker (Redis) unreachable") for line in lines)
