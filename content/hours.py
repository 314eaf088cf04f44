"""A clinic's week as a patient reads it: in the clinic's own time zone, with closures.

Day names are in the page's language ("Monday" / "Lunes"); the hours themselves are written by
templates/content/_hours_span.html ("8:00 AM to 6:00 PM" / "de 8:00 a 18:00").
"""

import datetime
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.text import capfirst

from clinics.models import Weekday

UPCOMING_CLOSURES_SHOWN = 6


@dataclass(frozen=True)
class Day:
    weekday: int
    name: str  # "Monday" / "Lunes": a heading in a list of days, so capitalised in every language
    date: datetime.date  # the next time this weekday comes round, today included
    hours: object  # OpeningHours, or None when the clinic is closed that weekday
    closure: object  # ClinicClosure on `date`, or None
    is_today: bool

    @property
    def is_open(self):
        return self.hours is not None and self.closure is None


def local_today(clinic, now):
    return now.astimezone(clinic.tz).date()


def upcoming_closures(clinic, now, limit=UPCOMING_CLOSURES_SHOWN):
    today = local_today(clinic, now)
    return [c for c in clinic.future if c.date >= today][:limit]


def week(clinic, now):
    """Monday to Sunday, each with its regular hours and any closure in the coming seven days."""
    today = local_today(clinic, now)
    hours = {h.weekday: h for h in clinic.opening_hours.all()}
    closures = {c.date: c for c in clinic.future if today <= c.date < today + datetime.timedelta(days=7)}
    days = []
    for weekday in Weekday:
        date = today + datetime.timedelta(days=(weekday - today.weekday()) % 7)
        days.append(Day(weekday, day_name(date), date, hours.get(weekday), closures.get(date), is_today=date == today))
    return days


def day_name(date):
    """The weekday's name in the active language, from Django's own catalogs."""
    return capfirst(dateformat.format(date, "l"))


def today(clinic, now):
    return next(day for day in week(clinic, now) if day.is_today)
