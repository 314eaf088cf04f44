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

from appointments.availability import UTC, Slot, Window, free_slots, load_calendars
from appointments.models import BookingRules

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
    dates = [first_day + dt.timedelta(days=n) for n in range(count)]
    keys = _data_keys(clinic, dates, appointment_type)
    found = cache.get_many(keys.values())
    missing = [d for d in dates if keys[d] not in found]
    if missing:
        computed = _compute(clinic, missing[0], missing[-1], appointment_type)
        cache.set_many({keys[d]: computed[d] for d in missing}, TIMEOUT)
        found.update({keys[d]: computed[d] for d in missing})
    return {d: found[keys[d]] for d in dates}


def _data_keys(clinic, dates, appointment_type):
    versions = _versions([GLOBAL, _clinic_key(clinic.pk)] + [_day_key(clinic.pk, d) for d in dates])
    common = f"{versions[GLOBAL]}:{versions[_clinic_key(clinic.pk)]}:{appointment_type.pk}"
    return {d: f"slots:{clinic.pk}:{d}:{common}:{versions[_day_key(clinic.pk, d)]}" for d in dates}


def _compute(clinic, first_day, last_day, appointment_type):
    calendar = load_calendars([clinic], first_day, last_day)[clinic.pk]
    # The whole of each day, whatever minimum notice and horizon say now: they are applied on reading.
    slots = free_slots(
        calendar,
        first_day=first_day,
        last_day=last_day,
        duration=appointment_type.duration,
        buffer=appointment_type.buffer_after,
        step=dt.timedelta(minutes=_step_minutes()),
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


def _step_minutes():
    return BookingRules.current().slot_step_minutes


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
