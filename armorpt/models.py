from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from armorpt.email_kinds import label as kind_label


class SingleRow(models.Model):
    """Settings kept in one row (booking rules, the self-check's wording): saving always writes row 1."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The row, or an unsaved one with the defaults until staff first save it."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class OutboundEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=OutboundEmail.Status.PENDING)

    def due(self, before):
        """Pending messages nobody has tried since `before`: their task was lost or never queued."""
        return self.pending().filter(next_attempt_at__lte=before)


class OutboundEmail(models.Model):
    """One email, written in the same transaction as the change that causes it.

    A Celery task sends it once: the row is the proof of what was sent, to whom and when.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=50, db_index=True)
    to = models.EmailField()
    # "Name <address>", as DEFAULT_FROM_EMAIL is written. Blank on rows written before the field
    # existed: they all left from DEFAULT_FROM_EMAIL, and still do. No data migration copies that
    # setting in, because its value is the running site's, not the migration's.
    from_email = models.CharField(
        "from", max_length=255, blank=True, help_text="The sender; blank means the site's default sender."
    )
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="[{filename, content, mimetype}], text only.")
    message_id = models.CharField(max_length=255, unique=True)
    # The same key twice (a reminder queued by two beat runs) is refused by the database.
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "email"
        indexes = [models.Index(fields=["content_type", "object_id"], name="outbound_email_about")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.to} ({self.get_status_display().lower()})"

    def get_kind_display(self):
        return kind_label(self.kind)
