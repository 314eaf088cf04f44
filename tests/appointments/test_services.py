import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import services
from appointments.models import Appointment, BookingRules, TimeOff
from armorpt.models import OutboundEmail
from tests.factories import AppointmentFactory, AppointmentTypeFactory, SpecialistFactory
from tests.helpers import HARD_INSTANTS, patient

pytestmark = pytest.mark.django_db


def kinds(appointment):
    return sorted(appointment.emails.values_list("kind", flat=True))


def test_booking_with_a_clinic_that_confirms_at_once(world):
    start = world.local(2, 10)

    appointment = services.book_appointment(clinic=world.clinic, start=start, specialist=world.alice, patient=patient())

    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.end - appointment.start == dt.timedelta(minutes=60)
    assert appointment.specialist == world.alice
    assert kinds(appointment) == ["appointment.confirmed", "appointment.front_desk"]


def test_booking_with_a_clinic_whose_front_desk_confirms_waits_as_requested(world):
    world.clinic.confirms_online_bookings = False
    world.clinic.save()

    appointment = services.book_appointment(clinic=world.clinic, start=world.local(2, 10), patient=patient())

    assert appointment.status == Appointment.Status.REQUESTED
    assert kinds(appointment) == ["appointment.front_desk", "appointment.received"]


def test_a_taken_time_is_refused_and_nothing_is_saved(world):
    start = world.local(2, 10)
    services.book_appointment(clinic=world.clinic, start=start, specialist=world.alice, patient=patient(1))

    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(clinic=world.clinic, start=start, specialist=world.alice, patient=patient(2))

    assert Appointment.objects.count() == 1
    assert OutboundEmail.objects.count() == 2


def test_the_buffer_after_a_visit_is_kept_free(world):
    services.book_appointment(clinic=world.clinic, start=world.local(2, 10), specialist=world.alice, patient=patient(1))

    # 10:00-11:00 plus a 15-minute buffer: 11:00 is too early, 11:30 is fine.
    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(
            clinic=world.clinic, start=world.local(2, 11), specialist=world.alice, patient=patient(2)
        )
    later = services.book_appointment(
        clinic=world.clinic, start=world.local(2, 11, 30), specialist=world.alice, patient=patient(3)
    )
    assert later.pk


def test_any_specialist_gets_whoever_is_free(world):
    start = world.local(2, 10)
    first = services.book_appointment(clinic=world.clinic, start=start, patient=patient(1))
    second = services.book_appointment(clinic=world.clinic, start=start, patient=patient(2))

    assert {first.specialist, second.specialist} == {world.alice, world.bob}
    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(clinic=world.clinic, start=start, patient=patient(3))


def test_a_double_submitted_form_gives_one_appointment(world):
    start = world.local(2, 10)
    first = services.book_appointment(clinic=world.clinic, start=start, patient=patient(1))

    again = services.book_appointment(clinic=world.clinic, start=start, patient=patient(1))

    assert again == first
    assert Appointment.objects.count() == 1
    assert OutboundEmail.objects.count() == 2


def test_time_off_and_other_clinics_make_a_specialist_busy(world):
    TimeOff.objects.create(specialist=world.alice, start=world.local(3, 9), end=world.local(3, 12))
    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(
            clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient()
        )

    # Alice is also booked at 14:00 at another clinic: she cannot be in two places.
    AppointmentFactory(specialist=world.alice, start=world.local(3, 14), appointment_type=world.visit_type)
    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(
            clinic=world.clinic, start=world.local(3, 14), specialist=world.alice, patient=patient()
        )


def test_online_bookings_respect_notice_and_horizon(world):
    soon = timezone.now() + dt.timedelta(minutes=30)
    soon = soon.replace(minute=0 if soon.minute < 30 else 30, second=0, microsecond=0)
    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(clinic=world.clinic, start=soon, patient=patient())
    with pytest.raises(services.SlotUnavailable):
        services.book_appointment(clinic=world.clinic, start=world.local(45, 10), patient=patient())


def test_staff_booking_a_caller_may_book_soon_and_off_the_online_step(world):
    follow_up = AppointmentTypeFactory(slug="follow-up", name="Follow-up", duration_minutes=45, bookable_online=False)

    appointment = services.book_appointment(
        clinic=world.clinic,
        start=world.local(1, 9, 15),
        specialist=world.bob,
        patient=patient(email=""),
        appointment_type=follow_up,
        source=Appointment.Source.PHONE,
    )

    assert appointment.status == Appointment.Status.CONFIRMED
    # No email address, and no front-desk notice for a booking the front desk made itself.
    assert kinds(appointment) == []


def test_a_patient_may_hold_only_a_few_upcoming_online_bookings(world):
    BookingRules.objects.update(max_upcoming_per_patient=2)
    services.book_appointment(clinic=world.clinic, start=world.local(2, 9), patient=patient(1))
    services.book_appointment(clinic=world.clinic, start=world.local(3, 9), patient=patient(1))

    with pytest.raises(services.TooManyBookings):
        services.book_appointment(clinic=world.clinic, start=world.local(4, 9), patient=patient(1))
    # The same phone with another address is the same person.
    with pytest.raises(services.TooManyBookings):
        services.book_appointment(
            clinic=world.clinic, start=world.local(4, 9), patient=patient(2, phone=patient(1).phone)
        )


def test_patient_cancels_and_the_time_is_free_again(world):
    start = world.local(3, 10)
    appointment = services.book_appointment(
        clinic=world.clinic, start=start, specialist=world.alice, patient=patient(1)
    )

    services.cancel_appointment(appointment=appointment, by_patient=True)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert "appointment.cancelled" in kinds(appointment)
    again = services.book_appointment(clinic=world.clinic, start=start, specialist=world.alice, patient=patient(2))
    assert again.pk != appointment.pk


def test_patients_cannot_cancel_inside_the_cut_off_but_staff_can(world):
    appointment = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(0, 23, 30)
    )
    appointment.start = timezone.now() + dt.timedelta(hours=5)
    appointment.end = appointment.start + dt.timedelta(hours=1)
    appointment.save()

    with pytest.raises(services.ChangeNotAllowed, match="call Armor PT Kalamazoo"):
        services.cancel_appointment(appointment=appointment, by_patient=True)

    services.cancel_appointment(appointment=appointment, by_patient=False, reason="Therapist ill")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancellation_reason == "Therapist ill"


def test_reschedule_moves_the_visit_and_frees_the_old_time(world):
    old = world.local(3, 10)
    appointment = services.book_appointment(clinic=world.clinic, start=old, specialist=world.alice, patient=patient(1))

    services.reschedule_appointment(appointment=appointment, start=world.local(4, 14), by_patient=True)

    appointment.refresh_from_db()
    assert appointment.start == world.local(4, 14)
    assert appointment.specialist == world.alice  # kept with the same person while free
    assert appointment.sequence == 1
    assert "appointment.rescheduled" in kinds(appointment)
    services.book_appointment(clinic=world.clinic, start=old, specialist=world.alice, patient=patient(2))


def test_reschedule_to_a_slightly_later_time_overlapping_itself_works(world):
    appointment = services.book_appointment(
        clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient(1)
    )

    services.reschedule_appointment(appointment=appointment, start=world.local(3, 10, 30), by_patient=True)

    appointment.refresh_from_db()
    assert appointment.start == world.local(3, 10, 30)


def test_status_changes_follow_the_front_desk_workflow(world):
    world.clinic.confirms_online_bookings = False
    world.clinic.save()
    appointment = services.book_appointment(clinic=world.clinic, start=world.local(2, 10), patient=patient())

    services.confirm_appointment(appointment=appointment)
    with pytest.raises(services.ChangeNotAllowed, match="more than three hours away"):
        services.change_status(appointment=appointment, status=Appointment.Status.ARRIVED)
    Appointment.objects.filter(pk=appointment.pk).update(start=timezone.now() - dt.timedelta(minutes=5))
    services.change_status(appointment=appointment, status=Appointment.Status.ARRIVED)
    services.change_status(appointment=appointment, status=Appointment.Status.COMPLETED)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED
    assert "appointment.confirmed" in kinds(appointment)
    with pytest.raises(services.ChangeNotAllowed):
        services.change_status(appointment=appointment, status=Appointment.Status.NO_SHOW)
    with pytest.raises(services.ChangeNotAllowed):
        services.cancel_appointment(appointment=appointment, by_patient=False)


@pytest.mark.parametrize("clock", HARD_INSTANTS.values(), ids=HARD_INSTANTS.keys(), indirect=True)
def test_reminders_go_once_and_only_for_live_visits_booked_ahead(world, clock):
    tomorrow = world.visit(1, 9, booked_hours_ago=5 * 24)
    cancelled = world.visit(1, 9, specialist=world.bob, booked_hours_ago=5 * 24, status=Appointment.Status.CANCELLED)
    next_week = world.visit(7, 9, booked_hours_ago=5 * 24)
    clock.move_to(tomorrow.start - dt.timedelta(hours=23))

    assert services.queue_due_reminders() == 1
    assert services.queue_due_reminders() == 0
    clock.shift(dt.timedelta(minutes=15))  # beat runs it every quarter of an hour
    assert services.queue_due_reminders() == 0

    assert kinds(tomorrow) == ["appointment.reminder"]
    assert kinds(cancelled) == [] and kinds(next_week) == []


def test_no_reminder_for_a_visit_booked_the_afternoon_before(world, clock):
    clock.move_to(world.local(0, 15))
    booked_today = world.visit(1, 9, booked_hours_ago=0)
    booked_last_week = world.visit(1, 9, specialist=world.bob, booked_hours_ago=7 * 24)

    assert services.queue_due_reminders() == 1

    assert kinds(booked_today) == []  # the confirmation came 18 hours before the visit: reminder enough
    assert kinds(booked_last_week) == ["appointment.reminder"]


def test_the_front_desk_is_told_why_a_time_cannot_be_booked(world):
    from clinics.models import ClinicClosure

    def staff_book(start, specialist=world.alice):
        return services.book_appointment(
            clinic=world.clinic, start=start, specialist=specialist, patient=patient(9), source="phone"
        )

    staff_book(world.local(2, 10))
    TimeOff.objects.create(specialist=world.alice, start=world.local(3, 9), end=world.local(3, 12))
    ClinicClosure.objects.create(
        clinic=world.clinic, date=world.local(4, 10).astimezone(world.clinic.tz).date(), reason="Flood"
    )

    for start, expected in [
        (world.local(2, 10, 30), "Alice Park already has a visit then"),
        (world.local(3, 10), "Alice Park is away at that time"),
        (world.local(4, 10), r"closed that day \(Flood\)"),
        (world.local(5, 18), "does not work at"),
        (world.local(-1, 10), "has passed"),
    ]:
        with pytest.raises(services.SlotUnavailable, match=expected):
            staff_book(start)


def test_no_show_and_completed_wait_until_the_visit_has_started(world):
    appointment = services.book_appointment(clinic=world.clinic, start=world.local(2, 10), patient=patient())

    for status in (Appointment.Status.NO_SHOW, Appointment.Status.COMPLETED):
        with pytest.raises(services.ChangeNotAllowed, match="has not started yet|cannot be marked"):
            services.change_status(appointment=appointment, status=status)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def _due_tomorrow(world, n):
    """n visits tomorrow at 9, each with a specialist of their own, booked days ago: all due a reminder."""
    return [
        world.visit(1, 9, specialist=SpecialistFactory(clinics=[world.clinic]), booked_hours_ago=5 * 24)
        for _ in range(n)
    ]


def test_reminders_cost_the_same_queries_for_ten_times_the_visits(world, clock):
    clock.move_to(world.local(0, 12))
    _due_tomorrow(world, 5)
    with CaptureQueriesContext(connection) as few:
        assert services.queue_due_reminders() == 5
    _due_tomorrow(world, 50)  # and the first five are reminded already

    with CaptureQueriesContext(connection) as many:
        assert services.queue_due_reminders() == 50

    assert len(many) <= len(few), sorted({q["sql"][:90] for q in many})  # the first call also read content types
    assert OutboundEmail.objects.filter(kind="appointment.reminder").count() == 55


def test_reminders_go_in_batches_each_visit_once(world, clock):
    clock.move_to(world.local(0, 12))
    visits = _due_tomorrow(world, 10)

    assert services.queue_due_reminders(batch_size=4) == 10
    assert services.queue_due_reminders(batch_size=4) == 0

    reminded = OutboundEmail.objects.filter(kind="appointment.reminder").values_list("object_id", flat=True)
    assert sorted(reminded) == sorted(v.pk for v in visits)


def test_a_run_with_every_reminder_already_queued_is_one_query(world, clock, django_assert_num_queries):
    clock.move_to(world.local(0, 12))
    _due_tomorrow(world, 12)
    assert services.queue_due_reminders(batch_size=5) == 12

    with django_assert_num_queries(2):  # the booking rules, then the visits still to remind: none
        assert services.queue_due_reminders(batch_size=5) == 0


def test_a_visit_moved_after_its_reminder_is_reminded_of_its_new_time(world, clock):
    clock.move_to(world.local(0, 10))
    visit = world.visit(1, 9, booked_hours_ago=5 * 24)
    assert services.queue_due_reminders() == 1

    services.reschedule_appointment(appointment=visit, start=world.local(1, 14), by_patient=False)
    clock.shift(dt.timedelta(hours=4))  # 14:00 tomorrow is now inside the next 24 hours

    assert services.queue_due_reminders() == 1
    assert services.queue_due_reminders() == 0
    reminders = OutboundEmail.objects.filter(kind="appointment.reminder", object_id=visit.pk)
    assert sorted(r.dedupe_key[-4:] for r in reminders) == sorted(
        [f"{world.local(1, 9):%H%M}", f"{world.local(1, 14):%H%M}"]
    )
