"""The dashboard's bookings per week: a finished week is counted once and kept, this week live."""

import datetime as dt

import pytest

from appointments import weekly
from appointments.models import Appointment, WeeklyBookings
from tests.factories import AppointmentFactory, ClinicFactory, SpecialistFactory
from tests.helpers import detroit

pytestmark = pytest.mark.django_db

# DEFAULT_NOW is Tuesday 2027-06-15: this week began Monday June 14, the one before on June 7.
THIS_WEEK, LAST_WEEK, TWO_AGO = dt.date(2027, 6, 14), dt.date(2027, 6, 7), dt.date(2027, 5, 31)
WEEKS = [TWO_AGO, LAST_WEEK, THIS_WEEK]


def booked(world, at, *, clinic=None, specialist=None, count=1):
    """`count` visits booked at the instant `at` (created_at), each on a day of its own a month or more later."""
    made = []
    first_day = 30 + Appointment.objects.count()
    for n in range(count):
        visit = AppointmentFactory(
            clinic=clinic or world.clinic,
            specialist=specialist or world.alice,
            appointment_type=world.visit_type,
            start=world.local(first_day + n, 8),
        )
        made.append(visit.pk)
    Appointment.objects.filter(pk__in=made).update(created_at=at)


@pytest.fixture
def portage(world):
    clinic = ClinicFactory(slug="portage", name="Armor PT Portage")
    return clinic, SpecialistFactory(slug="zoe-hart", clinics=[clinic])


def test_each_week_counts_the_bookings_made_in_it_per_clinic(world, portage):
    clinic, zoe = portage
    booked(world, detroit(2027, 6, 1, 10, 0), count=2)  # Tuesday two weeks ago
    booked(world, detroit(2027, 6, 13, 23, 30))  # Sunday night, Detroit time: still last week
    booked(world, detroit(2027, 6, 14, 0, 30), clinic=clinic, specialist=zoe)  # Monday 00:30: this week

    counts = weekly.bookings_per_week([world.clinic, clinic], WEEKS)

    assert counts.get((world.clinic.pk, TWO_AGO)) == 2
    assert counts.get((world.clinic.pk, LAST_WEEK)) == 1
    assert counts.get((clinic.pk, THIS_WEEK)) == 1
    assert counts.get((clinic.pk, LAST_WEEK), 0) == 0


def test_a_finished_week_is_counted_once_and_read_back_after(world, portage, django_assert_max_num_queries):
    booked(world, detroit(2027, 6, 8, 12, 0), count=3)
    first = weekly.bookings_per_week([world.clinic], WEEKS)
    assert WeeklyBookings.objects.filter(clinic=world.clinic, week=LAST_WEEK).get().count == 3
    # Each finished week is marked counted, with or without bookings.
    assert set(WeeklyBookings.objects.filter(clinic=None).values_list("week", flat=True)) == {TWO_AGO, LAST_WEEK}

    # Read back: the kept rows and this week's bookings, two queries whatever the practice's history.
    with django_assert_max_num_queries(2):
        again = weekly.bookings_per_week([world.clinic], WEEKS)
    assert again == first


def test_bookings_made_this_week_show_at_once(world):
    weekly.bookings_per_week([world.clinic], WEEKS)
    booked(world, detroit(2027, 6, 15, 8, 0), count=2)

    assert weekly.bookings_per_week([world.clinic], WEEKS)[(world.clinic.pk, THIS_WEEK)] == 2


def test_when_a_week_ends_its_late_bookings_are_kept_with_it(world, clock):
    weekly.bookings_per_week([world.clinic], WEEKS)
    booked(world, detroit(2027, 6, 20, 22, 0), count=4)  # Sunday evening of this week

    clock.move_to(detroit(2027, 6, 22, 9, 0))
    next_weeks = [LAST_WEEK, THIS_WEEK, THIS_WEEK + dt.timedelta(weeks=1)]
    counts = weekly.bookings_per_week([world.clinic], next_weeks)

    assert counts[(world.clinic.pk, THIS_WEEK)] == 4
    assert WeeklyBookings.objects.get(clinic=world.clinic, week=THIS_WEEK).count == 4


def test_two_dashboards_counting_at_once_keep_each_week_once(world):
    booked(world, detroit(2027, 6, 8, 12, 0))
    weekly._count_and_keep([LAST_WEEK], since=detroit(2027, 6, 7, 0, 0), until=detroit(2027, 6, 14, 0, 0))
    weekly._count_and_keep([LAST_WEEK], since=detroit(2027, 6, 7, 0, 0), until=detroit(2027, 6, 14, 0, 0))

    assert WeeklyBookings.objects.filter(week=LAST_WEEK).count() == 2  # the clinic's row and the week's mark


def test_a_front_desk_reads_only_its_clinics_weeks(world, portage):
    clinic, zoe = portage
    booked(world, detroit(2027, 6, 8, 12, 0), clinic=clinic, specialist=zoe, count=5)
    booked(world, detroit(2027, 6, 8, 12, 0), count=1)

    counts = weekly.bookings_per_week([world.clinic], WEEKS)

    assert {key[0] for key in counts} == {world.clinic.pk}
    assert counts[(world.clinic.pk, LAST_WEEK)] == 1
