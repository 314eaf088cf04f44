"""The outbox: every message is a row, sent once after the change that caused it commits."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from appointments import notifications, services
from armorpt import emails, handoff
from armorpt.models import OutboundEmail
from armorpt.tasks import send_email, sweep_outbox
from newsletter import services as newsletter_services
from tests.factories import AppointmentFactory, IssueFactory
from tests.helpers import patient, without_random_ids
from tests.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 0, 0
    return FlakyBackend


@pytest.fixture
def appointment(world):
    return AppointmentFactory(
        clinic=world.clinic,
        specialist=world.alice,
        appointment_type=world.visit_type,
        start=world.local(3, 10),
        email="ana@example.com",
        notes="Herniated disc",
        created_at=timezone.now() - dt.timedelta(days=3),
    )


KINDS = {
    "received": lambda a: notifications._to_patient(a, "appointment.received", "received"),
    "confirmed": notifications.confirmed,
    "cancelled": lambda a: notifications.cancelled(a, by_patient=True),
    "rescheduled": lambda a: notifications.rescheduled(a, previous_start=a.start - dt.timedelta(days=1)),
    "reminder": notifications.reminder,
    "front_desk": notifications._front_desk_notice,
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_subject_text_and_html_with_clinic_and_footer(appointment, kind):
    message = KINDS[kind](appointment)

    assert message.subject and "\n" not in message.subject
    for body in (message.body_text, message.body_html):
        assert appointment.clinic.name in body
        assert "100 Main Street, Kalamazoo" in body  # the practice's postal address
        assert "10:00 AM E" in body  # local time with the zone named
        assert "Herniated" not in without_random_ids(body) and "1980" not in without_random_ids(body)
    if kind == "cancelled":
        assert "https://armorpt.test/book/" in message.body_text  # how to rebook
    elif kind != "front_desk":
        assert f"https://armorpt.test/appointments/{appointment.token}/" in message.body_text
    if kind != "front_desk":
        assert appointment.clinic.phone_display in message.body_text
    else:
        assert f"/admin/appointments/appointment/{appointment.pk}/change/" in message.body_text
    assert message.message_id.endswith("@armorpt.test>")


def test_a_booking_enqueues_its_emails_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.book_appointment(clinic=world.clinic, start=world.local(2, 10), patient=patient())

    enqueues = [c for c in callbacks if getattr(c, "func", None) is emails.enqueue]
    assert len(enqueues) == 2  # confirmation and front-desk notice
    assert mail.outbox == []


def test_a_rolled_back_booking_enqueues_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.book_appointment(clinic=world.clinic, start=world.local(2, 10), patient=patient())
                raise RuntimeError("the request failed after booking")
        except RuntimeError:
            pass

    assert [c for c in callbacks if getattr(c, "func", None) is emails.enqueue] == []
    assert OutboundEmail.objects.count() == 0


def test_sending_twice_sends_once(appointment):
    message = notifications.confirmed(appointment)

    assert send_email.apply(args=[message.pk]).get() == "sent"
    assert send_email.apply(args=[message.pk]).get() == "skipped"

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == message.message_id
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT and message.attempts == 1


def test_smtp_failing_twice_then_working_delivers_exactly_one_email(appointment, flaky):
    flaky.failures_left = 2
    message = notifications.confirmed(appointment)

    send_email.apply(args=[message.pk])  # eager: retries run at once

    assert flaky.attempts == 3
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.SENT
    assert message.attempts == 3


def test_a_mail_server_that_never_answers_ends_as_failed_with_the_error(appointment, flaky):
    flaky.failures_left = 100
    message = notifications.confirmed(appointment)

    send_email.apply(args=[message.pk])

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.FAILED
    assert message.attempts == emails.MAX_ATTEMPTS
    assert "SMTPServerDisconnected" in message.last_error
    assert mail.outbox == []


def test_our_own_error_is_not_retried(appointment, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.BrokenTemplateBackend"
    message = notifications.confirmed(appointment)

    send_email.apply(args=[message.pk])

    message.refresh_from_db()
    assert message.status == OutboundEmail.Status.FAILED
    assert message.attempts == 1 and "ValueError" in message.last_error


def test_retry_waits_longer_each_time_up_to_a_cap():
    delays = [handoff.retry_delay(n) for n in range(1, 10)]

    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == handoff.RETRY_BACKOFF_CAP_SECONDS
    assert delays == sorted(delays)


def test_the_sweeper_sends_what_the_broker_never_got(appointment, monkeypatch):
    monkeypatch.setattr(emails, "enqueue", lambda message_id: None)  # the broker was down at commit
    lost = notifications.confirmed(appointment)
    monkeypatch.undo()
    OutboundEmail.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    fresh = notifications.reminder(appointment)

    swept = sweep_outbox.apply().get()

    assert swept == 1
    assert [m.subject for m in mail.outbox] == [lost.subject]
    fresh.refresh_from_db()
    assert fresh.status == OutboundEmail.Status.PENDING


def test_the_same_dedupe_key_is_queued_once(appointment):
    assert notifications.reminder(appointment) is not None
    assert notifications.reminder(appointment) is None
    assert OutboundEmail.objects.filter(kind="appointment.reminder").count() == 1


def test_staff_resend_a_failed_email_and_copy_a_sent_one(appointment, flaky):
    flaky.failures_left = 100
    failed = notifications.confirmed(appointment)
    send_email.apply(args=[failed.pk])
    failed.refresh_from_db()
    flaky.failures_left = 0

    with transaction.atomic():
        emails.resend(failed)
    send_email.apply(args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status == OutboundEmail.Status.SENT

    copy = emails.resend(failed)
    send_email.apply(args=[copy.pk])
    assert copy.pk != failed.pk
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] != mail.outbox[1].extra_headers["Message-ID"]


def test_emails_say_until_when_the_visit_can_be_changed_online(world):
    later = world.visit(3, 10, email="ana@example.com")
    tomorrow = world.visit(1, 8, email="ben@example.com", specialist=world.bob)  # 23 hours away

    far, near = notifications.confirmed(later), notifications.confirmed(tomorrow)
    reminder = notifications.reminder(tomorrow)

    for body in (far.body_text, far.body_html):
        # 24 hours before Friday 10:00 AM (DEFAULT_NOW is a Tuesday morning).
        assert "online until Thursday, June 17, 2027 at 10:00 AM EDT" in body
    for message in (near, reminder):
        for body in (message.body_text, message.body_html):
            assert "can no longer be changed online" in body or "Please call Armor PT Kalamazoo" in body
            assert "(269) 555-0100" in body
            assert "View, change or cancel" not in body


def test_appointment_emails_come_from_the_default_sender_even_when_the_newsletter_has_its_own(appointment, settings):
    settings.DEFAULT_FROM_EMAIL = "Armor Physical Therapy <appointments@armorpt.test>"
    settings.NEWSLETTER_FROM_EMAIL = "Armor Physical Therapy News <news@armorpt.test>"
    message = notifications.confirmed(appointment)

    send_email.apply(args=[message.pk])

    assert message.from_email == "Armor Physical Therapy <appointments@armorpt.test>"
    assert mail.outbox[0].from_email == "Armor Physical Therapy <appointments@armorpt.test>"


def test_staff_resend_an_email_from_the_sender_it_was_written_with(settings):
    settings.NEWSLETTER_FROM_EMAIL = "Armor Physical Therapy News <news@armorpt.test>"
    message = newsletter_services.send_test(issue=IssueFactory(), to="staff@armorpt.test")
    send_email.apply(args=[message.pk])
    settings.NEWSLETTER_FROM_EMAIL = "Armor PT <changed@armorpt.test>"  # changed since: not this message's sender

    copy = emails.resend(message)
    send_email.apply(args=[copy.pk])

    assert copy.from_email == "Armor Physical Therapy News <news@armorpt.test>"
    assert [m.from_email for m in mail.outbox] == ["Armor Physical Therapy News <news@armorpt.test>"] * 2


def test_a_message_written_before_senders_were_stored_leaves_from_the_default(appointment, settings):
    settings.DEFAULT_FROM_EMAIL = "Armor Physical Therapy <appointments@armorpt.test>"
    message = notifications.confirmed(appointment)
    OutboundEmail.objects.filter(pk=message.pk).update(from_email="")  # as the migration left older rows

    send_email.apply(args=[message.pk])

    assert mail.outbox[0].from_email == "Armor Physical Therapy <appointments@armorpt.test>"


def test_a_message_the_broker_refused_is_swept_at_once_not_a_minute_later(
    appointment, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(emails, "send", lambda task, *args: False)  # the broker refuses at commit
    with django_capture_on_commit_callbacks(execute=True):
        refused = notifications.confirmed(appointment)
    monkeypatch.undo()
    assert mail.outbox == []

    assert sweep_outbox.apply().get() == 1

    refused.refresh_from_db()
    assert refused.status == OutboundEmail.Status.SENT


def test_a_sweep_stops_at_the_first_refusal_and_leaves_the_rest_due(appointment, monkeypatch):
    messages = [notifications.confirmed(appointment), notifications.reminder(appointment)]
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    tries = []
    monkeypatch.setattr(emails, "send", lambda task, *args: tries.append(args) and False)

    assert emails.sweep() == 0

    assert len(tries) == 1  # a hung broker costs one timeout per sweep, not one per message
    due = OutboundEmail.objects.due(timezone.now() - emails.SWEEP_AFTER)
    assert set(due.values_list("pk", flat=True)) == {m.pk for m in messages}
