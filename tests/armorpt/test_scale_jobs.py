"""The periodic jobs make the same number of queries per batch whatever the size of the practice,
and walk their rows a batch at a time."""

import datetime as dt
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import services
from appointments.models import Appointment
from armorpt import emails
from armorpt.models import OutboundEmail
from newsletter import services as newsletter
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def queries(function, *args, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = function(*args, **kwargs)
    return result, len(captured)


# --- Retention purge ------------------------------------------------------------------------


def old_visits(world, count, *, first=0):
    """`count` visits two years ago, each with the confirmation email about it."""
    start = timezone.now() - dt.timedelta(days=730)
    visits = Appointment.objects.bulk_create(
        Appointment(
            clinic=world.clinic,
            specialist=world.alice,
            appointment_type=world.visit_type,
            start=start + dt.timedelta(hours=n),
            end=start + dt.timedelta(hours=n, minutes=45),
            status=Appointment.Status.COMPLETED,
            first_name="Pat",
            last_name=f"Patient{n}",
            email=f"pat{n}@example.com",
        )
        for n in range(first, first + count)
    )
    about = ContentType.objects.get_for_model(Appointment)
    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind="appointment.confirmed",
            to=visit.email,
            subject="Your visit",
            body_text="See you.",
            message_id=f"<{uuid.uuid4().hex}@test>",
            next_attempt_at=timezone.now(),
            status=OutboundEmail.Status.SENT,
            content_type=about,
            object_id=visit.pk,
        )
        for visit in visits
    )
    return visits


def test_the_purge_costs_the_same_queries_at_ten_times_the_visits(world, clock):
    old_visits(world, 6)
    erased, at_demo_size = queries(services.erase_expired_patient_details, batch_size=100)
    assert erased == 6
    old_visits(world, 60, first=6)

    erased, at_ten_times = queries(services.erase_expired_patient_details, batch_size=100)

    assert erased == 60
    assert at_ten_times <= at_demo_size
    assert not Appointment.objects.filter(erased_at__isnull=True).exists()
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {"erased@invalid"}


def test_the_purge_goes_batch_by_batch_with_the_same_queries_each(world, clock):
    old_visits(world, 10)
    _, one_batch = queries(services.erase_expired_patient_details, batch_size=10)
    old_visits(world, 60, first=10)
    upcoming = world.visit(3)

    erased, six_batches = queries(services.erase_expired_patient_details, batch_size=10)

    assert erased == 60
    # No more queries for each batch than the first batch alone took.
    assert six_batches <= 6 * one_batch
    upcoming.refresh_from_db()
    assert upcoming.erased_at is None and upcoming.email


# --- Outbox sweeper -------------------------------------------------------------------------


def lost_emails(count):
    long_ago = timezone.now() - dt.timedelta(hours=1)
    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind="newsletter.confirm",
            to=f"reader{n}@example.com",
            subject="Please confirm",
            body_text="Click.",
            message_id=f"<{uuid.uuid4().hex}@test>",
            next_attempt_at=long_ago,
        )
        for n in range(count)
    )


@pytest.fixture
def broker(monkeypatch):
    """A broker that takes every task: the ids handed to it."""
    taken = []
    monkeypatch.setattr(emails, "send", lambda task, message_id: taken.append(message_id) or True)
    return taken


def test_the_outbox_sweep_costs_the_same_queries_at_ten_times_the_lost_emails(db, clock, broker):
    lost_emails(5)
    swept, at_demo_size = queries(emails.sweep)
    lost_emails(50)
    clock.shift(dt.timedelta(hours=1))

    swept, at_ten_times = queries(emails.sweep)

    assert swept == 55  # the first five again: nobody sent them
    assert at_ten_times <= at_demo_size


def test_the_outbox_sweep_takes_one_batch_and_leaves_the_rest_due(db, clock, broker):
    lost_emails(30)

    assert emails.sweep(limit=10) == 10
    assert emails.sweep(limit=10) == 10  # the first ten are not due again for a minute

    assert len(set(broker)) == 20
    assert OutboundEmail.objects.due(timezone.now() - emails.SWEEP_AFTER).count() == 10


# --- Newsletter: fan-out and sweeper ---------------------------------------------------------


def readers(count, *, first=0):
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
        for n in range(first, first + count)
    )


@pytest.fixture
def batches(monkeypatch):
    """The send_batch tasks queued: (issue id, delivery ids)."""
    queued = []
    monkeypatch.setattr(newsletter, "send", lambda task, *args: queued.append(args) or True)
    return queued


def sending_issue():
    return IssueFactory(status=Issue.Status.SENDING, send_started_at=timezone.now())


def test_fanning_out_costs_the_same_queries_at_ten_times_the_readers(db, clock, batches):
    readers(5)
    queued, at_demo_size = queries(newsletter.fan_out, sending_issue().pk)
    assert queued == 5
    readers(45, first=5)

    issue = sending_issue()
    queued, at_ten_times = queries(newsletter.fan_out, issue.pk)

    assert queued == 50
    assert at_ten_times <= at_demo_size
    assert Delivery.objects.filter(issue=issue).count() == 50


def test_fanning_out_goes_batch_by_batch_and_queues_each_reader_once(db, clock, batches, monkeypatch):
    monkeypatch.setattr(newsletter, "FAN_OUT_BATCH", 20)
    monkeypatch.setattr(newsletter, "BATCH_SIZE", 10)
    readers(100)
    issue = sending_issue()

    queued, count = queries(newsletter.fan_out, issue.pk)

    assert queued == 100
    ids = [pk for _, chunk in batches for pk in chunk]
    assert len(ids) == len(set(ids)) == 100 and all(len(chunk) <= 10 for _, chunk in batches)
    # Fan-out: 5 pages of readers, one insert each; queueing: 10 pages of deliveries, one update each.
    assert count <= 5 * 2 + 10 * 2 + 6


def test_the_newsletter_sweep_costs_the_same_queries_at_ten_times_the_readers(db, clock, batches):
    def stale_sending_issue(count, first):
        readers(count, first=first)
        issue = sending_issue()
        newsletter.fan_out(issue.pk)
        clock.shift(newsletter.STALE_AFTER + dt.timedelta(minutes=1))
        return issue

    small = stale_sending_issue(5, 0)
    swept, at_demo_size = queries(newsletter.sweep)
    assert swept == 5
    Issue.objects.filter(pk=small.pk).update(status=Issue.Status.SENT)
    stale_sending_issue(45, 5)

    swept, at_ten_times = queries(newsletter.sweep)

    assert swept == 50
    assert at_ten_times <= at_demo_size
