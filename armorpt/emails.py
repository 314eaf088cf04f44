"""Every email the site sends goes through here: rendered from three templates, written
to the outbox in the caller's transaction, and handed to Celery only after it commits.

Nothing is sent inside a web request. If the broker is down when the transaction commits,
the row stays pending and the next sweep queues it: every worker sweeps when it connects to
the broker and every few seconds after (armorpt.worker), so nothing waits for beat.

Delivery is at least once in one window only: the SMTP server has accepted a message and the
worker or the database dies before the row is marked sent. The next attempt sends it again
with the same Message-ID, which lets mail programs show it once.
"""

import logging
import smtplib
import uuid
from datetime import timedelta
from email.utils import make_msgid
from enum import Enum
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from armorpt.handoff import retry_delay, send
from armorpt.models import OutboundEmail
from armorpt.tasks import send_email as send_email_task

logger = logging.getLogger(__name__)

# Worth another try later: the mail server or the network was unavailable.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
MAX_ATTEMPTS = 6
# A pending row nobody has tried for this long lost its task (a worker died, Redis restarted empty).
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_LIMIT = 500


class Outcome(Enum):
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"


def render_email(template, context):
    """(subject, text, html) from `<template>_subject.txt`, `<template>.txt` and `<template>.html`."""
    context = {"PRACTICE": settings.PRACTICE, "SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"{template}_subject.txt", context)
    # A newline in a subject would let it inject headers (as PasswordResetForm guards against).
    subject = " ".join(subject.split())
    return subject, render_to_string(f"{template}.txt", context), render_to_string(f"{template}.html", context)


def queue_email(
    *, kind, to, template, context, about=None, dedupe_key=None, attachments=(), headers=None, from_email=None
):
    """Write one email to the outbox; it is sent after the surrounding transaction commits.

    The sender is `from_email`, or DEFAULT_FROM_EMAIL; it is kept on the row, so a retry or a resend
    leaves from the same address. Returns the row, or None when `dedupe_key` was queued before
    (a reminder already sent).
    """
    if dedupe_key and OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    message = new_email(
        kind=kind,
        to=to,
        template=template,
        context=context,
        about=about,
        dedupe_key=dedupe_key,
        attachments=attachments,
        headers=headers,
        from_email=from_email,
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if dedupe_key:  # Another process queued the same key a moment ago.
            return None
        raise
    transaction.on_commit(partial(enqueue, message.pk))
    return message


def new_email(
    *, kind, to, template, context, about=None, dedupe_key=None, attachments=(), headers=None, from_email=None
):
    """One rendered outbox row, not saved yet (queue_email saves one, queue_emails many)."""
    subject, text, html = render_email(template, context)
    message = OutboundEmail(
        kind=kind,
        to=to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
        attachments=list(attachments),
        message_id=new_message_id(),
        dedupe_key=dedupe_key,
        next_attempt_at=timezone.now(),
    )
    if about is not None:
        message.content_type = ContentType.objects.get_for_model(about)
        message.object_id = about.pk
    return message


def queue_emails(messages):
    """Write many rows from new_email() in three queries, whatever their number; each is sent after commit.

    A row whose dedupe_key is in the outbox already is left out (the database says so, also for a
    key another process wrote a moment ago). Returns the ids written.
    """
    if not messages:
        return []
    OutboundEmail.objects.bulk_create(messages, ignore_conflicts=True)
    # Ids are not returned for rows inserted with ignore_conflicts: read back the ones that went in.
    ids = list(
        OutboundEmail.objects.filter(message_id__in=[m.message_id for m in messages]).values_list("pk", flat=True)
    )
    for message_id in ids:
        transaction.on_commit(partial(enqueue, message_id))
    return ids


def new_message_id():
    # Kept on the row, so every retry of one message carries the same Message-ID. make_msgid alone
    # draws on the clock and the shared `random` state, which anything in the process may seed.
    return make_msgid(idstring=uuid.uuid4().hex, domain=urlsplit(settings.SITE_URL).hostname or "armorpt.local")


def enqueue(message_id):
    """Hand one message to Celery. Never raises: a row the broker did not take is due for the next sweep."""
    if send(send_email_task, message_id):
        return True
    try:
        OutboundEmail.objects.filter(pk=message_id).update(next_attempt_at=timezone.now() - SWEEP_AFTER)
    except DatabaseError:
        pass  # the row is swept a minute after it was written all the same
    return False


def deliver(message_id):
    """Send one outbox message at most once: lock the row, skip it unless pending, send, mark it."""
    with transaction.atomic():
        message = OutboundEmail.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != OutboundEmail.Status.PENDING:
            logger.info("email %s ignored: not pending", message_id)
            return Outcome.SKIPPED
        try:
            _as_email(message).send()
        except TRANSIENT_ERRORS as exc:
            return _record_failure(message, exc, permanent=message.attempts + 1 >= MAX_ATTEMPTS)
        except Exception as exc:  # noqa: BLE001 -- our own bug: retrying would not help.
            logger.exception("email %s failed permanently", message_id)
            return _record_failure(message, exc, permanent=True)
        message.status = OutboundEmail.Status.SENT
        message.sent_at = timezone.now()
        message.attempts += 1
        message.last_error = ""
        message.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return Outcome.SENT


def _record_failure(message, exc, *, permanent):
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if permanent:
        message.status = OutboundEmail.Status.FAILED
    else:
        message.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(message.attempts))
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    logger.warning("email %s attempt %s failed: %s", message.pk, message.attempts, message.last_error)
    return Outcome.FAILED if permanent else Outcome.RETRY


def _as_email(message):
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        # Blank on rows written before the sender was stored: those all left from the default.
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        # Every message here is sent by the site itself: out-of-office replies should not answer it (RFC 3834).
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated", **message.headers},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        if attachment["mimetype"].startswith("text/calendar; method="):
            # iMIP (RFC 6047): the part mail programs act on, and the same data as a file for the others.
            email.attach_alternative(attachment["content"], attachment["mimetype"])
            email.attach(attachment["filename"], attachment["content"], "application/ics")
        else:
            email.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return email


def sweep(now=None, *, idle_for=SWEEP_AFTER, limit=SWEEP_LIMIT):
    """Queue pending messages nobody has tried for `idle_for`: their task was lost or never queued.

    Rows being sent right now are locked and skipped; two workers sweeping at once share the rows
    out instead of queueing each twice. Stops at the first message the broker refuses.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = OutboundEmail.objects.due(now - idle_for).select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
        # Not swept again for another SWEEP_AFTER, even if the worker is slow to get to them.
        OutboundEmail.objects.filter(pk__in=ids).update(next_attempt_at=now)
    queued = 0
    for message_id in ids:
        if not enqueue(message_id):
            OutboundEmail.objects.filter(pk__in=ids[queued:]).update(next_attempt_at=now - SWEEP_AFTER)
            break
        queued += 1
    return queued


def resend(message):
    """Staff asked to send a message again: a failed one is retried, a sent one is copied and sent anew."""
    if message.status == OutboundEmail.Status.FAILED:
        message.status, message.attempts, message.next_attempt_at = OutboundEmail.Status.PENDING, 0, timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(partial(enqueue, message.pk))
        return message
    copy = OutboundEmail.objects.get(pk=message.pk)
    copy.pk, copy.dedupe_key, copy.attempts, copy.sent_at, copy.last_error = None, None, 0, None, ""
    copy.status = OutboundEmail.Status.PENDING
    copy.message_id = new_message_id()
    copy.next_attempt_at = timezone.now()
    copy.save()
    transaction.on_commit(partial(enqueue, copy.pk))
    return copy
