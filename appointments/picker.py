"""Step 2's time picker: who to see, a strip of days, and one day's free times.

Built from the strip's fourteen days of free times (slotcache.free_days: one calendar read for the
days not in cache), so a page costs the same few queries whichever day or person is chosen. Every choice is a plain link
(`?day=…&specialist=…`): the picker works without JavaScript, and static/js/booking.js only adds
arrow keys between the days and between the times.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from appointments import availability, slotcache
from appointments.timefmt import format_day, format_time, format_when

STRIP_DAYS = 14


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    credentials: str
    url: str
    selected: bool

    @property
    def initials(self):
        return "".join(part[0] for part in self.name.split()[:2]).upper()


@dataclass(frozen=True)
class DayCell:
    date: dt.date
    count: int
    is_open: bool
    url: str
    selected: bool
    is_today: bool
    one_person: bool  # the strip of one specialist: a day they do not work is "not in", not "closed"

    @property
    def status(self):
        """What the strip says under the date."""
        if self.count:
            return ngettext("%(count)s time", "%(count)s times", self.count) % {"count": self.count}
        if not self.is_open:
            return pgettext("a day the specialist does not work", "Not in") if self.one_person else _("Closed")
        if self.is_today:
            return pgettext("today, with no free times", "None left")
        return pgettext("a day with no free times", "Full")


@dataclass(frozen=True)
class TimeChoice:
    label: str  # '9:30 AM'
    when: str  # 'Tuesday, November 24, 2026 at 9:30 AM EST'
    iso: str
    url: str
    who: str  # 'with Alice Park' or 'Alice Park or Bob Stone'


@dataclass
class Picker:
    people: list
    specialist: object
    strip: list
    day: dt.date | None
    day_label: str
    times: list = field(default_factory=list)
    next_day: DayCell | None = None  # the next day with times, when the chosen one has none
    earlier_url: str | None = None
    later_url: str | None = None
    anyone_url: str = "?"

    @property
    def range_label(self):
        first, last = self.strip[0].date, self.strip[-1].date
        if first.month == last.month:
            # Translators: days of one month, "June 15–28".
            same_month = _("%(month)s %(first)s–%(last)s")
            return same_month % {"month": dateformat.format(first, "F"), "first": first.day, "last": last.day}
        month_day = pgettext("month and day; Django date format", "F j")
        return _("%(first)s – %(last)s") % {
            "first": dateformat.format(first, month_day),
            "last": dateformat.format(last, month_day),
        }


def build(*, clinic, specialist, choices, day, now, rules, appointment_type, reason=""):
    """The picker for `clinic`, with `specialist` (None: first available) on the day asked for, if any."""
    today = availability.local_today(clinic, now)
    last_bookable = (now + rules.horizon).astimezone(clinic.tz).date()
    wanted = day if day and today <= day <= last_bookable else None
    first = today + dt.timedelta(days=((wanted or today) - today).days // STRIP_DAYS * STRIP_DAYS)
    days = min(STRIP_DAYS, (last_bookable - first).days + 1)
    slots, open_days = slotcache.free_days(
        clinic,
        now=now,
        first_day=first,
        days=days,
        appointment_type=appointment_type,
        specialist=specialist,
        rules=rules,
    )
    by_day = {d: list(group) for d, group in groupby(slots, key=lambda slot: slot.start.astimezone(clinic.tz).date())}
    chosen = wanted or next((d for d in sorted(by_day)), None)
    links = _Links(clinic, specialist, reason)
    strip = [
        DayCell(
            d, len(by_day.get(d, ())), d in open_days, links.day(d), d == chosen, d == today, specialist is not None
        )
        for d in (first + dt.timedelta(days=n) for n in range(days))
    ]
    names = {person.pk: person.name for person in choices}
    picker = Picker(
        people=[_person(person, person == specialist, links.person(person.slug, chosen)) for person in choices],
        specialist=specialist,
        strip=strip,
        day=chosen,
        day_label=format_day(dt.datetime.combine(chosen, dt.time())) if chosen else "",
        times=[_time(slot, clinic, specialist, names, links) for slot in by_day.get(chosen, ())],
        earlier_url=links.day(first - dt.timedelta(days=STRIP_DAYS)) if first > today else None,
        later_url=links.day(first + dt.timedelta(days=STRIP_DAYS))
        if first + dt.timedelta(days=days) <= last_bookable
        else None,
        anyone_url=links.person("", chosen),
    )
    if chosen and not picker.times:
        picker.next_day = next((cell for cell in strip if cell.date > chosen and cell.count), None)
    return picker


class _Links:
    """The addresses the picker links to, carrying the person and the reason for the visit."""

    def __init__(self, clinic, specialist, reason):
        self.clinic, self.specialist, self.reason = clinic, specialist, reason

    def _params(self, **params):
        if self.specialist and "specialist" not in params:
            params["specialist"] = self.specialist.slug
        if self.reason:
            params["reason"] = self.reason
        return {key: value for key, value in params.items() if value}

    def day(self, date):
        return "?" + urlencode(self._params(day=date.isoformat()))

    def person(self, slug, date):
        return "?" + urlencode(self._params(specialist=slug, day=date.isoformat() if date else ""))

    def details(self, local_start):
        url = reverse("booking:details", args=[self.clinic.slug])
        return f"{url}?{urlencode(self._params(start=local_start.isoformat()))}"


def _person(specialist, selected, url):
    return Person(specialist.slug, specialist.name, specialist.credentials_display, url, selected)


def _time(slot, clinic, specialist, names, links):
    local = slot.start.astimezone(clinic.tz)
    free = [specialist.name] if specialist else [names[pk] for pk in slot.specialist_ids if pk in names]
    if len(free) == 1:
        who = _("with %(name)s") % {"name": free[0]}
    else:
        who = _("%(names)s or %(last)s") % {"names": ", ".join(free[:-1]), "last": free[-1]}
    return TimeChoice(format_time(local), format_when(local), local.isoformat(), links.details(local), who)
