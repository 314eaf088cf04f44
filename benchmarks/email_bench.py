"""Email through the outbox, a real Redis broker and one real Celery worker, into a local SMTP sink.

Prints the enqueue-to-sent latency of single messages, and the time to drain 1,000 queued
messages, against a baseline measured in the same run: the same 1,000 messages sent straight
to the sink over one SMTP connection per message, without Celery or the database.

    .venv/bin/python benchmarks/email_bench.py [--messages 1000] [--latency-samples 40]

Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/10). Uses a throwaway database:
PostgreSQL when BENCH_DATABASE_URL is set (dropped and re-created), else SQLite under var/bench/.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SMTP_PORT = 8026


class Sink:
    """An SMTP server that counts what it receives, by Message-ID."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received = Counter()
        self.controller = Controller(self, hostname="127.0.0.1", port=SMTP_PORT)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                self.received[line.split(":", 1)[1].strip()] += 1
                break
        return "250 OK"


def configure():
    from bench_slots import _recreate_postgres

    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        _recreate_postgres(url)
    else:
        db = ROOT / "var" / "bench" / "email.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10"),
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "armorpt.settings",
        "LOG_LEVEL": "WARNING",
        "SITE_URL": "https://armorpt.example",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    return env


def start_worker(env):
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "armorpt",
            "worker",
            "--concurrency=2",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from armorpt.celery import app

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return worker
    worker.terminate()
    raise SystemExit("the Celery worker did not start")


def an_appointment():
    """One real booking; its confirmation (with calendar file) is the message we send again and again."""
    from django.utils import timezone

    from appointments import availability, services
    from clinics.models import Clinic

    clinic = Clinic.objects.get(slug="kalamazoo")
    slot = availability.next_openings([clinic], now=timezone.now())[clinic.pk]
    patient = services.Patient(first_name="Bench", last_name="Patient", email="bench@example.com", phone="+12695550100")
    return services.book_appointment(clinic=clinic, start=slot.start, patient=patient)


def queue(appointment, n, kind="appointment.confirmed"):
    from django.db import transaction

    from appointments import notifications
    from armorpt.models import OutboundEmail

    with transaction.atomic():
        ids = [notifications.confirmed(appointment).pk for _ in range(n)]
        OutboundEmail.objects.filter(pk__in=ids).update(kind=kind)
    return ids


def wait_sent(ids, timeout=300, poll=0.005):
    """Poll until every message in `ids` is sent; gently, since the poller shares the 2 cores."""
    from armorpt.models import OutboundEmail

    low, high = min(ids), max(ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not OutboundEmail.objects.filter(pk__range=(low, high)).exclude(status="sent").exists():
            return True
        time.sleep(poll)
    return False


def latency(appointment, samples):
    timings = []
    for _ in range(samples):
        began = time.perf_counter()
        ids = queue(appointment, 1, kind="bench.latency")
        assert wait_sent(ids, timeout=30), "a message was not sent within 30 s"
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def baseline(n):
    """The same number of messages straight to the sink: Django's SMTP backend, no queue, no database."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    began = time.perf_counter()
    for i in range(n):
        with get_connection() as connection:
            message = EmailMultiAlternatives(
                f"Baseline {i}", "x" * 1500, to=[f"baseline{i}@example.com"], connection=connection
            )
            message.attach_alternative("<p>" + "x" * 3000 + "</p>", "text/html")
            message.send()
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--latency-samples", type=int, default=40)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    env = configure()
    sink = Sink()
    sink.controller.start()
    worker = start_worker(env)
    try:
        from armorpt.models import OutboundEmail

        appointment = an_appointment()
        assert wait_sent(list(appointment.emails.values_list("pk", flat=True)))
        lat = latency(appointment, args.latency_samples)
        began = time.perf_counter()
        ids = queue(appointment, args.messages, kind="bench")
        drained = wait_sent(ids, poll=0.25)
        drain_seconds = time.perf_counter() - began
        base_seconds = baseline(args.messages)
        sent_ids = set(OutboundEmail.objects.filter(kind="bench").values_list("message_id", flat=True))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        sink.controller.stop()

    once = all(sink.received[mid] == 1 for mid in sent_ids) and len(sent_ids) == args.messages
    lat.sort()
    print(
        f"Email through outbox + Redis + one Celery worker (concurrency 2) into a local SMTP sink ({env['DATABASE_URL'].split(':')[0]})"
    )
    print(
        f"enqueue-to-sent latency, {len(lat)} single messages: median {statistics.median(lat):.0f} ms, "
        f"p95 {lat[int(0.95 * (len(lat) - 1))]:.0f} ms"
    )
    print(
        f"drain {args.messages} queued messages: {drain_seconds:.1f} s ({args.messages / drain_seconds:.0f} msg/s); "
        f"all sent: {drained}; each received exactly once: {once}"
    )
    print(
        f"baseline, same count sent directly (no queue, no database): {base_seconds:.1f} s "
        f"({args.messages / base_seconds:.0f} msg/s); ratio outbox/baseline time: {drain_seconds / base_seconds:.2f}"
    )


if __name__ == "__main__":
    main()
