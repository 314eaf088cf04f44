""" "Next available appointment" on the clinic cards and step 1: one cached answer per clinic, the
same as computing it afresh, dropped only by a change at that clinic, and as cheap for 60 clinics
as for 6."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments import availability, services, slotcache
from tests.factories import ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """The clinic slugs whose days were computed from the database rather than read from cache."""
    slugs = []
    real = slotcache._compute

    def spy(clinics, first_day, last_day, appointment_type, **options):
        slugs.extend(clinic.slug for clinic in clinics)
        return real(clinics, first_day, last_day, appointment_type, **options)

    monkeypatch.setattr(slotcache, "_compute", spy)
    return slugs


def a_clinic(slug, *, tz="America/Detroit", weekdays=range(7), start=dt.time(8), therapists=1):
    clinic = ClinicFactory(slug=slug, timezone=tz)
    for n in range(therapists):
        person = SpecialistFactory(slug=f"{slug}-{n}", clinics=[clinic])
        for weekday in weekdays:
            WorkingHoursFactory(specialist=person, clinic=clinic, weekday=weekday, start_time=start)
    return clinic


def uncached(clinics, now):
    """What the page would show if nothing were cached: the plain computation over the whole horizon."""
    found = availability.next_openings(clinics, now=now)
    return {c.pk: found[c.pk].start.astimezone(c.tz) if found[c.pk] else None for c in clinics}


def test_each_clinic_shows_its_own_first_free_time_in_its_own_time_zone(world):
    clinics = [
        world.clinic,
        a_clinic("chicago", tz="America/Chicago"),
        a_clinic("denver-mondays", tz="America/Denver", weekdays=[0]),
        a_clinic("seattle-late", tz="America/Los_Angeles", start=dt.time(13)),
        ClinicFactory(slug="nobody-works-here"),
    ]

    found = slotcache.next_openings(clinics, now=world.now)

    assert found == uncached(clinics, world.now)
    assert found[clinics[-1].pk] is None  # "call to book" rather than a made-up time
    assert str(found[clinics[1].pk].tzinfo) == "America/Chicago"
    assert found[clinics[2].pk].weekday() == 0


def test_a_booking_moves_its_clinics_next_time_and_leaves_the_others_cached(world, computed):
    portage = a_clinic("portage")
    first = slotcache.next_openings([world.clinic, portage], now=world.now)
    computed.clear()

    # Both therapists at Kalamazoo booked at its first free time: the next time moves on.
    for n, person in enumerate((world.alice, world.bob), start=1):
        services.book_appointment(
            clinic=world.clinic, start=first[world.clinic.pk], specialist=person, patient=patient(n)
        )
    again = slotcache.next_openings([world.clinic, portage], now=world.now)

    assert again[world.clinic.pk] > first[world.clinic.pk]
    assert again == uncached([world.clinic, portage], world.now)
    assert computed == ["kalamazoo"]  # Portage answered from cache


def test_the_shown_time_moves_on_with_the_clock_without_a_change(world, clock):
    before = slotcache.next_openings([world.clinic], now=world.now)[world.clinic.pk]

    clock.shift(dt.timedelta(hours=1))
    after = slotcache.next_openings([world.clinic], now=world.now)[world.clinic.pk]

    assert after > before  # the minimum notice now rules out the old first time
    assert after == uncached([world.clinic], world.now)[world.clinic.pk]


def test_a_cancellation_gives_the_time_back_on_the_cards(world):
    first = slotcache.next_openings([world.clinic], now=world.now)[world.clinic.pk]
    visits = [
        services.book_appointment(clinic=world.clinic, start=first, specialist=person, patient=patient(n))
        for n, person in enumerate((world.alice, world.bob), start=1)
    ]
    assert slotcache.next_openings([world.clinic], now=world.now)[world.clinic.pk] > first

    # Within a day of the visit only the front desk may cancel it (the patient calls).
    services.cancel_appointment(appointment=visits[0], by_patient=False)

    assert slotcache.next_openings([world.clinic], now=world.now)[world.clinic.pk] == first


def test_a_named_specialist_sees_only_their_own_free_times(world):
    first_any = slotcache.next_openings([world.clinic], now=world.now)[world.clinic.pk]
    services.book_appointment(clinic=world.clinic, start=first_any, specialist=world.alice, patient=patient())

    alice = slotcache.next_openings([world.clinic], now=world.now, specialist=world.alice)[world.clinic.pk]
    bob = slotcache.next_openings([world.clinic], now=world.now, specialist=world.bob)[world.clinic.pk]

    assert bob == first_any and alice > first_any


def test_sixty_clinics_cost_the_same_queries_as_six(world, django_assert_max_num_queries):
    few = [world.clinic] + [a_clinic(f"few-{n}", weekdays=[n % 7]) for n in range(5)]
    many = few + [a_clinic(f"many-{n}", weekdays=[n % 7]) for n in range(54)]

    with CaptureQueriesContext(connection) as six:
        slotcache.next_openings(few, now=world.now)
    cache.clear()
    with django_assert_max_num_queries(len(six.captured_queries)):
        found = slotcache.next_openings(many, now=world.now)
    assert all(found[c.pk] is not None for c in many)
    with django_assert_max_num_queries(2):  # the visit type and the rules; every clinic from cache
        slotcache.next_openings(many, now=world.now)
