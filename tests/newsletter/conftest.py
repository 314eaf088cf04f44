import pytest
from django.test import Client

from tests.helpers import as_a_person


@pytest.fixture
def sign_up(client):
    def post(email="ana@example.com", first_name="", client=client, **extra):
        return client.post("/newsletter/", {"email": email, "first_name": first_name, **as_a_person(), **extra})

    return post


@pytest.fixture
def csrf_client():
    """A browser: the CSRF check is on, as in production."""
    return Client(enforce_csrf_checks=True)
