"""What the newsletter does: sign-ups with double opt-in, unsubscribes, and sending an issue.

Sending an issue, and why nobody gets it twice:

1. `start_sending` marks the issue "sending" and queues `fan_out` once that commits.
2. `fan_out` writes one Delivery row per confirmed subscriber (the unique constraint on
   issue and subscriber makes a second run add nothing) and queues the pending rows in batches.
3. `send_batch` claims its rows ("being sent", committed, and only rows still pending; a row
   another worker holds is skipped), then sends them over one SMTP connection and marks them
   sent. A claimed row is never claimed again, so a task that runs twice, or a batch queued
   twice, mails nobody twice. A worker killed mid-batch leaves rows "being sent"; the sweeper
   marks them failed rather than risk a second copy. A row goes back to "pending" only when the
   message certainly did not leave (the connection failed, or the server said "try later").

Every email to a subscriber is written in the language they signed up in (`Subscriber.language`),
its links to the pages in that language: the confirmation, the welcome, and an issue's frame and
unsubscribe link (the issue's own text is as staff wrote it).
"""

import datetime as dt
import logging
import re
import smtplib
import time
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from armorpt import languages
from armorpt.emails import new_message_id, queue_email, render_email
from armorpt.handoff import after_commit, send
from armorpt.markdown import render_markdown
from armorpt.plaintext import html_to_text
from newsletter import tokens
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.tasks import send_batch as send_batch_task
from newsletter.tasks import send_issue as send_issue_task

logger = logging.getLogger(__name__)

CONFIRMATION_INTERVAL = dt.timedelta(hours=1)
BATCH_SIZE = 100
# Delivery rows written per INSERT when an issue fans out: memory stays flat however long the list.
FAN_OUT_BATCH = 2000
# Sent rows are marked in groups: one UPDATE per message would cost as much as the sending.
MARK_SENT_EVERY = 25
# Well inside Celery's time limits (CELERY_TASK_SOFT_TIME_LIMIT = 100 s), however slow the mail server.
BATCH_SECONDS = 60
MAX_ATTEMPTS = 5
# Longer than Celery's hard time limit, so a row this old is not in anyone's hands any more.
STALE_AFTER = dt.timedelta(minutes=10)
INTERRUPTED = "Interrupted while sending: it may or may not have gone out, so it is not sent again."


# --- Links and headers ----------------------------------------------------------------------


def confirm_url(subscriber):
    return settings.SITE_URL + reverse("newsletter:confirm", args=[tokens.confirm_token(subscriber)])


def unsubscribe_url(subscriber):
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber)])


def list_headers(url):
    """RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# --- Subscribing and unsubscribing ----------------------------------------------------------


@transaction.atomic
def sign_up(*, email, first_name="", source=Subscriber.Source.FOOTER, language=None, now=None):
    """Someone asked to subscribe `email`: send a confirmation link, unless one left in the last hour.

    `language` ("en"/"es", default: the page's) is what their emails are written in from now on.
    Confirmed addresses are left alone. The caller must answer the same whatever happened here,
    so that the form tells nobody who is on the list.
    """
    now = now or timezone.now()
    language = language or languages.current()
    subscriber = _locked_or_new(email, first_name=first_name, source=source, language=language)
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber
    if subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < CONFIRMATION_INTERVAL:
        return subscriber
    if first_name:
        subscriber.first_name = first_name
    subscriber.confirmation_sent_at = now
    subscriber.language = language
    subscriber.save(update_fields=["first_name", "confirmation_sent_at", "language"])
    with translation.override(subscriber.language):
        queue_email(
            kind="newsletter.confirm",
            to=subscriber.email,
            template="emails/newsletter/confirm",
            # No first name: it was typed by whoever filled the form, who may not own the address.
            context={"confirm_url": confirm_url(subscriber), "valid_days": tokens.CONFIRM_MAX_AGE.days},
            about=subscriber,
            from_email=settings.NEWSLETTER_FROM_EMAIL,
        )
    return subscriber


def _locked_or_new(email, **fields):
    existing = Subscriber.objects.select_for_update().for_email(email).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=email, **fields)
    except IntegrityError:  # The same address, signed up a moment ago by another request.
        return Subscriber.objects.select_for_update().for_email(email).get()


@dataclass
class ConfirmLink:
    subscriber: Subscriber
    nonce: str

    @property
    def usable(self):
        """Not used yet, not replaced since: the subscriber's current nonce, and not confirmed already."""
        return (
            self.subscriber.status != Subscriber.Status.CONFIRMED and self.subscriber.confirmation_nonce == self.nonce
        )


def confirm_link(token):
    """The ConfirmLink a token stands for; None if it is not ours. Raises tokens.Expired."""
    key, nonce = tokens.read_confirm_token(token) or (None, None)
    subscriber = Subscriber.objects.filter(key=key).first() if key else None
    return ConfirmLink(subscriber, nonce) if subscriber else None


@transaction.atomic
def confirm(link, *, now=None):
    """Confirm through a link: True the first time, False once the link was used or replaced."""
    link.subscriber = Subscriber.objects.select_for_update().get(pk=link.subscriber.pk)
    if not link.usable:
        return False
    subscriber = link.subscriber
    subscriber.set_status(Subscriber.Status.CONFIRMED, now or timezone.now())
    subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "confirmation_nonce"])
    with translation.override(subscriber.language):
        url = unsubscribe_url(subscriber)
        queue_email(
            kind="newsletter.welcome",
            to=subscriber.email,
            template="emails/newsletter/welcome",
            context={
                "subscriber": subscriber,
                "unsubscribe_url": url,
                "guides_url": settings.SITE_URL + reverse("guide_list"),
            },
            about=subscriber,
            headers=list_headers(url),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
        )
    return True


def subscriber_for_unsubscribe(token):
    key = tokens.read_unsubscribe_token(token)
    return Subscriber.objects.filter(key=key).first() if key else None


@transaction.atomic
def unsubscribe(subscriber, *, now=None):
    """Stop all mail to this subscriber at once. True if they were subscribed (or about to be) until now."""
    locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    changed = locked.status != Subscriber.Status.UNSUBSCRIBED
    if changed:
        locked.set_status(Subscriber.Status.UNSUBSCRIBED, now or timezone.now())
        locked.save(update_fields=["status", "unsubscribed_at", "confirmation_nonce"])
    subscriber.refresh_from_db()
    return changed


# --- Issues: rendering ----------------------------------------------------------------------


class IssueEmail:
    """Renders one issue for one reader; built once per batch, used for every message in it.

    The frame around the issue (footer, unsubscribe link) is in the reader's language.
    """

    template = "emails/newsletter/issue"

    def __init__(self, issue):
        self.issue = issue
        self.body_html = _absolute_links(render_markdown(issue.body))
        # Read from the HTML part, so the text part says the same (sanitized, links absolute).
        self.body_text = html_to_text(self.body_html)

    def context(self, unsubscribe):
        return {
            "issue": self.issue,
            "body_html": self.body_html,
            "body_text": self.body_text,
            "unsubscribe_url": unsubscribe,
        }

    def render(self, unsubscribe):
        return render_email(self.template, self.context(unsubscribe))

    def message(self, subscriber, connection=None):
        with translation.override(subscriber.language):
            url = unsubscribe_url(subscriber)
            subject, text, html = self.render(url)
        email = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
            headers={"Message-ID": new_message_id(), **list_headers(url)},
            connection=connection,
        )
        email.attach_alternative(html, "text/html")
        return email


def _absolute_links(html):
    """Links and images in an email need the site's address: `/guides/` means nothing in a mail client."""
    return re.sub(r'\b(href|src)="/(?!/)', lambda m: f'{m[1]}="{settings.SITE_URL}/', html)


def sample_unsubscribe_url():
    """What previews and test messages link to: the page, not a real subscriber's link."""
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=["test"])


def send_test(*, issue, to):
    """Send one copy to a member of staff, through the outbox (it shows up under Emails)."""
    url = sample_unsubscribe_url()
    return queue_email(
        kind="newsletter.test",
        to=to,
        template=IssueEmail.template,
        context={**IssueEmail(issue).context(url), "is_test": True},
        about=issue,
        headers=list_headers(url),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
    )


# --- Issues: sending ------------------------------------------------------------------------


def start_sending(issue, *, now=None):
    """Send `issue` to every confirmed subscriber. False if it was sent already.

    Calling it on an issue that is still sending resumes it: nothing already sent goes again.
    """
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status == Issue.Status.SENT:
            return False
        if locked.status == Issue.Status.DRAFT:
            locked.status, locked.send_started_at = Issue.Status.SENDING, now or timezone.now()
            locked.save(update_fields=["status", "send_started_at"])
        after_commit(send_issue_task, locked.pk)
    issue.refresh_from_db()
    return True


def fan_out(issue_id, *, stale_before=None, now=None):
    """One Delivery per confirmed subscriber (again: adds only the missing ones), then queue the pending ones.

    With `stale_before`, only rows nobody queued since then are queued (the sweeper's lost tasks).
    """
    now = now or timezone.now()
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return 0
    # Only the subscribers without a delivery yet: once the issue is fanned out, the sweeper's
    # every-few-minutes call costs one anti-join instead of re-inserting the whole audience.
    has_one = Delivery.objects.filter(issue=issue, subscriber=OuterRef("pk"))
    audience = Subscriber.objects.confirmed().exclude(Exists(has_one)).values_list("pk", flat=True)
    for chunk in _pages(audience, FAN_OUT_BATCH):
        Delivery.objects.bulk_create([Delivery(issue=issue, subscriber_id=pk) for pk in chunk], ignore_conflicts=True)
    pending = issue.deliveries.filter(status=Delivery.Status.PENDING)
    if stale_before:
        pending = pending.filter(Q(touched_at__isnull=True) | Q(touched_at__lt=stale_before))
    queued = 0
    for chunk in _pages(pending.values_list("pk", flat=True), BATCH_SIZE):
        Delivery.objects.filter(pk__in=chunk).update(touched_at=now)
        send(send_batch_task, issue.pk, chunk)
        queued += len(chunk)
    finish_if_done(issue.pk, now=now)
    return queued


@dataclass
class BatchResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry_ids: list = field(default_factory=list)  # the mail server failed: try again after a pause
    later_ids: list = field(default_factory=list)  # out of time for this task: queue again at once


def send_batch(issue_id, delivery_ids, *, now=None):
    """Send the still-pending deliveries among `delivery_ids`, each at most once, over one connection."""
    now = now or timezone.now()
    result = BatchResult()
    claimed = _claim(delivery_ids, now, result)
    if claimed:
        _send_claimed(Issue.objects.get(pk=issue_id), claimed, result)
    finish_if_done(issue_id)
    return result


def _claim(delivery_ids, now, result):
    """Take the rows for this worker: pending ones only, and none another worker holds."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscriber")
            .filter(pk__in=delivery_ids, status=Delivery.Status.PENDING)
        )
        gone = [d.pk for d in rows if d.subscriber.status != Subscriber.Status.CONFIRMED]
        live = [d for d in rows if d.subscriber.status == Subscriber.Status.CONFIRMED]
        Delivery.objects.filter(pk__in=gone).update(status=Delivery.Status.SKIPPED, touched_at=now)
        Delivery.objects.filter(pk__in=[d.pk for d in live]).update(status=Delivery.Status.SENDING, touched_at=now)
    result.skipped = len(gone)
    return live


def _send_claimed(issue, deliveries, result):
    renderer = IssueEmail(issue)
    remaining, sent = list(deliveries), []
    deadline = time.monotonic() + BATCH_SECONDS
    try:
        with get_connection() as connection:
            while remaining:
                if _send_one(renderer, remaining[0], connection, result):
                    sent.append(remaining[0].pk)
                remaining.pop(0)
                if len(sent) >= MARK_SENT_EVERY:
                    _mark_sent(sent, result)
                if time.monotonic() > deadline:
                    break
        # A slow mail server: hand the rest to a fresh task rather than run into Celery's time limit.
        _requeue(remaining, result)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        # The connection is gone (or never came): nothing from `remaining` went out. Try them later.
        # (SMTPException is an OSError; answers about one message are handled in _send_one.)
        _put_back(remaining, exc, result)
    except SoftTimeLimitExceeded as exc:
        # Stopped in the middle of a message: whether it left is unknown, so it is not sent again.
        _mark(remaining[0], Delivery.Status.FAILED, exc, error=INTERRUPTED)
        result.failed += 1
        _requeue(remaining[1:], result)
    finally:
        _mark_sent(sent, result)


def _requeue(deliveries, result):
    ids = [d.pk for d in deliveries]
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING, touched_at=timezone.now())
    result.later_ids.extend(ids)


def _mark_sent(ids, result):
    """Rows stay "being sent" until here, so a crash in between costs a "failed", never a second copy."""
    if ids:
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, error=""
        )
        result.sent += len(ids)
        ids.clear()


def _send_one(renderer, delivery, connection, result):
    """True once the server took the message; failures are recorded here."""
    try:
        renderer.message(delivery.subscriber, connection).send()
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0]
        _answer_failed(delivery, code, exc, result)
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        _answer_failed(delivery, exc.smtp_code, exc, result)
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError, SoftTimeLimitExceeded):
        raise
    except Exception as exc:  # noqa: BLE001 -- our own bug (a template, a header): retrying would not help.
        logger.exception("newsletter delivery %s failed", delivery.pk)
        _mark(delivery, Delivery.Status.FAILED, exc)
        result.failed += 1
    else:
        return True
    return False


def _answer_failed(delivery, code, exc, result):
    """The server refused this one message: 4xx means "later", 5xx means "never"."""
    if 400 <= code < 500 and delivery.attempts + 1 < MAX_ATTEMPTS:
        _mark(delivery, Delivery.Status.PENDING, exc)
        result.retry_ids.append(delivery.pk)
    else:
        _mark(delivery, Delivery.Status.FAILED, exc)
        result.failed += 1


def _put_back(deliveries, exc, result):
    for delivery in deliveries:
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            _mark(delivery, Delivery.Status.FAILED, exc)
            result.failed += 1
        else:
            _mark(delivery, Delivery.Status.PENDING, exc)
            result.retry_ids.append(delivery.pk)
    logger.warning("newsletter: %s deliveries put back after %s", len(deliveries), type(exc).__name__)


def _mark(delivery, status, exc, *, error=None):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status,
        attempts=F("attempts") + 1,
        touched_at=timezone.now(),
        error=error or f"{type(exc).__name__}: {exc}"[:2000],
    )


def finish_if_done(issue_id, *, now=None):
    if Delivery.objects.open().filter(issue_id=issue_id).exists():
        return False
    return bool(
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=now or timezone.now()
        )
    )


def sweep(*, now=None):
    """Every few minutes: finish what lost tasks left. Returns how many deliveries were queued again."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    interrupted = Delivery.objects.filter(status=Delivery.Status.SENDING, touched_at__lt=cutoff)
    if count := interrupted.update(status=Delivery.Status.FAILED, error=INTERRUPTED):
        logger.warning("newsletter: %s deliveries were interrupted mid-send and are marked failed", count)
    issue_ids = Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True)
    return sum(fan_out(issue_id, stale_before=cutoff, now=now) for issue_id in issue_ids)


def progress(issue):
    """{status: count} over the issue's deliveries, every status present."""
    counts = dict(issue.deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Delivery.Status.values}


def _pages(pks, size):
    """Lists of up to `size` primary keys from a values_list("pk") queryset, in order, one query each.

    Keyset pagination: only one page is in memory, and a row changed by the caller between pages
    (a pending delivery just queued) is neither skipped nor read twice.
    """
    after = 0
    while page := list(pks.filter(pk__gt=after).order_by("pk")[:size]):
        after = page[-1]
        yield page
