"""Fixtures shared by every test. Helpers that tests call by name are in tests/helpers.py."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from tests.content.pages import Page
from tests.helpers import DEFAULT_NOW, make_world


def pytest_collection_modifyitems(items):
    """Set the clock before any other fixture of the test: a fixture made earlier (a logged-in
    `admin_client`, a signed token) would carry the real time into the frozen one."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names and "clock" in names:
            names.remove("clock")
            names.insert(0, "clock")


@pytest.fixture
def clock(request):
    """Freeze "now" for the test, and hand over the traveller to move it (`clock.shift(...)`, `clock.move_to(...)`).

    The instant is, in order: the fixture's parameter (`@pytest.mark.parametrize("clock", [...], indirect=True)`),
    a `@pytest.mark.clock(instant)` on the test, or DEFAULT_NOW. The clock stands still so that "now"
    in the test and "now" in the code under test are the same instant; threads of this process (the
    live server, racing patients, the Celery worker) see it too. `time.monotonic()` is left alone.
    `@pytest.mark.clock(tick=True)` lets it run from there, for code whose own timeouts read the time.
    """
    marker = request.node.get_closest_marker("clock")
    args, options = (marker.args, marker.kwargs) if marker else ((), {})
    instant = getattr(request, "param", None) or (args[0] if args else DEFAULT_NOW)
    # In UTC: a ZoneInfo destination would also change the process's local time zone.
    with time_machine.travel(instant.astimezone(dt.UTC), tick=options.get("tick", False)) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _english_to_start():
    """Each test starts in English. A Spanish page an earlier test asked for leaves Spanish active in
    the thread, and `Guide(title=...)` writes the field of the active language (content.translation)."""
    translation.activate("en")
    yield


@pytest.fixture
def world(clock, db):
    return make_world()


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


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploads (photos, exercise pictures) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
