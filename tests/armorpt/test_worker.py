"""Email through a real Redis broker and a real Celery worker, including when Redis fails.

These run in CI's service pass (REDIS_URL set); the worker consumes from Redis in a
thread of this process, so it shares the test database and Django's mail.outbox.
"""

import contextlib
import email
import os
import socket
import threading
import time

import icalendar
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from appointments.models import Appointment
from armorpt.celery import app
from armorpt.models import OutboundEmail
from armorpt.worker import SWEEP_EVERY_SECONDS
from tests.helpers import PrivateRedis, as_a_person, closed_port, use_broker

# The clock runs: the broker client gives up after a number of seconds it reads from time.time().
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.clock(tick=True)]

DETAILS = {
    "first_name": "Ana",
    "last_name": "Lopez",
    "email": "ana@example.com",
    "phone": "269-555-0111",
    "date_of_birth": "1985-04-02",
    "reason": "back-pain",
    "consent": "on",
}


@pytest.fixture
def broker():
    old = app.conf.broker_url, app.conf.task_always_eager
    use_broker(settings.REDIS_URL)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    yield
    use_broker(old[0], eager=old[1])


@pytest.fixture
def private_redis():
    with PrivateRedis() as server:
        yield server


@contextlib.contextmanager
def worker():
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        yield


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def book(client, world, hour=10):
    start = world.local(2, hour).astimezone(world.clinic.tz).isoformat()
    began = time.monotonic()
    response = client.post(f"/book/{world.clinic.slug}/details/", {**DETAILS, **as_a_person(), "start": start})
    return response, time.monotonic() - began


def test_the_worker_sends_each_booking_email_exactly_once(client, broker, world):
    with worker():
        response, _ = book(client, world)
        assert response.status_code == 302
        assert wait_for(lambda: len(mail.outbox) >= 2)
        time.sleep(1)  # nothing more should arrive

    assert sorted(m.to[0] for m in mail.outbox) == sorted(["ana@example.com", world.clinic.front_desk_email])
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def _calendar(message):
    parsed = email.message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    (event,) = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return part.get_param("method"), str(event["uid"]), int(event["sequence"])


def test_through_the_worker_a_cancellation_removes_the_entry_the_booking_added(client, broker, world):
    with worker():
        assert book(client, world)[0].status_code == 302
        assert wait_for(lambda: len(mail.outbox) >= 2)
        token = Appointment.objects.get().token
        assert client.post(f"/appointments/{token}/cancel/").status_code == 302
        assert wait_for(lambda: len(mail.outbox) >= 3)  # the booking's two, then the patient's cancellation

    booked, cancelled = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    booked_method, uid, sequence = _calendar(booked)
    cancel_method, cancel_uid, cancel_sequence = _calendar(cancelled)
    assert (booked_method, cancel_method) == ("REQUEST", "CANCEL")
    assert cancel_uid == uid and cancel_sequence > sequence


def test_redis_refusing_during_booking_loses_nothing(client, broker, world):
    use_broker(f"redis://127.0.0.1:{closed_port()}/0")

    response, seconds = book(client, world)

    assert response.status_code == 302
    assert seconds < 5
    assert mail.outbox == []
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pending"}

    # Redis is back. No beat runs here: the worker sweeps as it connects.
    use_broker(settings.REDIS_URL)
    with worker():
        assert wait_for(lambda: len(mail.outbox) >= 2, timeout=10)
        time.sleep(1)

    assert len(mail.outbox) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_without_beat_a_connected_worker_sends_what_the_broker_refused_within_seconds(client, broker, world):
    with worker():
        use_broker(f"redis://127.0.0.1:{closed_port()}/0")  # this web process loses Redis; the worker does not
        assert book(client, world)[0].status_code == 302
        assert OutboundEmail.objects.filter(status="pending").count() == 2
        use_broker(settings.REDIS_URL)
        began = time.monotonic()

        assert wait_for(lambda: len(mail.outbox) >= 2, timeout=SWEEP_EVERY_SECONDS + 10)
        waited = time.monotonic() - began
        time.sleep(1)

    assert waited < SWEEP_EVERY_SECONDS + 5, f"{waited:.1f} s"
    assert len(mail.outbox) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


# Long enough for Celery's own reconnect waits (2, 4, 6 … 30 s apart) to have grown past 15 s.
OUTAGE_SECONDS = float(os.environ.get("OUTAGE_SECONDS", "20"))


def test_mail_queued_during_a_redis_outage_arrives_within_15_seconds_of_its_return(
    client, world, broker, private_redis
):
    use_broker(private_redis.url)  # `broker` puts back the suite's broker (and eager tasks) afterwards
    with worker():
        private_redis.kill()
        response, seconds = book(client, world)
        assert response.status_code == 302 and seconds < 5
        time.sleep(OUTAGE_SECONDS)
        assert mail.outbox == []

        private_redis.start()
        back = time.monotonic()
        assert wait_for(lambda: len(mail.outbox) >= 2, timeout=60)
        recovered_in = time.monotonic() - back
        time.sleep(2)  # nothing more should arrive

    print(f"\nmail queued during a {OUTAGE_SECONDS:.0f} s Redis outage arrived {recovered_in:.1f} s after its return")
    assert recovered_in < 15
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["ana@example.com", world.clinic.front_desk_email])
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_a_hung_redis_does_not_hang_the_booking(client, broker, world):
    with _silent_server() as port:
        use_broker(f"redis://127.0.0.1:{port}/0")

        response, seconds = book(client, world)

    assert response.status_code == 302
    assert seconds < 5, f"booking took {seconds:.1f}s with a hung broker"
    assert OutboundEmail.objects.filter(status="pending").count() == 2


@contextlib.contextmanager
def _silent_server():
    """A TCP server that accepts connections and never says a word: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
