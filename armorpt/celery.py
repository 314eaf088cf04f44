"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

from armorpt.worker import OutboxSweeper

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "armorpt.settings")

app = Celery("armorpt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every worker sweeps the outbox when it connects and every few seconds (see armorpt.worker).
app.steps["consumer"].add(OutboxSweeper)
