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


def _form(world, start, specialist, n):
    return {
        "start": start.astimezone(world.clinic.tz).isoformat(),
        "specialist": specialist.slug if specialist else "",
        "first_name": "Racer",
        "last_name": str(n),
        "email": f"racer{n}@example.com",
        "phone": f"269555{n:04d}",
        "date_of_birth": "1990-01-01",
        "reason": "back-pain",
        "consent": "on",
        **as_a_person(),
    }


def _at_once(world, forms):
    """Each form is posted from its own connection, all at the same moment; returns (status, Location or body)."""
    barrier = threading.Barrier(len(forms))
    results = [None] * len(forms)

    def attempt(n):
        try:
            client = Client()
            barrier.wait()
            response = client.post(f"/book/{world.clinic.slug}/details/", forms[n])
            results[n] = (response.status_code, response.get("Location") or response.content.decode())
        except Exception as exc:  # noqa: BLE001 -- recorded and asserted on below
            results[n] = (None, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _race(world, start, specialist):
    """THREADS patients press "Book" for the same time at the same moment; returns their responses."""
    return _at_once(world, [_form(world, start, specialist, n) for n in range(THREADS)])


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
@pytest.mark.parametrize("case", ["named specialist", "any, both free", "any, only one free"])
def test_one_patient_sending_the_same_form_four_times_at_once_gets_one_booking(settings, world, case):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking": "1000/m"}
    start = world.local(2, 10)
    if case == "any, only one free":
        AppointmentFactory(clinic=world.clinic, specialist=world.bob, appointment_type=world.visit_type, start=start)
    form = _form(world, start, world.alice if case == "named specialist" else None, 1)

    results = _at_once(world, [form] * 4)

    assert [status for status, _ in results] == [302] * 4, results
    assert len({location for _, location in results}) == 1  # one confirmation page for all four
    booked = Appointment.objects.get(email="racer1@example.com")
    assert sorted(booked.emails.values_list("kind", flat=True)) == ["appointment.confirmed", "appointment.front_desk"]


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
