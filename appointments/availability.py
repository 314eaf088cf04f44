"""Free start times: working hours minus time off, closures and booked visits.

`free_slots()` is pure: it takes plain data (`ClinicCalendar`) and the rules, and returns
start times in UTC. `load_calendars()` reads everything it needs for any number of
clinics and days in a constant number of queries. Wall-clock times are turned into
instants in the clinic's time zone, so the spring-forward gap yields no start time and
the repeated fall-back hour yields none twice.
"""

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appointments.models import Appointment, AppointmentType, BookingRules, TimeOff, WorkingHours
from appointments.timefmt import format_day, format_time
from clinics.models import ClinicClosure, Specialist

UTC = dt.UTC


@dataclass
class Busy:
    """Sorted, non-overlapping intervals, with a fast "does this overlap?" question."""

    starts: list = field(default_factory=list)
    ends: list = field(default_factory=list)

    @classmethod
    def of(cls, intervals):
        merged = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return cls([s for s, _ in merged], [e for _, e in merged])

    def overlaps(self, start, end):
        # The last interval starting before `end` is the only one that can overlap.
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start


@dataclass
class SpecialistDay:
    """One specialist's plan at one clinic: weekday -> [(start time, end time)], plus busy time."""

    specialist_id: int
    blocks: dict
    booked: Busy = field(default_factory=Busy)  # visits, with their buffer after
    away: Busy = field(default_factory=Busy)  # time off


@dataclass
class ClinicCalendar:
    clinic_id: int
    tz: dt.tzinfo
    closed_dates: set
    specialists: list


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # UTC
    specialist_ids: tuple


def local_midnight(day, tz):
    """The instant a day starts in `tz` (midnight exists on every DST day in the US)."""
    return dt.datetime.combine(day, dt.time(), tz).astimezone(UTC)


def local_instant(day, time, tz):
    """The instant a wall-clock time happens in `tz`, or None if the clocks skip it (spring forward)."""
    naive = dt.datetime.combine(day, time)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return aware.astimezone(UTC)


def _starts_in_block(day, block, tz, duration, step):
    """Start instants on `step` from the block's start whose visit ends by the block's end."""
    block_start, block_end = block
    # An end inside a skipped hour still ends the block; it falls after the gap.
    end = dt.datetime.combine(day, block_end, tz).astimezone(UTC)
    wall = dt.datetime.combine(day, block_start)
    while wall.date() == day:
        start = local_instant(day, wall.time(), tz)
        if start is not None:
            if start + duration > end:
                break
            yield start
        wall += step


def free_slots(calendar, *, first_day, last_day, duration, buffer, step, earliest, latest):
    """Free start times at one clinic, `first_day`..`last_day` in its local dates, any specialist.

    A start is free for a specialist when the visit lies inside one of their working blocks,
    misses their time off, and the visit plus `buffer` misses every booked visit (which carry
    their own buffer). `earliest`/`latest` (UTC) apply minimum notice and the booking horizon.
    """
    by_start = defaultdict(list)
    # Most specialists share the clinic's usual blocks: work out each block's start times once.
    block_starts = {}
    day = first_day
    while day <= last_day:
        if day not in calendar.closed_dates:
            for person in calendar.specialists:
                for block in person.blocks.get(day.weekday(), ()):
                    if (day, block) not in block_starts:
                        block_starts[day, block] = [
                            start
                            for start in _starts_in_block(day, block, calendar.tz, duration, step)
                            if earliest <= start <= latest
                        ]
                    for start in block_starts[day, block]:
                        if _is_free(person, start, duration, buffer):
                            by_start[start].append(person.specialist_id)
        day += dt.timedelta(days=1)
    return [Slot(start, tuple(sorted(ids))) for start, ids in sorted(by_start.items())]


def _is_free(person, start, duration, buffer):
    return not person.away.overlaps(start, start + duration) and not person.booked.overlaps(
        start, start + duration + buffer
    )


# --- Reading the data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """What online booking allows right now, from the practice's rules."""

    earliest: dt.datetime
    latest: dt.datetime
    step: dt.timedelta
    new_patients: bool = True

    @classmethod
    def for_patients(cls, rules, now):
        return cls(now + rules.minimum_notice, now + rules.horizon, dt.timedelta(minutes=rules.slot_step_minutes))

    @classmethod
    def for_staff(cls, now):
        """Staff booking a caller: any future time on a 5-minute mark, any specialist, no horizon."""
        return cls(now, now + dt.timedelta(days=366), dt.timedelta(minutes=5), new_patients=False)


def load_calendars(clinics, first_day, last_day, *, specialist=None, ignore_appointment=None, new_patients=True):
    """ClinicCalendar per clinic id, read in four queries whatever the number of clinics and specialists.

    `new_patients`: only specialists who take new patients (online booking); staff see everyone.
    """
    clinics = list(clinics)
    hours = WorkingHours.objects.filter(clinic__in=clinics, specialist__is_active=True)
    if new_patients:
        hours = hours.filter(specialist__accepts_new_patients=True)
    if specialist is not None:
        hours = hours.filter(specialist=specialist)
    hours = list(hours.values_list("clinic_id", "specialist_id", "weekday", "start_time", "end_time"))
    specialist_ids = {row[1] for row in hours}
    # A day either side, so that a visit crossing midnight UTC is not missed.
    since = dt.datetime.combine(first_day - dt.timedelta(days=1), dt.time(), UTC)
    until = dt.datetime.combine(last_day + dt.timedelta(days=2), dt.time(), UTC)
    booked, away = _busy_times(specialist_ids, since, until, ignore_appointment)
    closed = defaultdict(set)
    for clinic_id, day in ClinicClosure.objects.filter(
        clinic__in=clinics, date__range=(first_day, last_day)
    ).values_list("clinic_id", "date"):
        closed[clinic_id].add(day)
    by_clinic = defaultdict(list)
    for row in hours:
        by_clinic[row[0]].append(row)
    return {
        clinic.pk: ClinicCalendar(clinic.pk, clinic.tz, closed[clinic.pk], _people(by_clinic[clinic.pk], booked, away))
        for clinic in clinics
    }


def _busy_times(specialist_ids, since, until, ignore_appointment):
    appointments = Appointment.objects.active().filter(specialist_id__in=specialist_ids).overlapping(since, until)
    if ignore_appointment is not None:
        appointments = appointments.exclude(pk=ignore_appointment.pk)
    booked = defaultdict(list)
    for specialist_id, start, end, buffer in appointments.values_list(
        "specialist_id", "start", "end", F("appointment_type__buffer_after_minutes")
    ):
        booked[specialist_id].append((start, end + dt.timedelta(minutes=buffer)))
    away = defaultdict(list)
    for specialist_id, start, end in (
        TimeOff.objects.filter(specialist_id__in=specialist_ids)
        .overlapping(since, until)
        .values_list("specialist_id", "start", "end")
    ):
        away[specialist_id].append((start, end))
    return booked, away


def _people(hours, booked, away):
    """The specialists of one clinic's working-hours rows, with their busy times."""
    blocks = defaultdict(lambda: defaultdict(list))
    for _clinic, specialist_id, weekday, start, end in hours:
        blocks[specialist_id][weekday].append((start, end))
    return [
        SpecialistDay(sid, dict(days), Busy.of(booked[sid]), Busy.of(away[sid])) for sid, days in sorted(blocks.items())
    ]


# --- The questions the site asks ------------------------------------------------------------


def online_type():
    """The visit patients book online (the initial evaluation)."""
    return AppointmentType.objects.online().first()


def local_today(clinic, now):
    return now.astimezone(clinic.tz).date()


def slots_for_clinics(
    clinics, *, now, days, appointment_type, specialist=None, first_day=None, window=None, rules=None
):
    """Free slots per clinic id over `days` local days from `first_day` (default: today)."""
    clinics = list(clinics)
    if not clinics or appointment_type is None:
        return {clinic.pk: [] for clinic in clinics}
    if window is None:
        window = Window.for_patients(rules or BookingRules.current(), now)
    first_day = first_day or min(local_today(c, now) for c in clinics)
    last_day = first_day + dt.timedelta(days=days - 1)
    calendars = load_calendars(clinics, first_day, last_day, specialist=specialist, new_patients=window.new_patients)
    return {
        clinic_id: _visit_slots(calendar, first_day, last_day, appointment_type, window)
        for clinic_id, calendar in calendars.items()
    }


def _visit_slots(calendar, first_day, last_day, appointment_type, window):
    """free_slots for a visit of `appointment_type` within what `window` allows."""
    return free_slots(
        calendar,
        first_day=first_day,
        last_day=last_day,
        duration=appointment_type.duration,
        buffer=appointment_type.buffer_after,
        step=window.step,
        earliest=window.earliest,
        latest=window.latest,
    )


def next_openings(clinics, *, now, specialist=None):
    """The first free start per clinic id within the booking horizon (None where there is none)."""
    rules = BookingRules.current()
    appointment_type = online_type()
    slots = slots_for_clinics(
        clinics,
        now=now,
        days=rules.horizon_days + 1,
        appointment_type=appointment_type,
        specialist=specialist,
        rules=rules,
    )
    return {clinic_id: (found[0] if found else None) for clinic_id, found in slots.items()}


def free_at(*, clinic, start, appointment_type, window, specialist=None, ignore_appointment=None):
    """Ids of the specialists (or just `specialist`) free at `clinic` at exactly `start`.

    The one question behind the form's check, the booking service's re-check and the
    choice of "any specialist": answered by the same computation as the slot lists.
    """
    day = start.astimezone(clinic.tz).date()
    calendar = load_calendars(
        [clinic],
        day,
        day,
        specialist=specialist,
        ignore_appointment=ignore_appointment,
        new_patients=window.new_patients,
    )[clinic.pk]
    slots = _visit_slots(calendar, day, day, appointment_type, window)
    return next((slot.specialist_ids for slot in slots if slot.start == start), ())


def is_free(*, clinic, specialist, start, appointment_type, window, ignore_appointment=None):
    """Whether `specialist` can see a patient at `clinic` at `start`."""
    free = free_at(
        clinic=clinic,
        start=start,
        appointment_type=appointment_type,
        window=window,
        specialist=specialist,
        ignore_appointment=ignore_appointment,
    )
    return specialist.pk in free


# --- Checking a start time a patient sent ------------------------------------------------------

NEAREST_SEARCH_DAYS = 3


def parse_start(value, tz):
    """An aware UTC datetime from ISO 8601, or None. A time without offset is the clinic's wall time."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            return local_instant(parsed.date(), parsed.time(), tz)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError, TypeError):
        return None


def check_start(value, *, clinic, specialist, now, appointment_type=None):
    """(start, None) when `value` is a free online start time, else (start or None, message for the patient)."""
    rules = BookingRules.current()
    start, problem = check_start_time(value, clinic=clinic, now=now, rules=rules)
    if problem:
        return start, problem
    appointment_type = appointment_type or online_type()
    window = Window.for_patients(rules, now)
    if not free_at(clinic=clinic, start=start, appointment_type=appointment_type, window=window, specialist=specialist):
        return start, _("That time is not available. Please choose one of the nearest free times below.")
    return start, None


def check_start_time(value, *, clinic, now, rules=None):
    """Like check_start, without asking whether someone is free then: is it a time we book online at all?

    The booking form stops here; whether the time is free is the booking service's to say, after it has
    looked for the same patient's request already made for that time (a form sent twice).
    """
    rules = rules or BookingRules.current()
    start = parse_start(value, clinic.tz)
    if start is None:
        return None, _("That time is not one we offer. Please choose one of the times below.")
    if problem := _outside_window(start, rules, now):
        return start, problem
    day = start.astimezone(clinic.tz).date()
    if closure := _closure(clinic, day):
        message = _("%(clinic)s is closed on %(day)s (%(reason)s). Please choose another day.")
        day_label = format_day(dt.datetime.combine(day, dt.time()))
        return start, message % {"clinic": clinic.name, "day": day_label, "reason": closure.reason}
    return start, None


def _closure(clinic, day):
    return ClinicClosure.objects.filter(clinic=clinic, date=day).first()


def _outside_window(start, rules, now):
    if start < now:
        return _("That time has already passed. Please choose a later time.")
    if start < now + rules.minimum_notice:
        hours = rules.minimum_notice_hours
        return ngettext(
            "Online bookings need at least %(hours)s hour’s notice. "
            "Please choose a later time, or call the clinic for something sooner.",
            "Online bookings need at least %(hours)s hours’ notice. "
            "Please choose a later time, or call the clinic for something sooner.",
            hours,
        ) % {"hours": hours}
    if start > now + rules.horizon:
        days = rules.horizon_days
        return ngettext(
            "We take online bookings up to %(days)s day ahead. Please choose an earlier time.",
            "We take online bookings up to %(days)s days ahead. Please choose an earlier time.",
            days,
        ) % {"days": days}
    return None


def nearest_free(clinic, around, *, specialist=None, now, count=6):
    """The free start times closest to `around` (or to now), in time order."""
    rules = BookingRules.current()
    centre = around if around and now <= around <= now + rules.horizon else now
    first_day = max(
        centre.astimezone(clinic.tz).date() - dt.timedelta(days=NEAREST_SEARCH_DAYS), local_today(clinic, now)
    )
    slots = slots_for_clinics(
        [clinic],
        now=now,
        days=2 * NEAREST_SEARCH_DAYS + 1,
        first_day=first_day,
        appointment_type=online_type(),
        specialist=specialist,
        rules=rules,
    )[clinic.pk]
    if not slots:  # Nothing that week: offer the next ones at all.
        slots = slots_for_clinics(
            [clinic],
            now=now,
            days=rules.horizon_days + 1,
            appointment_type=online_type(),
            specialist=specialist,
            rules=rules,
        )[clinic.pk]
    closest = sorted(slots, key=lambda slot: abs(slot.start - centre))[:count]
    return sorted(closest, key=lambda slot: slot.start)


def why_not_free(*, clinic, specialist, start, appointment_type, window):
    """A sentence saying why `start` cannot be booked, for the front desk or a patient."""
    if start < window.earliest:
        return "That time has passed, or is too soon to book."
    if start > window.latest:
        return "That time is further ahead than bookings are taken."
    if closure := _closure(clinic, start.astimezone(clinic.tz).date()):
        return f"{clinic.name} is closed that day ({closure.reason})."
    if specialist is None:
        return "Nobody is free at that time. Please choose another time."
    end = start + appointment_type.duration
    if TimeOff.objects.filter(specialist=specialist).overlapping(start, end).exists():
        return f"{specialist.name} is away at that time."
    if not _within_working_hours(clinic, specialist, start, end, window):
        return f"{specialist.name} does not work at {clinic.name} at that time."
    return f"{specialist.name} already has a visit then (or the time kept free after one). Please choose another time."


def _within_working_hours(clinic, specialist, start, end, window):
    day = start.astimezone(clinic.tz).date()
    calendar = load_calendars([clinic], day, day, specialist=specialist, new_patients=window.new_patients)[clinic.pk]
    blocks = calendar.specialists[0].blocks.get(day.weekday(), []) if calendar.specialists else []
    for block_start, block_end in blocks:
        opens = dt.datetime.combine(day, block_start, clinic.tz).astimezone(UTC)
        closes = dt.datetime.combine(day, block_end, clinic.tz).astimezone(UTC)
        if opens <= start and end <= closes:
            return True
    return False


# --- For the front desk -----------------------------------------------------------------------


def free_start_times(clinic, day, appointment_type, specialist=None):
    """Free start times that day, per specialist, as ranges: what to offer a caller instead."""
    now = timezone.now()
    slots = slots_for_clinics(
        [clinic],
        now=now,
        days=1,
        first_day=day,
        appointment_type=appointment_type,
        specialist=specialist,
        window=Window.for_staff(now),
    )[clinic.pk]
    starts = {}
    for slot in slots:
        for specialist_id in slot.specialist_ids:
            starts.setdefault(specialist_id, []).append(slot.start)
    names = dict(Specialist.objects.filter(pk__in=starts).values_list("pk", "name"))
    step = Window.for_staff(now).step
    return [
        {"specialist": names[sid], "ranges": [_span(clinic, first, last) for first, last in _runs(times, step)]}
        for sid, times in sorted(starts.items(), key=lambda item: names[item[0]])
    ]


def _runs(times, step):
    run = [times[0], times[0]]
    for time in times[1:]:
        if time - run[1] == step:
            run[1] = time
        else:
            yield tuple(run)
            run = [time, time]
    yield tuple(run)


def _span(clinic, first, last):
    first, last = first.astimezone(clinic.tz), last.astimezone(clinic.tz)
    return format_time(first) if first == last else f"{format_time(first)} to {format_time(last)}"


# --- The waitlist (rules in appointments.waitlist) ---------------------------------------------
