"""What tests call by name: a clinic to book in, patients, staff users, brokers, pages and emails.

Fixtures live in the conftest files; everything else shared lives here. A test module is never
imported by another.

"Now" in a test is whatever its `clock` fixture says (tests/conftest.py): every helper below reads
`timezone.now()` and so follows the frozen clock. Nothing here reads the wall clock behind its back.
"""

import contextlib
import datetime as dt
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core import signing
from django.test import Client
from django.utils import timezone

from appointments import availability, services
from appointments.models import Appointment, BookingRules
from appointments.services import Patient
from armorpt.forms import BotTrapMixin
from armorpt.models import OutboundEmail
from clinics.models import Clinic, ClinicAccess
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ClinicFactory,
    SpecialistFactory,
    WorkingHoursFactory,
)

# --- The clock -------------------------------------------------------------------------------------

DETROIT = ZoneInfo("America/Detroit")


def detroit(year, month, day, hour, minute=0, *, fold=0):
    """The instant a Kalamazoo clock shows as given, in UTC; `fold=1` is the second 1:30 of the fall-back night.

    In UTC because a local time in the repeated hour never compares equal to any time in another zone (PEP 495).
    """
    return dt.datetime(year, month, day, hour, minute, tzinfo=DETROIT, fold=fold).astimezone(dt.UTC)


# "Now" for a test that asks for the clock and names no other instant: a Tuesday morning in
# Kalamazoo, away from month ends and clock changes, so a failure there is about the code under test.
DEFAULT_NOW = detroit(2027, 6, 15, 9, 0)

# The instants at which tests that read the real clock used to fail: before the clinic opens,
# late in the evening, at the turn of the year, and on both clock-change days of America/Detroit.
# Tests of time-sensitive rules run at each (`@pytest.mark.parametrize("clock", HARD_INSTANTS, indirect=True)`).
HARD_INSTANTS = {
    "weekday-early-morning": detroit(2026, 12, 1, 1, 0),  # 06:00 UTC
    "weekday-late-evening": detroit(2026, 12, 1, 23, 30),  # already tomorrow in UTC
    "new-years-eve": detroit(2026, 12, 31, 23, 30),
    "spring-forward-night": detroit(2027, 3, 14, 1, 30),  # 02:00-03:00 does not exist tonight
    "fall-back-first-1-30": detroit(2026, 11, 1, 1, 30),  # 01:00-02:00 happens twice tonight
    "fall-back-second-1-30": detroit(2026, 11, 1, 1, 30, fold=1),
}


# --- A clinic to book in ------------------------------------------------------------------------


@dataclass
class World:
    """One clinic open every day 08:00-17:00 with two specialists, and the default rules."""

    clinic: Clinic
    alice: object
    bob: object
    visit_type: object
    rules: BookingRules

    @property
    def now(self):
        return timezone.now()

    def today(self):
        """Today's date at the clinic (not in UTC: late evening in Kalamazoo is already tomorrow there)."""
        return timezone.now().astimezone(self.clinic.tz).date()

    def local(self, days_ahead, hour, minute=0):
        """An aware UTC datetime: `days_ahead` days from today, at hour:minute clinic time."""
        day = self.today() + dt.timedelta(days=days_ahead)
        return dt.datetime.combine(day, dt.time(hour, minute), self.clinic.tz).astimezone(dt.UTC)

    def visit(self, days_ahead, hour=9, minute=0, *, booked_hours_ago=72, specialist=None, **fields):
        """A visit `days_ahead` days from today at hour:minute clinic time, booked `booked_hours_ago` hours ago.

        Written straight to the database (no rules checked, no emails): for tests about what happens
        to visits that already exist: reminders, the schedule, the purge.
        """
        appointment = AppointmentFactory(
            clinic=self.clinic,
            specialist=specialist or self.alice,
            appointment_type=self.visit_type,
            start=self.local(days_ahead, hour, minute),
            **fields,
        )
        booked_at = timezone.now() - dt.timedelta(hours=booked_hours_ago)
        Appointment.objects.filter(pk=appointment.pk).update(created_at=booked_at)
        appointment.refresh_from_db()
        return appointment


def make_world():
    clinic = ClinicFactory(slug="kalamazoo", name="Armor PT Kalamazoo", confirms_online_bookings=True)
    alice = SpecialistFactory(slug="alice-park", name="Alice Park", clinics=[clinic])
    bob = SpecialistFactory(slug="bob-stone", name="Bob Stone", clinics=[clinic])
    for person in (alice, bob):
        for weekday in range(7):
            WorkingHoursFactory(specialist=person, clinic=clinic, weekday=weekday)
    rules = BookingRules()
    rules.save()
    return World(clinic, alice, bob, AppointmentTypeFactory(), rules)


# --- People ---------------------------------------------------------------------------------------


def patient(n=1, **changes):
    values = {
        "first_name": "Ana",
        "last_name": f"Lopez{n}",
        "email": f"ana{n}@example.com",
        "phone": f"+1269555{n:04d}",
        "date_of_birth": dt.date(1985, 4, 2),
        "reason": "back-pain",
        "notes": "Sore since the move.",
        "consented_at": timezone.now(),
    }
    return Patient(**{**values, **changes})


def as_a_person():
    """The bot-trap fields of a form a person filled in a minute ago (armorpt.forms.BotTrapMixin)."""
    return {"website": "", "rendered_at": signing.dumps(time.time() - 60, salt=BotTrapMixin.SALT)}


def staff_user(username, role=None, clinics=(), **extra):
    """A staff user in the group `role`, working at `clinics`."""
    user = User.objects.create_user(username, password="not-used-here-0", is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for clinic in clinics:
        ClinicAccess.objects.create(user=user, clinic=clinic)
    return user


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- Bookings -------------------------------------------------------------------------------------


def book(world, days=2, hour=10, specialist=None, n=1, **changes):
    """A phone booking the front desk made for patient `n`, `days` days from today at `hour` clinic time."""
    return services.book_appointment(
        clinic=world.clinic,
        start=world.local(days, hour),
        specialist=specialist or world.alice,
        patient=patient(n, **changes),
        source=Appointment.Source.PHONE,
    )


def free_start(clinic_slug="kalamazoo", *, skip=0):
    """The first free online time two days or more away (well outside the online change cut-off)."""
    clinic = Clinic.objects.get(slug=clinic_slug)
    now = timezone.now()
    first_day = availability.local_today(clinic, now) + dt.timedelta(days=2)
    slots = availability.slots_for_clinics(
        [clinic], now=now, days=14, first_day=first_day, appointment_type=availability.online_type()
    )[clinic.pk]
    return slots[skip].start


def book_directly(clinic_slug="kalamazoo", n=1, *, skip=0):
    """An online booking at the first free time two days or more away, through the booking service."""
    clinic = Clinic.objects.get(slug=clinic_slug)
    now = timezone.now()
    person = Patient(
        first_name="Ben",
        last_name=f"Ortiz{n}",
        email=f"ben{n}@example.com",
        phone=f"+1269555{n:04d}",
        date_of_birth=dt.date(1979, 6, 1),
        reason="back-pain",
        consented_at=now,
    )
    return services.book_appointment(clinic=clinic, start=free_start(clinic_slug, skip=skip), patient=person, now=now)


# --- Pages and emails -----------------------------------------------------------------------------

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def text(response):
    return response.content.decode()


def without_csrf(response):
    """The page as a person sees it: the CSRF token and the form's signed render time differ every time."""
    page = CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', text(response))
    return re.sub(r'name="rendered_at" value="[^"]*"', 'name="rendered_at" value=""', page)


def newsletter_link(body, kind):
    """The first /newsletter/<kind>/<token>/ address in an email body."""
    match = re.search(rf"https://armorpt\.test(/newsletter/{kind}/[^/\s\"<>]+/)", body)
    assert match, f"no {kind} link in:\n{body}"
    return match.group(1)


# Signed links, calendar UIDs and Message-IDs: long runs of random letters and digits.
RANDOM_ID = re.compile(r"[A-Za-z0-9_:-]{24,}")


def without_random_ids(text):
    """`text` with its tokens and ids blanked, for checking what it says: a random token can
    spell "L4" or "1980" by chance."""
    return RANDOM_ID.sub("<id>", text)


def emails(kind):
    return list(OutboundEmail.objects.filter(kind=kind).order_by("created_at"))


def seeds(client):
    """Pages a crawl from `/` cannot reach by links: what the sitemap lists, and a patient's booking pages."""
    index = client.get("/sitemap.xml").content.decode()
    parts = [urlsplit(loc) for loc in re.findall(r"<loc>([^<]+)</loc>", index)]
    sitemaps = [client.get(f"{part.path}?{part.query}").content.decode() for part in parts]
    urls = [urlsplit(loc).path for sitemap in sitemaps for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    appointment = book_directly("kalamazoo")
    # The newsletter page is the footer form's target (a POST), so no link leads to it.
    return ["/robots.txt", "/sitemap.xml", "/newsletter/", *urls, f"/book/done/{appointment.token}/"]


# --- Services -------------------------------------------------------------------------------------


def use_broker(url, *, eager=False):
    """Point Celery at `url` and forget pooled connections to the old broker."""
    import kombu.pools

    from armorpt.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


class PrivateRedis:
    """A redis-server of the test's own on a free port, to kill and start again: a real outage
    that leaves the shared Redis (and every other test) alone."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.fail("redis-server is not on PATH (CI installs it; see README, Tests and CI)")
        self.port = closed_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self):
        """Like a crash: no goodbye to clients, and the queued tasks are gone with it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.kill()


def closed_port():
    """A local port nothing listens on: connecting to it is refused at once, like a stopped Redis."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def more_clinics(count, *, first=1):
    """`count` more active clinics, open weekdays 8 to 5, in a row going east of Battle Creek:
    "Armor PT Town n" in "Town n" at about 5 miles × n from 42.3 N, 85.2 W (for the clinic finder)."""
    from clinics.models import OpeningHours
    from clinics.selectors import forget_footer_clinics
    from content.cache import bump_content_version

    numbers = range(first, first + count)
    clinics = Clinic.objects.bulk_create(
        Clinic(
            name=f"Armor PT Town {n}",
            slug=f"town-{n}",
            street_address=f"{n} Main Street",
            city=f"Town {n}",
            postal_code=f"48{n:03d}",
            phone="+12695550199",
            front_desk_email=f"town{n}@armorpt.test",
            latitude=42.3,
            longitude=-85.2 + 0.1 * n,
            display_order=100 + n,
        )
        for n in numbers
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=c, weekday=d, opens=dt.time(8), closes=dt.time(17)) for c in clinics for d in range(5)
    )
    # bulk_create sends no signals: say that clinics changed, as a save would.
    forget_footer_clinics()
    bump_content_version()
    return clinics
