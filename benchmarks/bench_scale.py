"""The same site for 500 clinics (issue 21): every page and job at demo size and at 100×, side by side.

Builds two data sets in turn on one throwaway PostgreSQL database, and measures each page and job
on both:

- demo: `load_demo --sample-visits` (5 clinics, 6 specialists), plus what a working practice of
  that size carries: a third of each specialist's hours booked from 31 days back to 30 days ahead
  (and one day a year ago, for the retention purge), one sent confirmation in the outbox per visit
  with an address, 200 newsletter subscribers and an issue being sent to them;
- 100× (`--scale 100`, the default): the same practice grown to 500 clinics in five US time zones
  (New York, Detroit, Chicago, Denver, Los Angeles), 5,000 specialists, 20,000 subscribers, with the
  same density of bookings, outbox and deliveries per clinic and specialist. `--scale 10` builds
  50 clinics / 500 specialists / 2,000 subscribers, for a quick check.

In both sets the outbox holds the same 20 messages whose task was lost and the newsletter the same
100 deliveries whose task was lost, so a sweeper's work is the same size at both and any growth
is the cost of the practice's size.

Each figure is the **computed path**: every cache of ours is emptied before each measured run
(the shared cache and the process's own page copies), so a page or job does all its work.
Production settings: DEBUG off, HTTPS, the shared cache on Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/10, emptied; `--cache locmem` for the process-memory cache, which at its
default of 300 entries culls at this size). Pages go
through Django's test Client in-process (staff signed in with `force_login`); jobs are called as
their periodic task calls them, each run inside a transaction that is rolled back, so every run
sees the same rows (a job's hand-off to Celery after commit is therefore not part of its time;
the sweepers hand over at once, to the broker on Redis or in memory, and that is). Queries are
counted on one run (CaptureQueriesContext), a job's peak Python memory (tracemalloc) on the same
one; time is the median of `--runs` further runs.

How to read the table: "ratio" is 100× time ÷ demo time; the goal (issue 21) is at most 3 with the
same number of queries. "work" says how much the job had to do (reminders queued, visits erased,
messages or deliveries queued), which for reminders grows with the practice by nature: there,
judge the time per reminder and whether queries stay constant per batch.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/armorpt_bench_scale \\
        .venv/bin/python benchmarks/bench_scale.py [--scale 100] [--runs 5] [--cache redis|locmem]

The database is dropped and created (default: the URL above). The table goes to stdout and to
var/bench/bench_scale.md. Exits with 3 (skipped) when PostgreSQL does not answer.
"""

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import socket
import statistics
import sys
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from http_bench import recreate_postgres  # noqa: E402  (benchmarks/ is the script's own folder)

SKIPPED = 3
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/armorpt_bench_scale"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
SITE_URL = "https://armorpt.example"
GOAL_RATIO = 3
LOST_EMAILS = 20  # outbox messages whose task was lost, the same at every size
LOST_DELIVERIES = 100  # newsletter deliveries whose task was lost, the same at every size
RUN_BUDGET_SECONDS = 60  # a slow row stops after three runs once it has taken this long

# (time zone, [(city, state, ZIP prefix, latitude, longitude)])
REGIONS = [
    (
        "America/New_York",
        [
            ("Boston", "MA", "021", 42.36, -71.06),
            ("Philadelphia", "PA", "191", 39.95, -75.17),
            ("Pittsburgh", "PA", "152", 40.44, -80.00),
            ("Charlotte", "NC", "282", 35.23, -80.84),
            ("Atlanta", "GA", "303", 33.75, -84.39),
            ("Columbus", "OH", "432", 39.96, -83.00),
            ("Richmond", "VA", "232", 37.54, -77.44),
            ("Buffalo", "NY", "142", 42.89, -78.88),
        ],
    ),
    (
        "America/Detroit",
        [
            ("Detroit", "MI", "482", 42.33, -83.05),
            ("Grand Rapids", "MI", "495", 42.96, -85.66),
            ("Lansing", "MI", "489", 42.73, -84.56),
            ("Ann Arbor", "MI", "481", 42.28, -83.74),
            ("Traverse City", "MI", "496", 44.76, -85.62),
        ],
    ),
    (
        "America/Chicago",
        [
            ("Chicago", "IL", "606", 41.88, -87.63),
            ("Milwaukee", "WI", "532", 43.04, -87.91),
            ("Minneapolis", "MN", "554", 44.98, -93.27),
            ("St. Louis", "MO", "631", 38.63, -90.20),
            ("Nashville", "TN", "372", 36.16, -86.78),
            ("Dallas", "TX", "752", 32.78, -96.80),
            ("Houston", "TX", "770", 29.76, -95.37),
            ("Omaha", "NE", "681", 41.26, -95.93),
        ],
    ),
    (
        "America/Denver",
        [
            ("Denver", "CO", "802", 39.74, -104.99),
            ("Colorado Springs", "CO", "809", 38.83, -104.82),
            ("Salt Lake City", "UT", "841", 40.76, -111.89),
            ("Albuquerque", "NM", "871", 35.08, -106.65),
            ("Boise", "ID", "837", 43.62, -116.20),
        ],
    ),
    (
        "America/Los_Angeles",
        [
            ("Los Angeles", "CA", "900", 34.05, -118.24),
            ("San Diego", "CA", "921", 32.72, -117.16),
            ("San Francisco", "CA", "941", 37.77, -122.42),
            ("Sacramento", "CA", "958", 38.58, -121.49),
            ("Portland", "OR", "972", 45.52, -122.68),
            ("Seattle", "WA", "981", 47.61, -122.33),
            ("Las Vegas", "NV", "891", 36.17, -115.14),
        ],
    ),
]
FIRST_NAMES = "Avery Blake Casey Devon Emerson Finley Harper Jordan Kendall Logan Morgan Parker Quinn Reese Riley Rowan Sage Taylor".split()
LAST_NAMES = "Adams Baker Carter Diaz Evans Foster Garcia Hughes Iverson Jensen Khan Lopez Murphy Nguyen Ortiz Patel Reyes Silva Turner Walsh".split()
STREETS = ["Main Street", "Oak Avenue", "Lake Road", "Center Street", "Park Avenue", "Maple Drive", "Hill Road"]
MORNING, AFTERNOON = (dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))


# --- Setting up -------------------------------------------------------------------------------


def configure(args):
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if not _answers("postgres", url):
        print(f"skipped: PostgreSQL does not answer at {_host_port(url)}")
        sys.exit(SKIPPED)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL) if args.cache == "redis" else ""
    if redis_url and not _answers("redis", redis_url):
        print(f"Redis does not answer at {_host_port(redis_url)}: using the process-memory cache instead")
        redis_url = ""
    recreate_postgres(url)  # http_bench.py's: drop and create the throwaway database
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="armorpt.settings",
        DEBUG="false",  # as in production (DEBUG would also keep every SQL query in memory)
        SECRET_KEY="benchmark-only-" + "k" * 50,
        ALLOWED_HOSTS="testserver,localhost",
        SITE_URL=SITE_URL,
        EMAIL_URL="memorymail://",
        LOG_LEVEL="WARNING",
        REDIS_URL=redis_url,
    )
    os.environ["STATIC_ROOT"] = str(ROOT / "var" / "bench" / "scale-static")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    # DEBUG off serves static files through the manifest, which collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)

    if redis_url:
        cache._cache.get_client(write=True).flushdb()  # our own database number: no one else's keys
    else:
        from armorpt.celery import app

        # Queue tasks (in memory, never run) as a real broker would, instead of running them inline.
        app.conf.task_always_eager = False
    return url, redis_url


def _host_port(url):
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or {"postgres": 5432, "redis": 6379}.get(parts.scheme, 0)


def _answers(scheme, url):
    host, port = _host_port(url)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port or {"postgres": 5432, "redis": 6379}[scheme])) == 0


# --- The data ---------------------------------------------------------------------------------


class Builder:
    """Grows the practice step by step; remembers what it made so the next step only adds."""

    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        self.visits = 0
        self.references = 0

    def demo(self):
        from django.core.management import call_command
        from django.test.utils import override_settings

        call_command("migrate", verbosity=0)
        # Sample visits and the staff users are made only with DEBUG on (known passwords).
        with override_settings(DEBUG=True):
            call_command("load_demo", sample_visits=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        from clinics.models import Specialist

        self.book(list(Specialist.objects.values_list("pk", flat=True)))
        self.lose_emails()
        self.subscribe(200)
        self.send_issue()

    def grow(self, scale):
        from clinics.models import Clinic, Specialist

        clinics = self.open_clinics(5 * scale - Clinic.objects.count())
        specialists = self.hire(50 * scale - Specialist.objects.count(), clinics)
        self.book(specialists)
        self.subscribe(200 * scale)
        self.send_issue()

    def open_clinics(self, count):
        from clinics.demo import holidays
        from clinics.models import Clinic, ClinicClosure, OpeningHours
        from practice.models import InsurancePlan

        has_coordinates = {"latitude", "longitude"} <= {f.name for f in Clinic._meta.get_fields()}
        made = []
        for n in range(count):
            tz, cities = REGIONS[n % len(REGIONS)]
            city, state, zip_prefix, lat, lon = cities[(n // len(REGIONS)) % len(cities)]
            extra = {}
            if has_coordinates:
                extra = {"latitude": lat + self.rng.uniform(-0.3, 0.3), "longitude": lon + self.rng.uniform(-0.3, 0.3)}
            made.append(
                Clinic(
                    name=f"Armor PT {city} {n + 1}",
                    slug=f"{city.lower().replace(' ', '-').replace('.', '')}-{n + 1}",
                    street_address=f"{100 + n} {STREETS[n % len(STREETS)]}",
                    city=city,
                    state=state,
                    postal_code=f"{zip_prefix}{n % 100:02d}",
                    phone=f"+1269555{n % 100:04d}",
                    front_desk_email=f"desk{n + 1}@armorpt.example",
                    timezone=tz,
                    display_order=10 + n,
                    confirms_online_bookings=n % 4 != 0,
                    drawing=[c for c, _ in Clinic.Drawing.choices if c][n % 4],
                    **extra,
                )
            )
        clinics = Clinic.objects.bulk_create(made)
        today = self.now.date()
        closed = [h for year in (today.year, today.year + 1) for h in holidays(year) if h[0] >= today]
        OpeningHours.objects.bulk_create(
            OpeningHours(clinic=c, weekday=day, opens=dt.time(7), closes=dt.time(19))
            for c in clinics
            for day in range(5 + c.pk % 2)  # every other clinic opens on Saturdays too
        )
        ClinicClosure.objects.bulk_create(
            ClinicClosure(clinic=c, date=date, reason=reason) for c in clinics for date, reason in closed
        )
        Through = InsurancePlan.clinics.through
        plans = list(InsurancePlan.objects.active().values_list("pk", flat=True))
        Through.objects.bulk_create(Through(insuranceplan_id=p, clinic_id=c.pk) for c in clinics for p in plans)
        return clinics

    def hire(self, count, clinics):
        """`count` specialists, each at one of `clinics` (about ten each), most of them five days a week."""
        from appointments.models import WorkingHours
        from clinics.models import Credential, Specialist

        if count <= 0:
            return []
        credentials = list(Credential.objects.values_list("pk", flat=True))
        people = Specialist.objects.bulk_create(
            Specialist(
                name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]}",
                slug=f"specialist-{n + 1}",
                title="Physical therapist",
                treats="Low back pain, sports injuries, knee and shoulder problems",
                bio="Helps people move without pain again, with exercises that fit a normal day.",
                display_order=10 + n,
                accepts_new_patients=n % 10 != 0,
            )
            for n in range(count)
        )
        works_at = {person.pk: clinics[n % len(clinics)] for n, person in enumerate(people)}
        AtClinic, Holds = Specialist.clinics.through, Specialist.credentials.through
        AtClinic.objects.bulk_create(AtClinic(specialist_id=pk, clinic_id=c.pk) for pk, c in works_at.items())
        Holds.objects.bulk_create(
            Holds(specialist_id=pk, credential_id=cred) for pk in works_at for cred in self.rng.sample(credentials, 2)
        )
        hours = []
        for pk, clinic in works_at.items():
            day_off = self.rng.choice([None, None, 0, 4])
            for weekday in range(5):
                if weekday != day_off:
                    hours += [
                        WorkingHours(specialist_id=pk, clinic=clinic, weekday=weekday, start_time=a, end_time=b)
                        for a, b in (MORNING, AFTERNOON)
                    ]
        WorkingHours.objects.bulk_create(hours, batch_size=5000)
        return list(works_at)

    def book(self, specialist_ids):
        """A third of these specialists' hours booked, 31 days back to 30 ahead and one day a year ago;
        and one sent confirmation in the outbox for each visit with an email address."""
        from django.conf import settings

        from appointments.models import Appointment, AppointmentType, WorkingHours
        from clinics.models import ClinicClosure

        types = list(AppointmentType.objects.order_by("display_order"))
        today = self.now.date()
        dates = [today + dt.timedelta(days=n) for n in range(-31, 31)]
        # A working day that the retention purge finds expired, for each of its two rules.
        for age in (settings.RETENTION_CANCELLED_DAYS + 1, settings.RETENTION_PAST_DAYS + 1):
            day = today - dt.timedelta(days=age)
            while day.weekday() >= 5:
                day -= dt.timedelta(days=1)
            dates += [day] if day not in dates else []
        closed = set(ClinicClosure.objects.values_list("clinic_id", "date"))
        busy = {}  # the demo's sample visits: booked through the service, on its own grid
        for specialist_id, start, end in Appointment.objects.active().values_list("specialist_id", "start", "end"):
            busy.setdefault(specialist_id, []).append((start, end))
        hours = WorkingHours.objects.filter(specialist_id__in=specialist_ids).select_related("clinic")
        by_weekday = {}
        for date in dates:
            by_weekday.setdefault(date.weekday(), []).append(date)
        first_id = (Appointment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        rows = []
        for block in hours.iterator(chunk_size=5000):
            tz = block.clinic.tz
            for date in by_weekday.get(block.weekday, []):
                if (block.clinic_id, date) in closed:
                    continue
                start = dt.datetime.combine(date, block.start_time, tz)
                block_end = dt.datetime.combine(date, block.end_time, tz)
                while start + dt.timedelta(hours=1) <= block_end:
                    if self.rng.random() < 1 / 3:
                        kind = types[self.rng.random() < 0.5 and len(types) > 1]
                        end = start + kind.duration
                        if not any(s < end and start < e for s, e in busy.get(block.specialist_id, ())):
                            rows.append(self._visit(first_id + len(rows), block, kind, start, end))
                    start += dt.timedelta(hours=1)
        copy_into(Appointment, VISIT_COLUMNS, rows)
        _reset_sequence(Appointment)
        self.visits += len(rows)
        self._confirmations(rows)
        return len(rows)

    def _visit(self, pk, block, kind, start, end):
        rng, now = self.rng, self.now
        past = start < now
        roll = rng.random()
        if roll < 0.1:
            status = "cancelled"
        elif past:
            status = "no_show" if roll < 0.15 else "completed"
        else:
            status = "requested" if roll < 0.15 else "confirmed"
        online = rng.random() < 0.6
        created = min(start, now) - dt.timedelta(days=rng.uniform(1, 21))
        n = pk % 10_000
        self.references += 1
        return (
            pk,
            _reference(self.references),
            f"{rng.getrandbits(128):032x}",
            block.clinic_id,
            block.specialist_id,
            kind.pk,
            start,
            end,
            status,
            "online" if online else "phone",
            FIRST_NAMES[n % len(FIRST_NAMES)],
            LAST_NAMES[n % len(LAST_NAMES)],
            f"patient{pk}@example.com" if rng.random() < 0.9 else "",
            f"+1269555{150 + n % 50:04d}",
            dt.date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
            "back-pain" if online else "",
            "",
            False,
            "",
            created if online else None,
            created + dt.timedelta(days=1) if status == "cancelled" else None,
            "",
            0,
            None,
            created,
            created,
        )

    def _confirmations(self, rows):
        from django.contrib.contenttypes.models import ContentType

        from appointments.models import Appointment
        from armorpt.models import OutboundEmail

        about = ContentType.objects.get_for_model(Appointment).pk
        copy_into(
            OutboundEmail,
            EMAIL_COLUMNS,
            (
                _email(f"appointment.confirmed:{row[0]}", row[12], row[24], "sent", about, row[0])
                for row in rows
                if row[12]
            ),
        )

    def lose_emails(self):
        """Messages written a while ago whose task never ran: the outbox sweeper's work."""
        from armorpt.models import OutboundEmail

        written = self.now - dt.timedelta(minutes=30)
        copy_into(
            OutboundEmail,
            EMAIL_COLUMNS,
            [_email(f"lost:{n}", f"lost{n}@example.com", written, "pending", None, None) for n in range(LOST_EMAILS)],
        )

    def subscribe(self, total):
        from newsletter.models import Subscriber

        have = Subscriber.objects.count()
        statuses = ["confirmed"] * 18 + ["pending", "unsubscribed"]
        Subscriber.objects.bulk_create(
            (
                Subscriber(
                    email=f"reader{n:06d}@example.com",
                    first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    status=statuses[n % len(statuses)],
                    confirmed_at=self.now if statuses[n % len(statuses)] == "confirmed" else None,
                )
                for n in range(have, total)
            ),
            batch_size=5000,
        )

    def send_issue(self):
        """One issue being sent: every confirmed subscriber has a delivery, all sent but the last
        LOST_DELIVERIES, which were queued ten minutes and more ago and never taken."""
        from newsletter.models import Delivery, Issue, Subscriber

        issue = Issue.objects.filter(status=Issue.Status.SENDING).first()
        if issue is None:
            issue = Issue.objects.create(subject="Winter: three stretches for a stiff back", body="## Three stretches")
            Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING, send_started_at=self.now)
        Delivery.objects.filter(issue=issue).delete()
        audience = list(Subscriber.objects.confirmed().order_by("pk").values_list("pk", flat=True))
        lost_from = len(audience) - LOST_DELIVERIES
        Delivery.objects.bulk_create(
            (
                Delivery(
                    issue=issue,
                    subscriber_id=pk,
                    status="pending" if n >= lost_from else "sent",
                    attempts=0 if n >= lost_from else 1,
                    touched_at=self.now - dt.timedelta(hours=1),
                    sent_at=None if n >= lost_from else self.now - dt.timedelta(minutes=50),
                )
                for n, pk in enumerate(audience)
            ),
            batch_size=5000,
        )

    def describe(self):
        from appointments.models import Appointment
        from armorpt.models import OutboundEmail
        from clinics.models import Clinic, Specialist
        from newsletter.models import Subscriber

        return (
            f"{Clinic.objects.count():,} clinics, {Specialist.objects.count():,} specialists, "
            f"{Appointment.objects.count():,} visits, {OutboundEmail.objects.count():,} emails, "
            f"{Subscriber.objects.count():,} subscribers"
        )


VISIT_COLUMNS = (
    "id reference manage_key clinic_id specialist_id appointment_type_id start end status source "
    "first_name last_name email phone date_of_birth reason notes self_check_clear payment consent_at "
    "cancelled_at cancellation_reason sequence erased_at created_at updated_at"
).split()
EMAIL_COLUMNS = (
    "kind to subject body_text message_id dedupe_key status attempts created_at next_attempt_at sent_at "
    "content_type_id object_id"
).split()


def _email(key, to, written, status, content_type_id, object_id):
    sent = status == "sent"
    return (
        key.split(":")[0],
        to,
        "Your visit at Armor PT is booked",
        "See you soon. Bring your photo ID and insurance card.",
        f"<{key}.{uuid.uuid4().hex}@armorpt.example>",
        key,
        status,
        int(sent),
        written,
        written,
        written if sent else None,
        content_type_id,
        object_id,
    )


def _reference(n):
    from appointments.models import REFERENCE_ALPHABET

    digits = []
    for _ in range(7):
        n, digit = divmod(n, len(REFERENCE_ALPHABET))
        digits.append(REFERENCE_ALPHABET[digit])
    return "Z" + "".join(reversed(digits))


def copy_into(model, columns, rows, chunk=50_000):
    """COPY `rows` (tuples in `columns` order, by attname) into the model's table, in chunks.

    Any other field (one added since this was written) gets its default, so the benchmark keeps
    up with the models."""
    from django.db import connection

    fields = {f.attname: f for f in model._meta.concrete_fields}
    others = [f for name, f in fields.items() if name not in columns and not f.primary_key]
    names = ", ".join(f'"{fields[c].column}"' for c in columns) + "".join(f', "{f.column}"' for f in others)
    fill = [_default_for(f) for f in others]
    sql = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
    buffer, count = io.StringIO(), 0
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write("\t".join([*map(_copy_text, row), *(make() for make in fill)]) + "\n")
            count += 1
            if count % chunk == 0:
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)


def _default_for(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        stamp = _copy_text(dt.datetime.now(dt.UTC))
        return lambda: stamp
    if field.has_default() and callable(field.default):
        return lambda: _copy_text(field.get_default())
    constant = _copy_text(field.get_default())
    return lambda: constant


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _reset_sequence(model):
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))")
        cursor.execute(f'ANALYZE "{table}"')


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring --------------------------------------------------------------------------------


def empty_caches():
    """Every cached value of ours: the shared cache and this process's copies of pages."""
    from django.core.cache import cache

    from armorpt import pagecache

    cache.clear()
    pagecache.forget_local_pages()
    pagecache.forget_local_version()


def _median_of(run_once, runs):
    timings = []
    for n in range(runs):
        timings.append(run_once())
        if n >= 2 and sum(timings) > RUN_BUDGET_SECONDS * 1000:
            break
    return statistics.median(timings), len(timings)


class Result:
    def __init__(self, queries=None, ms=None, runs=0, work="", peak=None, note=""):
        self.queries, self.ms, self.runs, self.work, self.peak, self.note = queries, ms, runs, work, peak, note


def measure_page(client, path, runs):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def get():
        empty_caches()
        began = time.perf_counter()
        response = client.get(path, secure=True)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return elapsed, response

    get()  # imports, templates, the connection
    # Each request starts by emptying the query log: start from empty, or the count comes out 0.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        _, response = get()
    count = len(queries)  # now: the next request empties the log this counts from
    median, done = _median_of(lambda: get()[0], runs)
    return Result(count, median, done, work=f"{len(response.content) / 1024:.0f} KB"), response


def measure_job(job, runs):
    """`job.run()` inside a transaction rolled back after each run; `job.prepare()` first, untimed."""
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    def once(capture=False, trace=False):
        empty_caches()
        with transaction.atomic():
            job.prepare()
            reset_queries()
            counter = CaptureQueriesContext(connection) if capture else contextlib.nullcontext([])
            if trace:
                tracemalloc.start()
            with counter as queries:
                began = time.perf_counter()
                outcome = job.run()
                elapsed = (time.perf_counter() - began) * 1000
            peak = tracemalloc.get_traced_memory()[1] if trace else None
            if trace:
                tracemalloc.stop()
            transaction.set_rollback(True)
        return elapsed, len(queries), outcome, peak

    # Queries and memory from one run (the few SQL strings kept count in the peak; its time does not count).
    _, queries, outcome, peak = once(capture=True, trace=True)
    median, done = _median_of(lambda: once()[0], runs)
    return Result(queries, median, done, work=job.describe(outcome), peak=peak)


class Job:
    name = ""

    def prepare(self):
        pass

    def run(self):
        raise NotImplementedError

    def describe(self, outcome):
        return f"{outcome:,}" if isinstance(outcome, int) else ""


class AllOpenings(Job):
    name = "`next_openings`, all clinics (cold)"

    def run(self):
        from django.utils import timezone

        from appointments import slotcache
        from clinics.models import Clinic

        found = slotcache.next_openings(Clinic.objects.active(), now=timezone.now())
        return sum(1 for start in found.values() if start)

    def describe(self, outcome):
        return f"{outcome:,} with a time"


class OpeningsAfterBooking(Job):
    """Everything in cache, then a booking at another clinic; then the next opening again."""

    def __init__(self, everywhere):
        self.everywhere = everywhere
        self.name = (
            "`next_openings`, all clinics, after a booking at one"
            if everywhere
            else "`next_openings`, one clinic, after a booking elsewhere"
        )

    def prepare(self):
        from django.utils import timezone

        from appointments import slotcache
        from appointments.models import Appointment, AppointmentType
        from clinics.models import Clinic

        now = timezone.now()
        slotcache.next_openings(Clinic.objects.active(), now=now)
        elsewhere = Clinic.objects.get(slug="portage")
        # Someone who never works at the clinic measured below, so its versions are not touched.
        person = elsewhere.specialists.exclude(working_hours__clinic__slug="kalamazoo").first()
        # At three in the night, when nobody works: no overlap with any visit.
        start = dt.datetime.combine(now.date() + dt.timedelta(days=3), dt.time(3), elsewhere.tz)
        visit_type = AppointmentType.objects.first()
        Appointment.objects.create(
            clinic=elsewhere,
            specialist=person,
            appointment_type=visit_type,
            start=start,
            end=start + visit_type.duration,
            status="confirmed",
            first_name="Bench",
            last_name="Booking",
        )

    def run(self):
        from django.utils import timezone

        from appointments import slotcache
        from clinics.models import Clinic

        clinics = Clinic.objects.active() if self.everywhere else Clinic.objects.filter(slug="kalamazoo")
        found = slotcache.next_openings(clinics, now=timezone.now())
        return sum(1 for start in found.values() if start)

    def describe(self, outcome):
        return f"{outcome:,} with a time"


class Reminders(Job):
    def __init__(self, already_queued):
        self.already_queued = already_queued
        self.name = "`queue_due_reminders()`, " + ("none due (all queued)" if already_queued else "some due")

    def prepare(self):
        if self.already_queued:
            self.run()

    def run(self):
        from appointments import services

        return services.queue_due_reminders()

    def describe(self, outcome):
        return f"{outcome:,} queued"


class Purge(Job):
    def __init__(self, already_done):
        self.already_done = already_done
        self.name = "retention purge, " + ("nothing expired" if already_done else "a day's visits expired")

    def prepare(self):
        if self.already_done:
            self.run()

    def run(self):
        from appointments import services

        return services.erase_expired_patient_details()

    def describe(self, outcome):
        return f"{outcome:,} erased"


class OutboxSweep(Job):
    def __init__(self, again):
        self.again = again
        self.name = "outbox sweeper (`emails.sweep`), " + ("nothing due" if again else f"{LOST_EMAILS} lost")

    def prepare(self):
        if self.again:
            self.run()

    def run(self):
        from armorpt import emails

        return emails.sweep()

    def describe(self, outcome):
        return f"{outcome:,} queued"


class NewsletterSweep(Job):
    def __init__(self, again):
        self.again = again
        self.name = "newsletter sweeper (`services.sweep`), " + (
            "nothing lost" if again else f"{LOST_DELIVERIES} lost of all"
        )

    def prepare(self):
        if self.again:
            self.run()

    def run(self):
        from newsletter import services

        return services.sweep()

    def describe(self, outcome):
        return f"{outcome:,} queued"


JOBS = [
    AllOpenings(),
    OpeningsAfterBooking(everywhere=False),
    OpeningsAfterBooking(everywhere=True),
    Reminders(already_queued=False),
    Reminders(already_queued=True),
    Purge(already_done=False),
    Purge(already_done=True),
    OutboxSweep(again=False),
    OutboxSweep(again=True),
    NewsletterSweep(again=False),
    NewsletterSweep(again=True),
]

PUBLIC_PAGES = ["/", "/locations/", "/locations/kalamazoo/", "/team/", "/book/"]
ADMIN_PAGES = [
    ("admin index (dashboard)", "/admin/"),
    ("appointment list", "/admin/appointments/appointment/"),
    ("appointment add form", "/admin/appointments/appointment/add/"),
]
STAFF = [("superuser", "admin"), ("front desk, one clinic", "frontdesk-kalamazoo")]


def sitemap_paths(client):
    """/sitemap.xml, and each part it links to when it is an index (as content/urls.py has it now)."""
    empty_caches()
    response = client.get("/sitemap.xml", secure=True)
    paths = ["/sitemap.xml"]
    root = ElementTree.fromstring(response.content)
    if root.tag.endswith("sitemapindex"):
        for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
            parts = urlsplit(loc.text.strip())
            paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def measure_all(runs, label):
    from django.contrib.auth import get_user_model
    from django.test import Client

    results = {}

    def record(name, measure):
        began = time.monotonic()
        try:
            result = measure()
        except Exception as exc:  # noqa: BLE001 -- one broken page (mid-change elsewhere) must not end the run
            result = Result(note=f"error: {type(exc).__name__}: {str(exc)[:120]}")
        results[name] = result
        shown = f"{result.queries} queries, {result.ms:.1f} ms" if result.ms is not None else result.note
        print(f"  [{label}] {name}: {shown} ({time.monotonic() - began:.0f} s)", flush=True)

    anonymous = Client()
    try:
        paths = PUBLIC_PAGES + sitemap_paths(anonymous)
    except Exception as exc:  # noqa: BLE001
        print(f"  [{label}] the sitemap could not be read: {exc}")
        paths = [*PUBLIC_PAGES, "/sitemap.xml"]
    for path in paths:
        record(f"`{path}`", lambda path=path: measure_page(anonymous, path, runs)[0])
    for who, username in STAFF:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for name, path in ADMIN_PAGES:
            record(f"{name}, {who}", lambda client=client, path=path: measure_page(client, path, runs)[0])
    for job in JOBS:
        record(job.name, lambda job=job: measure_job(job, runs))
    return results


# --- Reporting --------------------------------------------------------------------------------


def table(small, large, scale):
    x = f"{scale}×"
    lines = [
        f"| page or job | demo queries | demo ms | {x} queries | {x} ms | ratio {x}/demo | "
        f"peak MiB demo → {x} | work demo → {x} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    flags = []
    for name in list(dict.fromkeys([*small, *large])):
        a, b = small.get(name, Result(note="—")), large.get(name, Result(note="—"))
        ratio = b.ms / a.ms if a.ms and b.ms is not None else None
        ratio_text = f"{ratio:.1f}" if ratio is not None else ""
        misses = []
        if ratio is not None and ratio > GOAL_RATIO:
            misses.append(f"time {ratio:.1f}×")
            ratio_text = f"**{ratio_text}**"
        if a.queries is not None and b.queries is not None and b.queries > a.queries:
            misses.append(f"queries {a.queries} → {b.queries}")
        if misses:
            flags.append(f"- {name}: {', '.join(misses)}")
        peak = f"{_mib(a.peak)} → {_mib(b.peak)}" if b.peak is not None else ""
        work = f"{a.work} → {b.work}" if a.work or b.work else ""
        lines.append(
            f"| {name} | {_cell(a.queries, a)} | {_ms(a)} | {_cell(b.queries, b)} | {_ms(b)} | {ratio_text} "
            f"| {peak} | {work} |"
        )
    return lines, flags


def _cell(value, result):
    return f"{value:,}" if value is not None else result.note


def _ms(result):
    if result.ms is None:
        return ""
    return f"{result.ms:,.0f}" if result.ms >= 100 else f"{result.ms:.1f}"


def _mib(value):
    return f"{value / 2**20:.1f}" if value is not None else "—"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="size of the large data set: 100 (the issue's) or 10")
    parser.add_argument("--runs", type=int, default=5, help="measured runs per page or job (median)")
    parser.add_argument("--cache", choices=["redis", "locmem"], default="redis")
    args = parser.parse_args()
    url, redis_url = configure(args)
    from django.db import connection
    from django.utils import timezone

    builder = Builder(random.Random(21), timezone.now())
    print(f"Scale benchmark: demo and {args.scale}× on {url.rsplit('/', 1)[-1]}, {args.runs} runs each", flush=True)

    began = time.monotonic()
    builder.demo()
    analyze()
    demo_build = time.monotonic() - began
    demo_size = builder.describe()
    print(f"demo built in {demo_build:.0f} s: {demo_size}", flush=True)
    small = measure_all(args.runs, "demo")

    began = time.monotonic()
    builder.grow(args.scale)
    analyze()
    large_build = time.monotonic() - began
    large_size = builder.describe()
    print(f"{args.scale}× built in {large_build:.0f} s: {large_size}", flush=True)
    large = measure_all(args.runs, f"{args.scale}×")
    connection.close()
    if redis_url:
        from django.core.cache import cache

        cache._cache.get_client(write=True).flushdb()  # the tasks queued by the sweepers, never run

    cache_used = f"Redis ({redis_url})" if redis_url else "process memory (LocMemCache)"
    lines, flags = table(small, large, args.scale)
    header = [
        f"Scale benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores: "
        f"`benchmarks/bench_scale.py --scale {args.scale} --runs {args.runs} --cache {args.cache}`",
        "",
        f"- demo ({demo_build:.0f} s to build): {demo_size}",
        f"- {args.scale}× ({large_build:.0f} s to build on top): {large_size}",
        f"- PostgreSQL, DEBUG off, cache: {cache_used}; computed path (caches emptied before every run); "
        f"median of up to {args.runs} runs; jobs rolled back after each run",
        "",
    ]
    footer = ["", f"Rows over {GOAL_RATIO}× demo time, or with more queries:", *(flags or ["- none"])]
    text = "\n".join(header + lines + footer)
    print("\n" + text)
    out = ROOT / "var" / "bench" / "bench_scale.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")
    print(f"\n(written to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
