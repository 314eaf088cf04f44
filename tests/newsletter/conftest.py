import re

import pytest
from django.test import Client

from armorpt.models import OutboundEmail
from tests.conftest import as_a_person

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def text(response):
    return response.content.decode()


def without_csrf(response):
    """The page as a person sees it: the CSRF token and the form's signed render time differ every time."""
    page = CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', text(response))
    return re.sub(r'name="rendered_at" value="[^"]*"', 'name="rendered_at" value=""', page)


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
        return client.post("/newsletter/", {"email": email, "first_name": first_name, **as_a_person(), **extra})

    return post


@pytest.fixture
def csrf_client():
    """A browser: the CSRF check is on, as in production."""
    return Client(enforce_csrf_checks=True)
