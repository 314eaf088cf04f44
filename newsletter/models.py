import secrets
import uuid

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from armorpt.languages import language_field


def new_nonce():
    return secrets.token_hex(8)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def for_email(self, email):
        """The subscriber with this address, whatever its case (the database compares, as its unique index does)."""
        return self.filter(Exact(Lower("email"), Lower(models.Value(email))))


class Subscriber(models.Model):
    """One email address and where it stands: waiting for confirmation, confirmed, or unsubscribed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Source(models.TextChoices):
        FOOTER = "footer", "Footer form"
        PAGE = "page", "Newsletter page"
        STAFF = "staff", "Added by staff"

    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
        help_text="Only confirmed subscribers receive issues. Mark someone confirmed only with their consent.",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FOOTER)
    # Put in links, never shown: the links name this key, not the database id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Part of every confirmation link; replaced once used, so a confirmation link works once.
    confirmation_nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    language = language_field()
    created_at = models.DateTimeField("signed up", auto_now_add=True)
    confirmation_sent_at = models.DateTimeField("confirmation email sent", null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Deleting a subscriber (someone asked us to forget them) deletes the emails sent to them too.
    emails = GenericRelation("armorpt.OutboundEmail")

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="newsletter_subscriber_email_ci",
                violation_error_message="This address is already on the list.",
            ),
        ]

    def __str__(self):
        return self.email

    def set_status(self, status, now):
        """Move to `status`, dating the change, and retire outstanding confirmation links."""
        self.status = status
        if status == self.Status.CONFIRMED:
            self.confirmed_at, self.unsubscribed_at = now, None
        elif status == self.Status.UNSUBSCRIBED:
            self.unsubscribed_at = now
        self.confirmation_nonce = new_nonce()


class Issue(models.Model):
    """One edition of the newsletter, written in admin and sent to every confirmed subscriber once."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=150)
    body = models.TextField(
        help_text="Markdown: **bold**, *italic*, [a link](https://…), lists with “- ”, headings with “## ”."
    )
    guide_url = models.URLField(
        "guide link",
        blank=True,
        help_text="Optional: the address of a guide to read next, e.g. https://armorpt.com/guides/back-pain-exercises/",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    send_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField("finished sending", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject


class DeliveryQuerySet(models.QuerySet):
    def open(self):
        """Not final yet: waiting to be sent, or being sent right now."""
        return self.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])


class Delivery(models.Model):
    """One issue to one subscriber. The row is the proof that it was sent, and sent once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no longer subscribed)"

    FINAL = (Status.SENT, Status.FAILED, Status.SKIPPED)

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When it was last queued or taken by a worker: how the sweeper tells a lost task from a busy queue.
    touched_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["issue", "pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once"),
        ]
        indexes = [models.Index(fields=["issue", "status"], name="newsletter_delivery_progress")]

    def __str__(self):
        return f"{self.issue} to {self.subscriber} ({self.get_status_display().lower()})"
