import io

import pytest
from django.core.management import call_command

from tests.content.pages import Page


@pytest.fixture
def demo(clock, db):
    """The demo site as `make run` loads it, on the test's clock (its closures and openings follow "today")."""
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def get_page(client):
    """GET a URL, check it answered 200, and return it parsed."""

    def get(url, expected_status=200, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == expected_status, f"{url} answered {response.status_code}"
        return Page(response.content.decode())

    return get
