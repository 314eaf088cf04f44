"""Send one issue to 10,000 confirmed subscribers through a real Celery worker into a local SMTP
sink, and check that every address received exactly one message.

Needs PostgreSQL and Redis (the database is created if missing and migrated; its newsletter tables
are emptied). Target: all delivered, exactly once, in under two minutes on a 2-core machine.

    .venv/bin/pip install aiosmtpd
    .venv/bin/python benchmarks/newsletter_send.py [--subscribers 10000] [--concurrency 2]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/armorpt_bench) and
REDIS_URL (default redis://127.0.0.1:6379/12) choose the services.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 120


class Sink:
    """An aiosmtpd handler that counts messages per recipient and keeps each one's unsubscribe link."""

    def __init__(self):
        self.lock = threading.Lock()
        self.per_address = Counter()
        self.unsubscribe_urls = {}
        self.with_headers = 0

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.content)
        url = " ".join((headers["List-Unsubscribe"] or "").split())
        one_click = headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        with self.lock:
            for address in envelope.rcpt_tos:
                self.per_address[address.lower()] += 1
                self.unsubscribe_urls[address.lower()] = url
            self.with_headers += bool(one_click and url.startswith("<https://") and url.endswith(">"))
        return "250 Message accepted"

    @property
    def total(self):
        with self.lock:
            return sum(self.per_address.values())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(smtp_port):
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/armorpt_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="armorpt.settings",
        DEBUG="false",  # as in production (DEBUG would also keep every SQL query in memory)
        SECRET_KEY="benchmark-only-" + "k" * 50,
        ALLOWED_HOSTS="localhost",
        SITE_URL="https://armorpt.example",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        LOG_LEVEL="WARNING",
    )
    create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_database(url):
    import psycopg2
    from environ import Env

    config = Env.db_url_config(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


def load(count):
    from django.utils import timezone

    from newsletter.models import Issue, Subscriber

    Issue.objects.all().delete()
    Subscriber.objects.all().delete()
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"reader{n:05d}@bench.example", first_name="Robin", status="confirmed", confirmed_at=now)
            for n in range(count)
        ],
        batch_size=2000,
    )
    return Issue.objects.create(
        subject="Winter: three stretches for a stiff back",
        body="## Three stretches\n\nTry the **cat-camel** each morning.\n\n- Ten slow repetitions\n- Stop if it hurts\n",
        guide_url="https://armorpt.example/guides/back-pain-exercises/",
    )


def start_worker(concurrency, log_path):
    from armorpt.celery import app

    app.control.purge()  # nothing left over from an earlier, interrupted run
    log = open(log_path, "w")  # noqa: SIM115 -- closed when the worker stops
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "armorpt",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=newsletter-bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}; see {log_path}")
        if app.control.ping(timeout=1.0):
            return worker, log
    stop_worker(worker, log)
    raise SystemExit(f"the worker did not answer within a minute; see {log_path}")


def stop_worker(worker, log):
    worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    log.close()


def wait_until_final(issue, timeout):
    from newsletter import services

    started = time.monotonic()
    shown = started
    while time.monotonic() - started < timeout:
        counts = services.progress(issue)
        open_ = counts["pending"] + counts["sending"]
        if open_ == 0 and sum(counts.values()) > 0:
            return counts
        if time.monotonic() - shown >= 10:
            print(f"  … {time.monotonic() - started:5.1f} s: {counts}", flush=True)
            shown = time.monotonic()
        time.sleep(0.2)
    raise SystemExit(f"not all deliveries final after {timeout} s: {services.progress(issue)}")


def links_match_recipients(urls):
    """How many messages carry the unsubscribe link of the very subscriber they were sent to."""
    from newsletter import tokens
    from newsletter.models import Subscriber

    keys = {
        address: tokens.read_unsubscribe_token(url.rstrip("/>").rsplit("/", 1)[-1]) for address, url in urls.items()
    }
    owners = dict(Subscriber.objects.filter(key__in=[k for k in keys.values() if k]).values_list("key", "email"))
    return sum(1 for address, key in keys.items() if owners.get(key) == address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    configure(smtp_port)
    from newsletter import services, tasks
    from newsletter.models import Issue

    print(f"database {os.environ['DATABASE_URL']}, broker {os.environ['REDIS_URL']}, SMTP sink 127.0.0.1:{smtp_port}")
    print(f"creating {args.subscribers:,} confirmed subscribers …", flush=True)
    issue = load(args.subscribers)
    log_path = ROOT / "var" / "bench" / "newsletter-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    worker, log = start_worker(args.concurrency, log_path)
    try:
        print(f"worker ready ({args.concurrency} processes); sending “{issue.subject}” …", flush=True)
        started = time.monotonic()
        services.start_sending(issue)
        counts = wait_until_final(issue, args.timeout)
        elapsed = time.monotonic() - started
        received_first = sink.total

        # Run the whole send again, as a re-queued task or a second click would: nobody gets a second copy.
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
        tasks.send_issue.delay(issue.pk)
        deadline = time.monotonic() + 60
        while Issue.objects.get(pk=issue.pk).status != Issue.Status.SENT and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop_worker(worker, log)
        controller.stop()

    per_address = sink.per_address
    expected = {f"reader{n:05d}@bench.example" for n in range(args.subscribers)}
    missing = expected - set(per_address)
    twice = [address for address, n in per_address.items() if n > 1]
    strangers = set(per_address) - expected
    exactly_once = sum(1 for address in expected if per_address[address] == 1)
    own_links = links_match_recipients(sink.unsubscribe_urls)
    ok = not missing and not twice and not strangers and sink.with_headers == own_links == args.subscribers
    print()
    print(f"deliveries:         {counts}")
    print(f"total time:         {elapsed:.1f} s (start of send until every delivery final)")
    print(f"throughput:         {counts['sent'] / elapsed:.0f} messages/second")
    print(f"sink received:      {received_first:,} messages; after re-running the send: {sink.total:,}")
    print(f"exactly once:       {exactly_once:,} of {args.subscribers:,} addresses")
    print(f"missing / twice:    {len(missing)} / {len(twice)}; unexpected recipients: {len(strangers)}")
    print(f"one-click headers:  {sink.with_headers:,} of {sink.total:,} messages")
    print(f"own unsubscribe:    {own_links:,} of {args.subscribers:,} links name their recipient")
    print(f"check:              {'PASS' if ok else 'FAIL'}")
    print(
        f"target:             {'PASS' if elapsed < TARGET_SECONDS else 'FAIL'} "
        f"({elapsed:.1f} s, under {TARGET_SECONDS} s wanted)"
    )
    return 0 if ok and elapsed < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
