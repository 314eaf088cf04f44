import re

import pytest
from django.test import Client

from armorpt.models import OutboundEmail

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def text(response):
    return response.content.decode()


def without_csrf(response):
    """The page as a person sees it: the CSRF token differs on every render."""
    return CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', text(response))


def link(body, kind):
    """The first /newsletter/<kind>/<token>/ address in an email body."""
    match = re.search(rf"https://armorpt\.test(/newsletter/{kind}/[^/\s\"<>]+/)", body)
    assert match, f"no {kind} link in:\n{body}"
    return match.group(1)


def emails(kind):
    return list(OutboundEmail.objects.filter(kind=kind).order_by("created_at"))


@pytest.fixture
def sign_up(client):
    def post(email="ana@example.com", first_name="", client=client, **extra):
        return client.post("/newsletter/", {"email": email, "first_name": first_name, "website": "", **extra})

    return post


@pytest.fixture
def csrf_client():
    """A browser: the CSRF check is on, as in production."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture(autouse=True)
def _open_celery_pool():
    """Eager tasks still take a producer from Celery's pool; an earlier test may have closed it
    (tests/armorpt/test_healthz.py, `stopped_redis`), which would make every apply_async fail."""
    from armorpt.celery import app

    if app._pool is not None and getattr(app._pool, "_closed", False):
        app._pool = None
        app.amqp._producer_pool = None
