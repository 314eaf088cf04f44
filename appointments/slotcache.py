"""Free times per clinic and day, cached on every host, and dropped exactly when they change.

A cached day holds every start at which somebody is free at the clinic that day, whatever the
time is now; minimum notice and the horizon are applied when it is read, so the times shown stay
exact as the clock moves. Its key carries three versions kept in the shared cache (Redis in
production, so a change on one host is seen by all):

    slots:v                    everything: booking rules, the visit type, a specialist's status
    slots:v:<clinic>           one clinic: its working hours, its own details
    slots:v:<clinic>:<date>    one clinic's day: a visit, time off, a closure

A change bumps the narrowest version that covers it, at once and again after its transaction
commits (`connect_signals`): a booking at Portage on Tuesday leaves every other day and clinic cached.
The booking service never reads from here; it re-checks the database under its locks.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from appointments.availability import UTC, Slot, Window, free_slots, load_calendars, local_today, online_type
from appointments.models import BookingRules, WorkingHours

TIMEOUT = 2 * 24 * 60 * 60  # a day nobody looks at again simply expires
# A version that expires only makes its data unreachable (a new one is drawn): safe, and the keys
# made for slugs of clinics that do not exist do not pile up.
VERSION_TIMEOUT = 30 * 24 * 60 * 60
GLOBAL = "slots:v"


@dataclass(frozen=True)
class Day:
    slots: tuple  # Slot, any specialist, in time order
    working: frozenset  # ids of the specialists who work at the clinic that day (none: closed)


def free_days(clinic, *, now, first_day, days, appointment_type, specialist=None, rules=None):
    """Free slots at one clinic over `days` local days (within minimum notice and the horizon as of
    `now`), and the days on which it (or `specialist`) works at all: step 2's day strip tells
    "full" (working, nothing free) from "closed"."""
    if appointment_type is None:  # no visit type is bookable online
        return [], set()
    window = Window.for_patients(rules or BookingRules.current(), now)
    found = cached_days(clinic, first_day, days, appointment_type)
    if specialist is not None:
        found = {d: for_specialist(day, specialist.pk) for d, day in found.items()}
    slots = [s for day in found.values() for s in day.slots if window.earliest <= s.start <= window.latest]
    return slots, {d for d, day in found.items() if day.working}


def cached_days(clinic, first_day, count, appointment_type):
    """{date: Day} for `count` local days from `first_day`, computing only the days not in cache."""
    return cached_days_at([clinic], first_day, count, appointment_type)[clinic.pk]


def cached_days_at(clinics, first_day, count, appointment_type, *, step=None):
    """{clinic id: {date: Day}} for several clinics: the days not in cache are computed for all of
    them together, in a constant number of queries."""
    dates = [first_day + dt.timedelta(days=n) for n in range(count)]
    keys = _data_keys(clinics, dates, appointment_type)
    found = cache.get_many([key for per_clinic in keys.values() for key in per_clinic.values()])
    missing = {c.pk: [d for d in dates if keys[c.pk][d] not in found] for c in clinics}
    stale = [c for c in clinics if missing[c.pk]]
    if stale:
        first = min(missing[c.pk][0] for c in stale)
        last = max(missing[c.pk][-1] for c in stale)
        computed = _compute(stale, first, last, appointment_type, step=step)
        fresh = {keys[c.pk][d]: computed[c.pk][d] for c in stale for d in missing[c.pk]}
        cache.set_many(fresh, TIMEOUT)
        found.update(fresh)
    return {c.pk: {d: found[keys[c.pk][d]] for d in dates} for c in clinics}


def _data_keys(clinics, dates, appointment_type):
    versions = _versions(
        [GLOBAL] + [_clinic_key(c.pk) for c in clinics] + [_day_key(c.pk, d) for c in clinics for d in dates]
    )
    keys = {}
    for clinic in clinics:
        common = f"{versions[GLOBAL]}:{versions[_clinic_key(clinic.pk)]}:{appointment_type.pk}"
        keys[clinic.pk] = {d: f"slots:{clinic.pk}:{d}:{common}:{versions[_day_key(clinic.pk, d)]}" for d in dates}
    return keys


def _compute(clinics, first_day, last_day, appointment_type, *, step=None):
    calendars = load_calendars(clinics, first_day, last_day)
    step = step or dt.timedelta(minutes=BookingRules.current().slot_step_minutes)
    return {
        clinic.pk: _compute_days(clinic, calendars[clinic.pk], first_day, last_day, appointment_type, step)
        for clinic in clinics
    }


def _compute_days(clinic, calendar, first_day, last_day, appointment_type, step):
    # The whole of each day, whatever minimum notice and horizon say now: they are applied on reading.
    slots = free_slots(
        calendar,
        first_day=first_day,
        last_day=last_day,
        duration=appointment_type.duration,
        buffer=appointment_type.buffer_after,
        step=step,
        earliest=dt.datetime.combine(first_day - dt.timedelta(days=1), dt.time(), UTC),
        latest=dt.datetime.combine(last_day + dt.timedelta(days=2), dt.time(), UTC),
    )
    by_day = defaultdict(list)
    for slot in slots:
        by_day[slot.start.astimezone(clinic.tz).date()].append(slot)
    result = {}
    day = first_day
    while day <= last_day:
        working = frozenset(
            person.specialist_id
            for person in calendar.specialists
            if day not in calendar.closed_dates and person.blocks.get(day.weekday())
        )
        result[day] = Day(tuple(by_day[day]), working)
        day += dt.timedelta(days=1)
    return result


def for_specialist(day, specialist_id):
    """The same day as one specialist sees it: only the starts at which they are free."""
    slots = tuple(Slot(s.start, (specialist_id,)) for s in day.slots if specialist_id in s.specialist_ids)
    return Day(slots, day.working & {specialist_id})


# --- Whole pages ------------------------------------------------------------------------------


def page_version(request, clinic_slug, **kwargs):
    """What step 2's whole page (or the slot API's answer) at `clinic_slug` depends on besides its address and the content:
    any change to the clinic's free times, and the minute (minimum notice and the horizon move
    with the clock, and every start is on a whole minute, so the times shown change only then)."""
    versions = _versions([GLOBAL, _page_key(clinic_slug)])
    now = timezone.now()
    on_the_minute = now.second == 0 and now.microsecond == 0
    return f"{versions[GLOBAL]}:{versions[_page_key(clinic_slug)]}:{now:%Y%m%d%H%M}:{on_the_minute:d}"


# --- Dropping what changed ------------------------------------------------------------------


def _versions(keys):
    """The current value of each version key, in one round trip when they all exist."""
    versions = cache.get_many(keys)
    for key in keys:
        if key not in versions:
            # First sight of this version (or the cache was emptied): any value is new.
            cache.add(key, _new_version(), VERSION_TIMEOUT)
            versions[key] = cache.get(key)
    return versions


def _new_version():
    return uuid.uuid4().hex[:10]


def _clinic_key(clinic_id):
    return f"slots:v:{clinic_id}"


def _day_key(clinic_id, date):
    return f"slots:v:{clinic_id}:{date}"


def _page_key(clinic_slug):
    """Any of the clinic's days or its hours: whole step-2 pages are dropped per clinic."""
    return f"slots:v:page:{clinic_slug}"


def _bump(keys):
    def bump():
        cache.set_many(dict.fromkeys(keys, _new_version()), VERSION_TIMEOUT)

    bump()
    # And again once the new rows are visible to everyone: a request that read the old rows
    # before this transaction commits could have cached them under the first new version.
    transaction.on_commit(bump)


def forget_everything(**kwargs):
    _bump([GLOBAL])


def forget_clinic(clinic_id):
    from clinics.models import Clinic

    slug = Clinic.objects.filter(pk=clinic_id).values_list("slug", flat=True).first()
    _bump([_clinic_key(clinic_id), _page_key(slug)])


def forget_days(specialist_id, start, end):
    """A specialist's visit or time off from `start` to `end`: the days it touches at each clinic they work at."""
    from appointments.models import WorkingHours
    from clinics.models import Clinic

    clinic_ids = set(WorkingHours.objects.filter(specialist_id=specialist_id).values_list("clinic_id", flat=True))
    keys = []
    for clinic in Clinic.objects.filter(pk__in=clinic_ids).only("pk", "slug", "timezone"):
        keys.append(_page_key(clinic.slug))
        day, last = start.astimezone(clinic.tz).date(), end.astimezone(clinic.tz).date()
        while day <= last:
            keys.append(_day_key(clinic.pk, day))
            day += dt.timedelta(days=1)
    _bump(keys)


# A visit keeps its specialist busy for its buffer after it, which may reach into the next day.
BUFFER_ALLOWANCE = dt.timedelta(hours=2)


def _busy_saved(sender, instance, **kwargs):
    """A visit or time off was added, changed or removed."""
    forget_days(instance.specialist_id, instance.start, instance.end + BUFFER_ALLOWANCE)
    if previous := getattr(instance, "_slotcache_previous", None):
        forget_days(*previous)


def _busy_saving(sender, instance, **kwargs):
    # Moved or given to someone else: the old time frees up too.
    if instance.pk and not kwargs.get("raw"):
        old = sender.objects.filter(pk=instance.pk).values_list("specialist_id", "start", "end").first()
        instance._slotcache_previous = (old[0], old[1], old[2] + BUFFER_ALLOWANCE) if old else None


def _closure_changed(sender, instance, **kwargs):
    _bump([_day_key(instance.clinic_id, instance.date), _page_key(instance.clinic.slug)])


def _hours_changed(sender, instance, **kwargs):
    forget_clinic(instance.clinic_id)


def _clinic_changed(sender, instance, **kwargs):
    _bump([_clinic_key(instance.pk), _page_key(instance.slug)])


def connect_signals():
    from appointments.models import Appointment, AppointmentType, BookingRules, TimeOff, WorkingHours
    from clinics.models import Clinic, ClinicClosure, Credential, Specialist

    uid = "appointments.slotcache"
    for model in (Appointment, TimeOff):
        pre_save.connect(_busy_saving, sender=model, dispatch_uid=f"{uid}.{model.__name__}-pre")
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_busy_saved, sender=Appointment, dispatch_uid=f"{uid}.visit-{name}")
        signal.connect(_busy_saved, sender=TimeOff, dispatch_uid=f"{uid}.away-{name}")
        signal.connect(_closure_changed, sender=ClinicClosure, dispatch_uid=f"{uid}.closure-{name}")
        signal.connect(_hours_changed, sender=WorkingHours, dispatch_uid=f"{uid}.hours-{name}")
        signal.connect(_clinic_changed, sender=Clinic, dispatch_uid=f"{uid}.clinic-{name}")
        for model in (Specialist, AppointmentType, BookingRules):
            signal.connect(forget_everything, sender=model, dispatch_uid=f"{uid}.{model.__name__}-{name}")
    for through in (Specialist.clinics.through, Specialist.credentials.through):
        m2m_changed.connect(forget_everything, sender=through, dispatch_uid=f"{uid}.{through.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(forget_everything, sender=Credential, dispatch_uid=f"{uid}.credential-{signal is post_save}")


# --- The next free time at each clinic ---------------------------------------------------------

# Read a week of cached days at a time until a free time turns up: most clinics have one this week.
_SEARCH_DAYS = 7
OPENING_TIMEOUT = 24 * 60 * 60  # its versions drop it sooner; the clock is checked on every read


def next_openings(clinics, *, now, specialist=None):
    """Clinic id -> its first free online start (in the clinic's time zone), or None within the horizon.

    Each clinic's answer is cached under its own key, made of the same versions as its days, so a
    booking at one clinic leaves every other clinic's answer in place: a page showing N clinics
    costs O(N) cache reads whatever the size of the practice, and the ones not in cache are
    computed together, a week of days at a time.
    """
    clinics = list(clinics)
    appointment_type = online_type()
    if not clinics or appointment_type is None:
        return {clinic.pk: None for clinic in clinics}
    window = Window.for_patients(BookingRules.current(), now)
    keys = _opening_keys(clinics, appointment_type, specialist)
    stored = cache.get_many(keys.values())
    entries = {c.pk: stored[keys[c.pk]] for c in clinics if keys[c.pk] in stored}
    stale = [c for c in clinics if c.pk not in entries or not _still_first(entries[c.pk], window)]
    if stale:
        firsts = _first_free(stale, now, window, appointment_type, specialist)
        fresh = {c.pk: (firsts.get(c.pk), window.latest) for c in stale}
        cache.set_many({keys[pk]: entry for pk, entry in fresh.items()}, OPENING_TIMEOUT)
        entries.update(fresh)
    return {c.pk: entries[c.pk][0].astimezone(c.tz) if entries[c.pk][0] else None for c in clinics}


def _opening_keys(clinics, appointment_type, specialist):
    versions = _versions([GLOBAL] + [_page_key(clinic.slug) for clinic in clinics])
    who = specialist.pk if specialist else "any"
    common = f"{who}:{appointment_type.pk}:{versions[GLOBAL]}"
    return {c.pk: f"opening:{c.pk}:{common}:{versions[_page_key(c.slug)]}" for c in clinics}


def _still_first(entry, window):
    """A cached first start stays first until the clock passes it (nothing earlier can free up
    without a change that drops it); "none" holds until the horizon has moved by a step."""
    start, latest_searched = entry
    if start is not None:
        return start >= window.earliest
    return window.latest - latest_searched < window.step


def _first_free(clinics, now, window, appointment_type, specialist):
    """Clinic id -> first start within `window`, for the clinics that have one."""
    firsts = {}
    # Clinics in different time zones may be on different dates: each group searches from its today.
    by_today = defaultdict(list)
    for clinic in _with_bookable_hours(clinics, specialist):
        by_today[local_today(clinic, now)].append(clinic)
    for day, searching in by_today.items():
        last = max(window.latest.astimezone(c.tz).date() for c in searching)
        while searching and day <= last:
            count = min(_SEARCH_DAYS, (last - day).days + 1)
            days = cached_days_at(searching, day, count, appointment_type, step=window.step)
            for clinic in searching:
                if start := _first_in(days[clinic.pk], window, specialist):
                    firsts[clinic.pk] = start
            searching = [c for c in searching if c.pk not in firsts]
            day += dt.timedelta(days=count)
    return firsts


def _with_bookable_hours(clinics, specialist):
    """The clinics where someone who takes new patients works at all: the others would search
    the whole horizon day by day to find nothing."""
    hours = WorkingHours.objects.filter(
        clinic__in=clinics, specialist__is_active=True, specialist__accepts_new_patients=True
    )
    if specialist is not None:
        hours = hours.filter(specialist=specialist)
    staffed = set(hours.values_list("clinic_id", flat=True).distinct())
    return [clinic for clinic in clinics if clinic.pk in staffed]


def _first_in(days, window, specialist):
    for date in sorted(days):
        day = for_specialist(days[date], specialist.pk) if specialist else days[date]
        for slot in day.slots:
            if window.earliest <= slot.start <= window.latest:
                return slot.start
    return None
