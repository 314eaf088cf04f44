"""A load test with an integrity check: 100 simulated patients browse and book across the five clinics for
a few minutes, on PostgreSQL, with a real Celery worker (and beat) sending every email to a local SMTP sink.

Afterwards, with SQL: no two active appointments of one specialist overlap; every online booking has
exactly one booking email (received or confirmed), every email left the outbox, and the sink got each
Message-ID once. Reports the failure ratio (target < 1 %) and server errors (target 0).

    .venv/bin/python benchmarks/load_test.py [--patients 100] [--minutes 3]

PostgreSQL and Redis: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/armorpt_loadtest,
dropped and re-created) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/7, flushed). Exits 3 when
they do not answer.

This file is also the locustfile of http_bench.py (BookingFlowUser) and of this test (PatientUser).
"""

import argparse
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLINICS = ["kalamazoo", "portage", "battle-creek", "paw-paw", "st-joseph"]
BOT_TRAP_SALT = "armorpt.forms.rendered-at"  # armorpt.forms.BotTrapMixin.SALT
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RENDERED_AT = re.compile(r'name="rendered_at" value="([^"]+)"')
TAKEN = re.compile(r"just taken|not available|no longer", re.I)

if "locust" in sys.modules or os.environ.get("LOCUST_RUN"):  # imported by locust as its locustfile
    import gevent
    from locust import HttpUser, between, constant, events, task
    from locust.exception import StopUser

    _booking_numbers = itertools.count(1)
    _server_errors = Counter()

    @events.request.add_listener
    def _count_server_errors(request_type, name, response, exception, **kwargs):
        status = getattr(response, "status_code", 0) or 0
        if status >= 500:
            _server_errors[f"{status} {request_type} {name}"] += 1

    @events.quitting.add_listener
    def _write_server_errors(environment, **kwargs):
        if path := os.environ.get("BENCH_RESULT_FILE"):
            Path(path).write_text(json.dumps({"server_errors": dict(_server_errors)}))

    def _patient(number):
        return {
            "first_name": "Load",
            "last_name": f"Patient{number}",
            "email": f"patient{number}@example.com",
            # At most 3 upcoming bookings per phone: numbers repeat only every 10,000 bookings.
            "phone": f"+1269555{number % 10000:04d}",
            "date_of_birth": "1980-05-17",
            "reason": random.choice(["back-pain", "neck-pain", "sports-injury", "after-surgery", "other"]),
            "notes": "",
            "consent": "on",
            "website": "",
        }

    def _problems(html):
        """The form's list of problems, as text (what locust groups its failures by)."""
        summary = re.search(r'id="form-errors".*?</ul>', html, re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", summary.group(0) if summary else html[:200]).split())[:200]

    def _csrf(response):
        """The CSRF cookie and token. The cookie is Secure (DEBUG is off), so it is sent back by hand over http."""
        return response.cookies.get("csrftoken"), CSRF_TOKEN.search(response.text).group(1)

    class BookingFlowUser(HttpUser):
        """Open step 3, book, open the confirmation (http_bench.py, 20 clients).

        With BENCH_THINK=0 as fast as it can (the server saturated: capacity); otherwise a patient
        who takes BENCH_THINK seconds or more to fill in the form, as the form's bot trap requires.
        """

        wait_time = constant(0)

        def on_start(self):
            self.slots = json.loads(Path(os.environ["BENCH_SLOTS_FILE"]).read_text())
            self.think = float(os.environ.get("BENCH_THINK", "0"))
            from django.conf import settings

            if not settings.configured:
                settings.configure(SECRET_KEY=os.environ["BENCH_SECRET_KEY"], SECRET_KEY_FALLBACKS=[])

        def rendered_at(self, page):
            if self.think:
                gevent.sleep(random.uniform(self.think, self.think + 1))
                return RENDERED_AT.search(page.text).group(1)
            # The form refuses posts sooner than 2 s after it was shown: sign "a minute ago" instead of waiting.
            from django.core import signing

            return signing.dumps(time.time() - 60, salt=BOT_TRAP_SALT)

        @task
        def book(self):
            number = next(_booking_numbers) + 100_000 * int(os.environ.get("BENCH_RUN", "0"))
            if number % 100_000 > len(self.slots):
                raise StopUser()
            slot = self.slots[number % 100_000 - 1]
            details = f"/book/{slot['clinic']}/details/?start={slot['start']}&specialist={slot['specialist']}"
            page = self.client.get(details.replace("+", "%2B"), name="booking: GET step 3")
            if page.status_code != 200:
                return
            cookie, token = _csrf(page)
            data = {**_patient(number), "start": slot["start"], "specialist": slot["specialist"]}
            with self.client.post(
                f"/book/{slot['clinic']}/details/",
                data={**data, "rendered_at": self.rendered_at(page), "csrfmiddlewaretoken": token},
                cookies={"csrftoken": cookie},
                allow_redirects=False,
                name="booking: POST (book)",
                catch_response=True,
            ) as response:
                if response.status_code == 302 and "/book/done/" in response.headers.get("Location", ""):
                    response.success()
                elif response.status_code == 200 and TAKEN.search(response.text):
                    response.success()  # taken meanwhile: a correct answer, not a booking
                    return
                else:
                    response.failure(f"{response.status_code}: no booking: {_problems(response.text)}")
                    return
            self.client.get(response.headers["Location"], name="booking: GET confirmation")
            if self.think:
                gevent.sleep(random.uniform(1, 2))

    class PatientUser(HttpUser):
        """A patient: reads a little, books once or twice, sometimes cancels (load_test.py, 100 of them)."""

        wait_time = between(1, 4)

        def on_start(self):
            self.bookings = 0

        def think(self, low=1.0, high=3.0):
            gevent.sleep(random.uniform(low, high))

        @task(3)
        def read(self):
            self.client.get("/", name="/")
            self.think()
            self.client.get("/guides/back-pain-exercises/", name="/guides/<slug>/")
            self.think()
            clinic = random.choice(CLINICS)
            self.client.get(f"/locations/{clinic}/", name="/locations/<slug>/")
            if random.random() < 0.3:
                self.client.get("/team/", name="/team/")

        @task(2)
        def book(self):
            if self.bookings >= 2:
                return self.read()
            self.client.get("/book/", name="/book/")
            self.think(0.5, 2)
            clinic = random.choice(CLINICS)
            times = self.client.get(f"/book/{clinic}/", name="/book/<clinic>/")
            links = re.findall(rf'href="(/book/{clinic}/details/\?[^"]+)"', times.text)
            if not links:
                return
            if random.random() < 0.3:
                day = links[0].split("start=")[1][:10]
                self.client.get(f"/api/slots/?clinic={clinic}&date={day}", name="/api/slots/")
            self.think(1, 3)
            details = random.choice(links[:40]).replace("&amp;", "&")
            page = self.client.get(details, name="/book/<clinic>/details/")
            if page.status_code != 200 or "csrfmiddlewaretoken" not in page.text:
                return
            cookie, token = _csrf(page)
            rendered_at = RENDERED_AT.search(page.text).group(1)
            # The hidden start, or, when the time went meanwhile, the first of the nearby times offered.
            start = re.search(r'name="start" value="([^"]+)"', page.text) or re.search(
                r'type="radio" name="start" id="[^"]*" value="([^"]+)"', page.text
            )
            self.think(2.5, 6)  # filling in the form
            number = next(_booking_numbers) + 5000 * int(os.environ.get("BENCH_RUN", "0"))
            data = {**_patient(number), "start": start.group(1) if start else "", "rendered_at": rendered_at}
            with self.client.post(
                details,
                data={**data, "csrfmiddlewaretoken": token},
                cookies={"csrftoken": cookie},
                allow_redirects=False,
                name="/book/<clinic>/details/ POST",
                catch_response=True,
            ) as response:
                if response.status_code == 302 and "/book/done/" in response.headers.get("Location", ""):
                    response.success()
                elif response.status_code == 200 and TAKEN.search(response.text):
                    response.success()  # someone was faster: the page offers other times
                    return
                else:
                    response.failure(f"{response.status_code}: no booking: {_problems(response.text)}")
                    return
            self.bookings += 1
            done = self.client.get(response.headers["Location"], name="/book/done/<token>/")
            manage = re.search(r'href="(/appointments/[^/"]+/)"', done.text)
            if manage and random.random() < 0.15:
                self.think()
                self.client.get(manage.group(1), name="/appointments/<token>/")
                page = self.client.get(manage.group(1) + "cancel/", name="/appointments/<token>/cancel/")
                cookie, token = _csrf(page)
                self.client.post(
                    manage.group(1) + "cancel/",
                    data={"csrfmiddlewaretoken": token},
                    cookies={"csrftoken": cookie},
                    name="/appointments/<token>/cancel/ POST",
                )


# --- The load test itself -------------------------------------------------------------------------


class Sink:
    """A local SMTP server that counts what it receives, by Message-ID."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller

        self.received = Counter()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                with self.lock:
                    self.received[line.split(":", 1)[1].strip()] += 1
                break
        return "250 OK"


def reachable(database_url, redis_url):
    import psycopg2
    import redis
    from environ import Env

    config = Env.db_url_config(database_url)
    try:
        psycopg2.connect(
            dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"] or 5432
        ).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 -- any reason is a reason to skip
        return str(exc).strip()
    return None


def sql(database_url, query, params=()):
    import psycopg2
    from environ import Env

    config = Env.db_url_config(database_url)
    with (
        psycopg2.connect(
            dbname=config["NAME"], user=config["USER"], host=config["HOST"], port=config["PORT"] or 5432
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(query, params)
        return cursor.fetchall()


OVERLAPS = """
SELECT a.reference, b.reference, a.specialist_id, a.start, b.start
FROM appointments_appointment a
JOIN appointments_appointment b
  ON a.specialist_id = b.specialist_id AND a.id < b.id
 AND a.start < b."end" AND b.start < a."end"
WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
"""
BOOKING_EMAILS = """
SELECT a.reference, count(e.id)
FROM appointments_appointment a
LEFT JOIN armorpt_outboundemail e
  ON e.object_id = a.id
 AND e.content_type_id = (SELECT id FROM django_content_type WHERE app_label = 'appointments' AND model = 'appointment')
 AND e.kind IN ('appointment.received', 'appointment.confirmed')
WHERE a.source = 'online'
GROUP BY a.reference
"""


def wait_for_outbox(database_url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (pending,) = sql(database_url, "SELECT count(*) FROM armorpt_outboundemail WHERE status = 'pending'")[0]
        if pending == 0:
            return 0
        time.sleep(2)
    return pending


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from http_bench import BIN, Site, free_port, log, run_locust

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--spawn-seconds", type=int, default=60, help="patients arrive over this many seconds")
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/armorpt_loadtest")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    if not database.startswith("postgres"):
        sys.exit("The load test runs on PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    if problem := reachable(database, redis_url):
        print(f"SKIPPED: the load test needs PostgreSQL and Redis ({problem})")
        sys.exit(3)

    sink = Sink(free_port())
    sink.controller.start()
    site = Site(
        name="load",
        database_url=database,
        redis_url=redis_url,
        email_url=f"smtp://127.0.0.1:{sink.controller.port}",
        env={"EMAIL_TIMEOUT": "5"},
    )
    log(f"Preparing: PostgreSQL {database.rsplit('/', 1)[-1]}, Redis {redis_url}, SMTP sink :{sink.controller.port}")
    site.prepare()
    worker = None
    try:
        site.start()
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "armorpt", "worker", "--beat", "--concurrency=2", "--quiet"]
            + ["--loglevel=WARNING", "--without-gossip", "--without-mingle"]
            + [f"--schedule={site.workdir / 'celerybeat-schedule'}"],
            cwd=ROOT,
            env={**site.env, "SITE_URL": site.url},
            start_new_session=True,
        )
        result_file = site.workdir / "locust-result.json"
        result_file.unlink(missing_ok=True)
        log(f"{args.patients} patients over {args.minutes:g} minutes ({os.cpu_count()} cores) ...")
        started = time.monotonic()
        rows, failures = run_locust(
            site,
            "PatientUser",
            users=args.patients,
            spawn_rate=max(1, round(args.patients / args.spawn_seconds)),
            run_time=f"{int(args.minutes * 60)}s",
            env={"BENCH_RESULT_FILE": str(result_file), "LOCUST_RUN": "1"},
            csv_prefix=site.workdir / "load",
        )
        elapsed = time.monotonic() - started
        left = wait_for_outbox(database, timeout=180)
    finally:
        site.stop()
        if worker and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        sink.controller.stop()

    server_errors = json.loads(result_file.read_text())["server_errors"] if result_file.exists() else {"?": 1}
    total = rows["Aggregated"]
    requests, failed = int(total["Request Count"]), int(total["Failure Count"])
    overlaps = sql(database, OVERLAPS)
    per_booking = sql(database, BOOKING_EMAILS)
    statuses = dict(sql(database, "SELECT status, count(*) FROM armorpt_outboundemail GROUP BY status"))
    sent_ids = [row[0] for row in sql(database, "SELECT message_id FROM armorpt_outboundemail WHERE status = 'sent'")]
    appointments = dict(sql(database, "SELECT status, count(*) FROM appointments_appointment GROUP BY status"))
    wrong_emails = [(ref, n) for ref, n in per_booking if n != 1]
    twice = {mid: n for mid, n in sink.received.items() if n > 1}
    missing = [mid for mid in sent_ids if sink.received.get(mid.strip("<>"), 0) + sink.received.get(mid, 0) == 0]

    print("\n| request | count | failures | req/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    ratio = failed / requests if requests else 1
    checks = [
        (ratio < 0.01, f"failure ratio {ratio:.2%} ({failed} of {requests} requests; target < 1 %)"),
        (not server_errors, f"server errors: {sum(server_errors.values())} {dict(server_errors) or ''}".rstrip()),
        (
            not overlaps,
            f"overlapping active appointments of one specialist: {len(overlaps)} {overlaps[:3] or ''}".rstrip(),
        ),
        (bool(per_booking), f"online bookings: {len(per_booking)} ({appointments})"),
        (
            not wrong_emails,
            f"bookings without exactly one booking email: {len(wrong_emails)} {wrong_emails[:3] or ''}".rstrip(),
        ),
        (left == 0 and not statuses.get("failed"), f"outbox after the run: {statuses} (pending left: {left})"),
        (
            not twice and not missing,
            f"SMTP sink: {sum(sink.received.values())} received, {len(twice)} twice, {len(missing)} missing",
        ),
    ]
    print(f"\nLoad test: {args.patients} patients, {elapsed:.0f} s, PostgreSQL + Redis + 1 Celery worker (2 processes)")
    if failures:
        print("Failures: " + json.dumps(failures))
    for ok, line in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {line}")
    sys.exit(0 if all(ok for ok, _ in checks) else 1)


if __name__ == "__main__":
    main()
