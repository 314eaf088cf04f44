"""No double booking, ever: under real concurrency on PostgreSQL, and at the database itself."""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from appointments.models import Appointment
from tests.factories import AppointmentFactory
from tests.helpers import as_a_person

THREADS = 50
ROUNDS = 5


def _race(world, start, specialist):
    """THREADS patients press "Book" for the same time at the same moment; returns their responses."""
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def attempt(n):
        try:
            data = {
                "start": start.astimezone(world.clinic.tz).isoformat(),
                "specialist": specialist.slug,
                "first_name": "Racer",
                "last_name": str(n),
                "email": f"racer{n}@example.com",
                "phone": f"269555{n:04d}",
                "date_of_birth": "1990-01-01",
                "reason": "back-pain",
                "consent": "on",
                **as_a_person(),
            }
            client = Client()
            barrier.wait()
            response = client.post(f"/book/{world.clinic.slug}/details/", data)
            results[n] = (response.status_code, response.content.decode())
        except Exception as exc:  # noqa: BLE001 -- recorded and asserted on below
            results[n] = (None, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_patients_racing_for_one_time_get_exactly_one_appointment(settings, world):
    # All fifty come from one test address; the rate limit is not what this test is about.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking": "1000/m"}

    for round_ in range(ROUNDS):
        start = world.local(2 + round_, 10)
        results = _race(world, start, world.alice)

        statuses = [status for status, _ in results]
        assert statuses.count(302) == 1, statuses
        assert statuses.count(200) == THREADS - 1, [body for status, body in results if status not in (200, 302)]
        for status, body in results:
            if status == 200:
                assert "just taken" in body or "That time is not available" in body
        assert Appointment.objects.filter(start=start, specialist=world.alice).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_alone_refuses_an_overlapping_appointment(world):
    first = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(2, 10)
    )

    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_specialist"), transaction.atomic():
        AppointmentFactory(
            clinic=world.clinic,
            specialist=world.alice,
            appointment_type=world.visit_type,
            start=first.start + dt.timedelta(minutes=30),
        )

    # Back to back is fine, so is another specialist, so is overlapping a cancelled visit.
    AppointmentFactory(clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=first.end)
    AppointmentFactory(clinic=world.clinic, specialist=world.bob, appointment_type=world.visit_type, start=first.start)
    first.status = Appointment.Status.CANCELLED
    first.save()
    AppointmentFactory(
        clinic=world.clinic,
        specialist=world.alice,
        appointment_type=world.visit_type,
        start=first.start - dt.timedelta(minutes=30),
    )


@pytest.mark.django_db
def test_a_zero_length_or_backwards_appointment_is_refused_by_the_database(world):
    start = world.local(2, 10)
    for end in (start, start - dt.timedelta(minutes=5)):
        with pytest.raises(IntegrityError), transaction.atomic():
            AppointmentFactory(clinic=world.clinic, specialist=world.alice, start=start, end=end)
