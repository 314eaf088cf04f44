"""A clinic's week as a patient reads it: in the clinic's own time zone, with closures."""

import datetime
from dataclasses import dataclass

from clinics.models import Weekday

UPCOMING_CLOSURES_SHOWN = 6


@dataclass(frozen=True)
class Day:
    weekday: int
    name: str
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
        days.append(Day(weekday, weekday.label, date, hours.get(weekday), closures.get(date), is_today=date == today))
    return days


def today(clinic, now):
    return next(day for day in week(clinic, now) if day.is_today)
