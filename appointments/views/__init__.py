"""The patient pages. Each module holds one concern; urls.py names the views through here."""

from appointments.views.api import api_slots
from appointments.views.booking import details, start, times
from appointments.views.visit import calendar_file, cancel, done, manage, reschedule

__all__ = ["api_slots", "calendar_file", "cancel", "details", "done", "manage", "reschedule", "start", "times"]
