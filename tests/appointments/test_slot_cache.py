"""Step 2 and the slot API read free times from a cache per clinic and day: each change drops the
days it touches and nothing else, and the times shown stay exact as the clock moves."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache

from appointments import availability, services, slotcache
from appointments.models import TimeOff, WorkingHours
from clinics.models import ClinicClosure
from tests.factories import ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """The (clinic slug, first day, last day) ranges computed from the database rather than read from cache."""
    ranges = []
    real = slotcache._compute

    def spy(clinics, first_day, last_day, appointment_type, **options):
        ranges.extend((clinic.slug, first_day, last_day) for clinic in clinics)
        return real(clinics, first_day, last_day, appointment_type, **options)

    monkeypatch.setattr(slotcache, "_compute", spy)
    return ranges


def free(world, days_ahead, clinic=None):
    """The free starts (clinic time) on one day, as the slot API shows them."""
    clinic = clinic or world.clinic
    slots, _ = slotcache.free_days(
        clinic,
        now=world.now,
        first_day=world.today() + dt.timedelta(days=days_ahead),
        days=1,
        appointment_type=availability.online_type(),
    )
    return [slot.start for slot in slots]


def read_two_weeks(world, clinic=None):
    slotcache.free_days(
        clinic or world.clinic,
        now=world.now,
        first_day=world.today(),
        days=14,
        appointment_type=availability.online_type(),
    )


def test_a_booking_drops_its_own_day_only(world, computed):
    read_two_weeks(world)
    assert computed == [("kalamazoo", world.today(), world.today() + dt.timedelta(days=13))]
    computed.clear()

    read_two_weeks(world)
    assert computed == []  # all from cache

    services.book_appointment(clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient())
    services.book_appointment(clinic=world.clinic, start=world.local(3, 10), specialist=world.bob, patient=patient(2))
    read_two_weeks(world)

    day = world.today() + dt.timedelta(days=3)
    assert computed == [("kalamazoo", day, day)]
    assert world.local(3, 10) not in free(world, 3)


def test_cancel_and_reschedule_give_the_time_back_at_once(world):
    visit = services.book_appointment(
        clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient()
    )
    services.book_appointment(clinic=world.clinic, start=world.local(3, 10), specialist=world.bob, patient=patient(2))
    assert world.local(3, 10) not in free(world, 3)

    services.reschedule_appointment(appointment=visit, start=world.local(5, 14), by_patient=True)
    assert world.local(3, 10) in free(world, 3)  # the old day freed
    services.book_appointment(clinic=world.clinic, start=world.local(5, 14), specialist=world.bob, patient=patient(3))
    assert world.local(5, 14) not in free(world, 5)  # the new day taken

    services.cancel_appointment(appointment=visit, by_patient=True)
    assert world.local(5, 14) in free(world, 5)


def test_time_off_a_closure_and_working_hours_drop_what_they_touch(world, computed):
    read_two_weeks(world)
    computed.clear()

    TimeOff.objects.create(specialist=world.alice, start=world.local(2, 12), end=world.local(3, 12))
    read_two_weeks(world)
    two, three = world.today() + dt.timedelta(days=2), world.today() + dt.timedelta(days=3)
    assert computed == [("kalamazoo", two, three)]
    computed.clear()

    ClinicClosure.objects.create(clinic=world.clinic, date=world.today() + dt.timedelta(days=6), reason="Training")
    read_two_weeks(world)
    six = world.today() + dt.timedelta(days=6)
    assert computed == [("kalamazoo", six, six)] and free(world, 6) == []
    computed.clear()

    WorkingHours.objects.filter(specialist=world.bob).update(end_time=dt.time(12))  # no signal: nothing dropped
    read_two_weeks(world)
    assert computed == []
    WorkingHours.objects.filter(specialist=world.bob).first().save()  # a save in admin: the clinic's days go
    read_two_weeks(world)
    assert computed == [("kalamazoo", world.today(), world.today() + dt.timedelta(days=13))]


def test_a_booking_at_one_clinic_leaves_another_clinic_cached(world, computed):
    portage = ClinicFactory(slug="portage")
    carol = SpecialistFactory(slug="carol", clinics=[portage])
    for weekday in range(7):
        WorkingHoursFactory(specialist=carol, clinic=portage, weekday=weekday)
    read_two_weeks(world)
    read_two_weeks(world, portage)
    computed.clear()

    services.book_appointment(clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient())
    read_two_weeks(world, portage)

    assert computed == []


def test_minimum_notice_follows_the_clock_without_recomputing(world, clock, computed):
    before = free(world, 0)  # 9:00 AM: from 11:00 on
    computed.clear()

    clock.shift(dt.timedelta(hours=1))
    after = free(world, 0)

    assert computed == []
    assert before[0] == world.local(0, 11) and after[0] == world.local(0, 12)
    assert after == [start for start in before if start >= world.local(0, 12)]


@pytest.mark.redis
def test_the_versions_live_in_redis_where_every_host_reads_them(world):
    import redis

    read_two_weeks(world)
    day = world.today() + dt.timedelta(days=3)
    version_key = f"{settings.CACHES['default']['KEY_PREFIX']}:1:slots:v:{world.clinic.pk}:{day}"
    other_host = redis.Redis.from_url(settings.REDIS_URL)
    seen_before = other_host.get(version_key)

    services.book_appointment(clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient())

    assert seen_before is not None and other_host.get(version_key) not in (None, seen_before)
    assert cache.get(f"slots:v:{world.clinic.pk}:{day}") is not None


# --- Step 2 as a whole page ---------------------------------------------------------------------


def first_time_on_step_two(client):
    page = client.get("/book/kalamazoo/").content.decode()
    return dt.datetime.fromisoformat(re.search(r'<time datetime="([^"]+)"', page).group(1))


def test_step_two_answers_from_cache_until_its_clinic_or_the_minute_changes(
    client, world, clock, django_assert_num_queries
):
    portage = ClinicFactory(slug="portage")
    carol = SpecialistFactory(slug="carol", clinics=[portage])
    WorkingHoursFactory(specialist=carol, clinic=portage, weekday=world.today().weekday())
    assert first_time_on_step_two(client) == world.local(0, 11)

    with django_assert_num_queries(0):
        assert first_time_on_step_two(client) == world.local(0, 11)
    services.book_appointment(clinic=portage, start=world.local(0, 14), specialist=carol, patient=patient(9))
    with django_assert_num_queries(0):  # another clinic's booking leaves this page alone
        client.get("/book/kalamazoo/")

    for person in (world.alice, world.bob):
        services.book_appointment(
            clinic=world.clinic, start=world.local(0, 11), specialist=person, patient=patient(person.pk)
        )
    assert first_time_on_step_two(client) == world.local(0, 12, 30)  # 11:00 and what overlaps it: gone at once

    clock.shift(dt.timedelta(hours=3, minutes=1))  # 12:01: two hours' notice rules out everything before 2:01
    assert first_time_on_step_two(client) == world.local(0, 14, 30)


def test_the_slot_api_answers_from_cache_and_follows_a_booking_at_once(client, world, django_assert_num_queries):
    url = f"/api/slots/?clinic=kalamazoo&date={world.today() + dt.timedelta(days=2)}"
    ten = world.local(2, 10).astimezone(world.clinic.tz).isoformat()

    def alice_free_at_ten():
        slots = client.get(url).json()["slots"]
        return any(s["start"] == ten and "alice-park" in {p["slug"] for p in s["specialists"]} for s in slots)

    assert alice_free_at_ten()
    with django_assert_num_queries(0):
        assert alice_free_at_ten()

    services.book_appointment(clinic=world.clinic, start=world.local(2, 10), specialist=world.alice, patient=patient())

    assert not alice_free_at_ten()
