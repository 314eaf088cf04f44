import socket

import kombu.pools
import pytest
from django.test import override_settings

from armorpt.celery import app as celery_app


def closed_port():
    """A local port nothing listens on: connecting to it is refused at once, like a stopped Redis."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stopped_redis(settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    cache = {
        "default": {
            "BACKEND": "armorpt.cache.ForgivingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "armorpt",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    old = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    try:
        with override_settings(CACHES=cache):
            yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = old
        forget_broker_connections()


def forget_broker_connections():
    """Drop pooled connections to a broker we pointed at, so later tasks connect afresh."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.mark.django_db
def test_healthz_reports_every_component_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}


@pytest.mark.django_db
def test_healthz_reports_a_stopped_redis_as_503(client, stopped_redis):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("down")
    assert body["checks"]["broker"].startswith("down")


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reaches_the_real_redis_broker(client, settings):
    old = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = settings.REDIS_URL, False
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = old

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == "ok"
