"""Sending an issue: every confirmed reader gets it once, with a working unsubscribe, and nobody else does."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from newsletter import services, tasks
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories import IssueFactory, SubscriberFactory
from tests.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers():
    return [SubscriberFactory(email=f"reader{n}@example.com") for n in range(5)]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Start sending as the admin action does, and let the (eager) tasks run."""

    def start(issue):
        with django_capture_on_commit_callbacks(execute=True):
            services.start_sending(issue)
        issue.refresh_from_db()
        return issue

    return start


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def test_every_confirmed_reader_gets_the_issue_once_and_nobody_else(send, readers, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)  # several batches
    SubscriberFactory(email="pending@example.com", status="pending", confirmed_at=None)
    SubscriberFactory(email="gone@example.com", status="unsubscribed")

    issue = send(IssueFactory())

    assert recipients() == sorted(r.email for r in readers)
    assert issue.status == Issue.Status.SENT and issue.sent_at
    assert services.progress(issue) == {"pending": 0, "sending": 0, "sent": 5, "failed": 0, "skipped": 0}


def test_running_the_send_again_mails_nobody_twice(send, readers):
    issue = send(IssueFactory())

    tasks.send_issue.apply(args=[issue.pk])
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)  # as if a worker re-ran it mid-send
    tasks.send_issue.apply(args=[issue.pk])
    for delivery in Delivery.objects.all():
        tasks.send_batch.apply(args=[issue.pk, [delivery.pk]])
    assert services.start_sending(issue) is False  # sent: the admin action refuses

    assert recipients() == sorted(r.email for r in readers)
    assert Delivery.objects.count() == 5


def test_a_sent_issue_is_not_sent_again(send, readers):
    issue = send(IssueFactory())

    assert services.start_sending(issue) is False
    assert len(mail.outbox) == 5


def test_every_message_carries_one_click_unsubscribe_and_the_postal_address(send, readers, client):
    send(IssueFactory(body="Hello **readers**. See [the guide](/guides/back-pain-exercises/)."))

    for message, reader in zip(sorted(mail.outbox, key=lambda m: m.to[0]), readers, strict=True):
        header = message.extra_headers["List-Unsubscribe"]
        assert re.fullmatch(r"<https://armorpt\.test/newsletter/unsubscribe/[^/]+/>", header)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = message.alternatives[0][0]
        url = header[1:-1]
        assert url in message.body and f'href="{url}"' in html
        assert "100 Main Street, Kalamazoo" in message.body and "100 Main Street, Kalamazoo" in html
        assert "<strong>readers</strong>" in html
        assert 'href="https://armorpt.test/guides/back-pain-exercises/"' in html  # absolute in an email
        assert message.extra_headers["Message-ID"].endswith("@armorpt.test>")
        # The link in the message is this reader's and works with one click.
        Client(enforce_csrf_checks=True).post(
            url.removeprefix("https://armorpt.test"),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        reader.refresh_from_db()
        assert reader.status == "unsubscribed"


def test_issues_come_from_the_newsletter_sender(send, readers, settings):
    settings.NEWSLETTER_FROM_EMAIL = "Armor Physical Therapy News <news@armorpt.test>"

    send(IssueFactory())

    assert {message.from_email for message in mail.outbox} == {"Armor Physical Therapy News <news@armorpt.test>"}


def test_a_reader_who_unsubscribes_during_the_send_is_skipped(readers, django_capture_on_commit_callbacks, monkeypatch):
    issue = IssueFactory()
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda *a, **k: None)  # batches wait in the queue
    with django_capture_on_commit_callbacks(execute=True):
        services.start_sending(issue)
    monkeypatch.undo()
    services.unsubscribe(readers[0])

    tasks.send_batch.apply(args=[issue.pk, list(Delivery.objects.values_list("pk", flat=True))])

    assert readers[0].email not in recipients() and len(mail.outbox) == 4
    assert services.progress(issue)["skipped"] == 1


def test_a_delivery_taken_by_a_worker_that_died_is_never_sent_again(send, readers, monkeypatch, clock):
    issue = IssueFactory()
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda *a, **k: None)
    send(issue)
    monkeypatch.undo()
    crashed = Delivery.objects.first()
    Delivery.objects.filter(pk=crashed.pk).update(status="sending", touched_at=timezone.now())  # worker died mid-send

    tasks.send_batch.apply(args=[issue.pk, list(Delivery.objects.values_list("pk", flat=True))])
    assert crashed.subscriber.email not in recipients() and len(mail.outbox) == 4

    # Later the sweeper closes the books: marked failed, with the reason, and still not resent.
    clock.shift(services.STALE_AFTER + dt.timedelta(minutes=1))
    services.sweep()
    crashed.refresh_from_db()
    assert crashed.status == "failed" and "not sent again" in crashed.error
    assert len(mail.outbox) == 4
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_the_sweeper_sends_batches_whose_task_was_lost(readers, django_capture_on_commit_callbacks, monkeypatch, clock):
    issue = IssueFactory()
    monkeypatch.setattr(tasks.send_batch, "apply_async", lambda *a, **k: None)  # Redis was down
    with django_capture_on_commit_callbacks(execute=True):
        services.start_sending(issue)
    monkeypatch.undo()

    assert services.sweep() == 0  # queued a moment ago: maybe just busy
    clock.shift(services.STALE_AFTER + dt.timedelta(seconds=1))
    queued = services.sweep()

    assert queued == 5
    assert len(mail.outbox) == 5


def test_a_flaky_mail_server_is_retried_and_each_reader_still_gets_one(send, readers, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 2, 0

    issue = send(IssueFactory())

    assert recipients() == sorted(r.email for r in readers)
    assert services.progress(issue)["sent"] == 5


def test_a_mail_server_that_never_answers_ends_as_failed_and_shows_why(send, readers, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 1000, 0

    issue = send(IssueFactory())

    assert mail.outbox == []
    assert services.progress(issue)["failed"] == 5
    assert "SMTPServerDisconnected" in Delivery.objects.first().error
    assert Delivery.objects.first().attempts == services.MAX_ATTEMPTS


def test_a_refused_address_fails_alone(send, readers, monkeypatch):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_one(self, messages):
        if messages[0].to == ["reader2@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"reader2@example.com": (550, b"No such user")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_one)

    issue = send(IssueFactory())

    assert len(mail.outbox) == 4
    failed = Delivery.objects.get(status="failed")
    assert failed.subscriber.email == "reader2@example.com" and "550" in failed.error
    assert issue.status == Issue.Status.SENT


def test_pending_and_unsubscribed_addresses_get_no_delivery_at_all(send):
    SubscriberFactory(status="pending", confirmed_at=None)
    SubscriberFactory(status="unsubscribed")

    issue = send(IssueFactory())

    assert Delivery.objects.count() == 0 and mail.outbox == []
    assert issue.status == Issue.Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_send_each_message_once():
    readers = [SubscriberFactory(email=f"r{n}@example.com") for n in range(40)]
    issue = IssueFactory(status=Issue.Status.SENDING)
    Delivery.objects.bulk_create([Delivery(issue=issue, subscriber=r) for r in readers])
    ids = list(Delivery.objects.values_list("pk", flat=True))
    start = threading.Barrier(2)

    def worker():
        start.wait()
        try:
            services.send_batch(issue.pk, ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(recipients()) == sorted(r.email for r in readers)
    assert Delivery.objects.filter(status="sent").count() == 40
    assert Subscriber.objects.count() == 40


def test_a_slow_mail_server_hands_the_rest_to_a_fresh_task(send, readers, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SECONDS", 0)  # out of time after every message

    issue = send(IssueFactory())

    assert recipients() == sorted(r.email for r in readers)
    assert services.progress(issue)["sent"] == 5 and issue.status == Issue.Status.SENT


def test_a_task_stopped_by_its_time_limit_mid_message_does_not_resend_that_message(send, readers, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def stopped_on_the_second(self, messages):
        if messages[0].to == ["reader1@example.com"]:
            raise SoftTimeLimitExceeded()
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", stopped_on_the_second)

    issue = send(IssueFactory())

    assert recipients() == ["reader0@example.com", "reader2@example.com", "reader3@example.com", "reader4@example.com"]
    interrupted = Delivery.objects.get(status="failed")
    assert interrupted.subscriber.email == "reader1@example.com" and "not sent again" in interrupted.error
    assert issue.status == Issue.Status.SENT
