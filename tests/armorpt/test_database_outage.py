"""A database that is starting, stopping or refusing connections answers 503 "try again", never 500.

The first tests make the database connection raise for one request (the handler is what is under
test, on SQLite). The last one restarts a real, private PostgreSQL under a running gunicorn.
"""

import contextlib
import glob
import http.client
import json
import logging
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.db.backends.signals import connection_created
from django.test import Client, RequestFactory

from appointments.models import Appointment
from armorpt import unavailable
from clinics.selectors import footer_clinics
from tests.content.pages import FormReader, Page
from tests.factories import ClinicFactory
from tests.helpers import as_a_person, closed_port, text

DETAILS = {
    "first_name": "Ana",
    "last_name": "Lopez",
    "email": "ana@example.com",
    "phone": "269-555-0111",
    "date_of_birth": "1985-04-02",
    "reason": "back-pain",
    "notes": 'Sore since the move.\nWorse on stairs & "mornings" <b>',
    "consent": "on",
}


@pytest.fixture(autouse=True)
def database_up(monkeypatch):
    monkeypatch.setattr(unavailable.DATABASE, "_down_since", None)
    monkeypatch.setattr(unavailable.DATABASE, "_failures", 0)


@contextlib.contextmanager
def database_away(error=None):
    """Every query fails the way psycopg reports a database that is shutting down (or `error`)."""
    error = error or OperationalError("FATAL:  the database system is shutting down")
    with mock.patch.object(connections["default"], "cursor", side_effect=error):
        yield


@pytest.fixture
def browser():
    # As production: the exception becomes a response, it is not raised into the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def phones(world):
    """The footer's clinic list in the cache, as any page shown in the last hour leaves it."""
    return footer_clinics()


def details_url(world):
    return f"/book/{world.clinic.slug}/details/"


def form_sent(world):
    start = world.local(2, 10).astimezone(world.clinic.tz).isoformat()
    return {**DETAILS, **as_a_person(), "start": start, "csrfmiddlewaretoken": "token-as-posted"}


# --- The handler, on SQLite -------------------------------------------------------------------------


def test_a_booking_sent_while_the_database_is_away_is_a_503_that_keeps_what_was_typed(browser, world, phones):
    sent = form_sent(world)

    with database_away():
        response = browser.post(details_url(world), sent)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    page = Page(text(response))
    assert page.find("h1").text == "We could not reach our booking system for a moment"
    assert "Nothing was booked or changed yet" in text(response)
    assert page.find("a", href="tel:+12695550100", cls="outage__call").text == "Call Armor PT Kalamazoo (269) 555-0100"
    # The "Try again" form posts the same fields back to this address (no action: the same URL).
    form = page.find("form", id="try-again")
    assert form.attrs.get("method") == "post" and "action" not in form.attrs
    assert FormReader(text(response), "try-again").as_dict() == sent
    assert 'value="Sore since the move.\nWorse on stairs &amp; &quot;mornings&quot; &lt;b&gt;"' in text(response)


def test_sending_the_kept_form_again_books_the_visit_once_the_database_is_back(browser, world, phones):
    with database_away():
        outage = browser.post(details_url(world), form_sent(world))

    again = FormReader(text(outage), "try-again").as_dict()
    first = browser.post(details_url(world), again)
    second = browser.post(details_url(world), again)

    assert first.status_code == second.status_code == 302
    assert first["Location"].startswith("/book/done/")
    # The booking service takes the same form sent twice for the same booking.
    assert second["Location"] == first["Location"]
    assert Appointment.objects.filter(email=DETAILS["email"]).count() == 1


def test_every_value_of_a_field_sent_more_than_once_is_kept(browser, world, phones):
    with database_away():
        response = browser.post(details_url(world), {**form_sent(world), "reason": ["back-pain", "neck-pain"]})

    assert FormReader(text(response), "try-again").as_dict()["reason"] == ["back-pain", "neck-pain"]


def test_a_page_asked_for_while_the_database_is_away_offers_to_load_it_again(browser, world, phones):
    with database_away():
        response = browser.get("/book/?sort=soonest")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = Page(text(response))
    assert page.find_all("form") == []
    assert page.find("a", cls="btn-primary").attrs["href"] == "/book/?sort=soonest"
    assert "Nothing was booked or changed." in text(response)
    assert "tel:+12695550100" in page.links()


def answer_while_away(request):
    """What the handler answers `request` when the database has just refused it."""
    try:
        raise OperationalError("the database system is starting up")
    except OperationalError:
        return unavailable.server_error(request)


def test_try_again_never_links_to_another_site():
    # As a server passes on http://armorpt.test//evil.example/book/ (the test client would split it).
    request = RequestFactory().get("/", PATH_INFO="//evil.example/book/")

    response = answer_while_away(request)

    assert response.status_code == 503
    assert Page(text(response)).find("a", cls="btn-primary").attrs["href"] == "/"


def test_the_clinic_being_booked_is_the_number_to_call(browser, world, phones):
    ClinicFactory(slug="aaa-first", name="Armor PT Alpha", phone="+12695550199", display_order=0)
    world.clinic.display_order = 5
    world.clinic.save()
    footer_clinics()

    with database_away():
        response = browser.post(details_url(world), form_sent(world))

    page = Page(text(response))
    assert page.find("a", cls="outage__call").attrs["href"] == "tel:+12695550100"
    assert "tel:+12695550199" in page.links()


def test_without_the_clinic_list_in_the_cache_the_page_still_says_where_the_number_is(browser, world):
    with database_away():
        response = browser.get("/book/")

    assert response.status_code == 503
    assert "phone number is in your confirmation email" in text(response)


def test_the_api_answers_503_in_json(browser, world):
    with database_away():
        response = browser.get("/api/slots/", {"clinic": world.clinic.slug, "date": "2027-06-17"})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"error": unavailable.API_MESSAGE, "retry_after": 5}


def test_a_connection_closed_under_the_site_is_a_503_too(browser, world, phones):
    with database_away(InterfaceError("connection already closed")):
        response = browser.get("/book/")

    assert response.status_code == 503


class BreaksOnTheWayOut:
    """A middleware whose response phase meets the database gone (as a session being saved would)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("server closed the connection unexpectedly")


def test_an_outer_middleware_meeting_the_database_gone_is_a_503(browser, world, phones, settings):
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], f"{__name__}.BreaksOnTheWayOut", *settings.MIDDLEWARE[1:]]

    response = browser.get("/book/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    # The middleware outside it still ran: the security headers are there.
    assert response["X-Content-Type-Options"] == "nosniff"


def test_any_other_error_is_still_the_500_page(browser, world):
    with database_away(ValueError("a bug")):
        response = browser.get("/book/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Sorry, something went wrong" in text(response)


def test_debug_shows_djangos_technical_page(browser, world, settings):
    settings.DEBUG = True

    with database_away():
        response = browser.get("/book/")

    assert response.status_code == 500
    assert "OperationalError" in text(response)


def test_an_outage_is_one_warning_when_it_starts_and_one_when_the_database_answers_again(
    browser, world, phones, caplog
):
    caplog.set_level(logging.INFO)
    with database_away():
        browser.post(details_url(world), form_sent(world))
        browser.get("/book/")
    # Django sends this when it has connected again.
    connection_created.send(sender=type(connections["default"]), connection=connections["default"])

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("database unreachable (OperationalError: FATAL:  the database system is shutting")
    assert warnings[1].startswith("database answers again after") and "(2 failed calls meanwhile)" in warnings[1]
    # Each 503 is one line, without the form's contents.
    answered = [r.getMessage() for r in caplog.records if r.name == "armorpt.unavailable"]
    assert answered == [
        "Database unavailable, answered 503: POST '/book/kalamazoo/details/'",
        "Database unavailable, answered 503: GET '/book/'",
    ]


@pytest.mark.parametrize(
    ("error", "unavailable_now"),
    [
        (OperationalError("could not connect to server: Connection refused"), True),
        (InterfaceError("connection already closed"), True),
        (ValueError("a bug"), False),
    ],
)
def test_which_errors_mean_the_database_is_away(error, unavailable_now):
    assert unavailable.database_unavailable(error) is unavailable_now


def test_an_error_raised_from_a_database_error_means_it_is_away():
    error = RuntimeError("could not load the session")
    error.__cause__ = OperationalError("the database system is starting up")

    assert unavailable.database_unavailable(error)


def test_the_page_renders_with_no_database_at_all():
    # No db fixture: any query fails this test, so the page (and its handler) need none.
    response = answer_while_away(RequestFactory().post("/book/kalamazoo/details/", {"first_name": "Ana"}))

    assert response.status_code == 503
    page = Page(text(response))
    assert page.title == f"Please try again in a few seconds | {settings.PRACTICE['name']}"
    assert page.find("input", type="hidden", name="first_name").attrs["value"] == "Ana"


# --- A real PostgreSQL restarting under the running site --------------------------------------------

SITE_ENV = {
    "DJANGO_SETTINGS_MODULE": "armorpt.settings_test",
    "DEBUG": "false",
    "SECRET_KEY": "x",
    "ALLOWED_HOSTS": "127.0.0.1",
    # Every POST comes from 127.0.0.1 here.
    "RATE_LIMIT_BOOKING": "10000/h",
}
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


def _postgresql_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _cannot_run_private_postgresql():
    if _postgresql_bin() is None:
        return "needs PostgreSQL's server programs (initdb, pg_ctl under /usr/lib/postgresql/*/bin)"
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return "needs to run as root, to start a private PostgreSQL as the postgres user"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "needs a postgres system user"
    return None


class PrivatePostgreSQL:
    """A throwaway PostgreSQL cluster on its own port, so the shared server is never touched."""

    def __init__(self):
        self.bin = _postgresql_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="armorpt-pg-"))
        shutil.chown(self.dir, "postgres")
        self.data = self.dir / "data"
        self.port = closed_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, program, *args):
        command = ["runuser", "-u", "postgres", "--", str(self.bin / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def pg_ctl(self, action, *args):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres("pg_ctl", action, "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), *args)

    def create(self):
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.pg_ctl("start", "-w")

    def count(self, sql):
        psql = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-tAc", sql]
        return int(subprocess.run(psql, check=True, capture_output=True, text=True, timeout=10).stdout)

    def destroy(self):
        with contextlib.suppress(Exception):
            self.pg_ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgresql():
    if reason := _cannot_run_private_postgresql():
        if os.environ.get("REQUIRE_SERVICES") == "1":  # as conftest.py does for the service marks
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)
    database = PrivatePostgreSQL()
    try:
        database.create()
        yield database
    finally:
        database.destroy()


@pytest.fixture
def live_site(private_postgresql):
    """The site under gunicorn (as the Procfile runs it), on the private database with the demo data."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SITE_ENV, DATABASE_URL=private_postgresql.url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    subprocess.run([*manage, "load_demo"], env=env, cwd=ROOT, check=True, timeout=60, capture_output=True)
    port, log_path = closed_port(), private_postgresql.dir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "armorpt.wsgi", f"--bind=127.0.0.1:{port}", f"--workers={WORKERS}"]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while request("GET", port, "/healthz")[0] is None:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            yield port, log_path
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


def request(method, port, path, body=None, cookie=""):
    """(status, headers, text) of one request on a fresh connection; status None if nobody answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    except OSError:
        return None, {}, ""
    finally:
        connection.close()


def booking_form(port, clinic):
    """A patient's filled-in details form at the first free time shown, and the cookie it needs."""
    _, _, times = request("GET", port, f"/book/{clinic}/")
    slot = re.search(rf'href="(/book/{clinic}/details/\?[^"]+)"', times)
    assert slot, "no free time on the clinic's first page"
    status, headers, page = request("GET", port, slot.group(1).replace("&amp;", "&"))
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    # The details form has no id; FormReader finds a form by its id.
    shown = FormReader(page.replace('<form method="post"', '<form id="details" method="post"', 1), "details")
    fields = {k: v for k, v in shown.as_dict().items() if k != "newsletter"}
    return {**fields, **DETAILS}, cookie


@pytest.mark.postgres
def test_postgresql_restarting_under_load_gives_503s_never_500s(private_postgresql, live_site):
    database, (port, server_log) = private_postgresql, live_site
    clinic = "kalamazoo"
    form, cookie = booking_form(port, clinic)
    posted = urlencode(form, doseq=True)
    time.sleep(2)  # settings.FORM_MIN_SECONDS: a form sent sooner is shown again
    traffic = [
        ("GET", "/", None),
        ("GET", "/book/", None),
        ("GET", f"/book/{clinic}/", None),
        ("GET", f"/api/slots/?clinic={clinic}&date=2099-01-01", None),
        ("POST", f"/book/{clinic}/details/", posted),
    ]
    seen, stop = [], threading.Event()

    def patient(n):
        while not stop.is_set():
            method, path, body = traffic[(n + len(seen)) % len(traffic)]
            began = time.monotonic()
            status, headers, page = request(method, port, path, body, cookie)
            seen.append(
                {"began": began, "path": path, "method": method, "status": status, "headers": headers, "page": page}
            )

    threads = [threading.Thread(target=patient, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        down_at = time.monotonic()
        database.pg_ctl("restart", "-m", "fast", "-w")  # what was measured: a restart in mid-booking
        restarted_in = time.monotonic() - down_at
        time.sleep(1)
        stopped_at = time.monotonic()
        database.pg_ctl("stop", "-m", "fast", "-w")  # and down for a moment, so that 503s are certain
        time.sleep(1.5)
        database.pg_ctl("start", "-w")
        back_at = time.monotonic()
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    statuses = [r["status"] for r in seen]
    unavailable_pages = [r for r in seen if r["status"] == 503]
    after = [r for r in seen if r["began"] > back_at]
    in_restart = [r["status"] for r in seen if down_at <= r["began"] < stopped_at]
    log = server_log.read_text()
    print(
        f"\n{len(seen)} requests: {statuses.count(503)} answered 503, {statuses.count(500)} answered 500; "
        f"restart took {restarted_in:.2f} s ({in_restart.count(503)} of {len(in_restart)} requests from then "
        f"to the stop answered 503), stopped for {back_at - stopped_at:.2f} s; "
        f"{len(after)} requests after it was back, all {sorted({r['status'] for r in after})}; "
        f"log: {log.count('database unreachable')} 'unreachable' and {log.count('database answers again')} "
        f"'answers again' warnings ({WORKERS} workers), {log.count('Database unavailable, answered 503')} 503 lines; by path: "
        f"{sorted(Counter((r['method'], r['path'], r['status']) for r in seen).items())}"
    )
    assert None not in statuses, "a request got no answer"
    assert [s for s in statuses if s >= 500 and s != 503] == []
    assert unavailable_pages, "the database was down and no request noticed: this test tested nothing"
    assert all(r["headers"].get("Retry-After") == "5" for r in unavailable_pages)
    assert after and all(r["status"] in (200, 302) for r in after)
    # Per process, one warning as each of the two outages starts and one as it ends; not one per request.
    assert 0 < log.count("database unreachable") <= 2 * WORKERS and "database answers again after" in log

    # A booking sent during the outage comes back with what was typed; sent again, it books once.
    kept = next(r for r in unavailable_pages if r["method"] == "POST")
    again = FormReader(kept["page"], "try-again").as_dict()
    assert again == form
    status, headers, _ = request("POST", port, f"/book/{clinic}/details/", urlencode(again, doseq=True), cookie)
    assert status == 302 and headers["Location"].startswith("/book/done/")
    assert database.count(f"SELECT count(*) FROM appointments_appointment WHERE email = '{DETAILS['email']}'") == 1
