import pytest
from django.test import override_settings

from armorpt.celery import app as celery_app
from tests.helpers import closed_port, use_broker


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
    use_broker(url)
    try:
        with override_settings(CACHES=cache):
            yield
    finally:
        use_broker(old[0], eager=old[1])


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
    use_broker(settings.REDIS_URL)
    try:
        response = client.get("/healthz")
    finally:
        use_broker(old[0], eager=old[1])

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == "ok"
