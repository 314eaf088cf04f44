"""Every change to an appointment goes through one of these functions.

The patient pages, the admin and the tasks all call them, so the rules live here once.
Each runs in one transaction and writes its emails to the outbox in that same
transaction (appointments.notifications); they are sent after it commits.
"""

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appointments import availability, notifications, patients, waitlist
from appointments.models import Appointment, BookingRules
from armorpt import languages
from armorpt.emails import queue_emails
from armorpt.models import OutboundEmail
from clinics.models import Clinic, Specialist

logger = logging.getLogger(__name__)

Status = Appointment.Status
# Staff may still change these; the others are history.
OPEN_STATUSES = (Status.REQUESTED, Status.CONFIRMED)
TRANSITIONS = {
    Status.CONFIRMED: {Status.REQUESTED},
    Status.ARRIVED: {Status.REQUESTED, Status.CONFIRMED},
    Status.COMPLETED: {Status.CONFIRMED, Status.ARRIVED},
    Status.NO_SHOW: {Status.REQUESTED, Status.CONFIRMED},
}
# A second submit of the same form within this time returns the first booking.
DUPLICATE_WINDOW = dt.timedelta(hours=1)


class BookingError(Exception):
    """A booking or change the rules refuse; `message` is written for the patient or staff."""

    field = None

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class SlotUnavailable(BookingError):
    field = "start"


class TooManyBookings(BookingError):
    field = "email"


class ChangeNotAllowed(BookingError):
    pass


@dataclass(frozen=True)
class Patient:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    date_of_birth: dt.date | None = None
    reason: str = ""
    notes: str = ""
    consented_at: dt.datetime | None = None
    # Came from the back-pain self-check with no warning signs (appointments.screening).
    self_check_clear: bool = False
    # A plan's name, "Another insurance plan", "Paying myself" or "Not sure yet" (practice.payment_choices).
    payment: str = ""
    # The language their emails are written in: the pages they booked on (the booking view passes
    # it), else the language active here (English in the admin and the tasks).
    language: str = dataclasses.field(default_factory=languages.current)


def book_appointment(
    *,
    clinic,
    start,
    patient,
    specialist=None,
    appointment_type=None,
    source=Appointment.Source.ONLINE,
    now=None,
    patient_record=None,
):
    """Book `patient` at `clinic` at `start` with `specialist` (None: any who is free).

    The visit belongs to `patient_record` when the front desk picked one (appointments.Patient),
    else to the record patients.find_or_create finds or makes from the details.

    Raises SlotUnavailable when the time is not (or no longer) free, TooManyBookings when the
    patient already holds the maximum of upcoming online bookings.
    """
    now = now or timezone.now()
    online = source == Appointment.Source.ONLINE
    appointment_type = appointment_type or availability.online_type()
    rules = BookingRules.current()
    window = availability.Window.for_patients(rules, now) if online else availability.Window.for_staff(now)
    with transaction.atomic():
        # Bookings at one clinic take turns, so a double-submitted form finds the first booking.
        Clinic.objects.select_for_update().get(pk=clinic.pk)
        if online:
            if existing := _same_request(clinic, start, specialist, patient, now):
                return existing
            _check_patient_limit(patient, rules, now)
        for candidate in _candidates(clinic, start, specialist, appointment_type, window):
            # Locking the specialist (not their appointments) is what stops a second insert.
            locked = Specialist.objects.select_for_update().get(pk=candidate.pk)
            if availability.is_free(
                clinic=clinic, specialist=locked, start=start, appointment_type=appointment_type, window=window
            ):
                return _create(clinic, locked, appointment_type, start, patient, source, online, patient_record)
    if online:
        raise SlotUnavailable(_("That time was just taken. Please choose another time."))
    # The front desk gets the reason: closed, away, not working then, or booked.
    raise SlotUnavailable(
        availability.why_not_free(
            clinic=clinic, specialist=specialist, start=start, appointment_type=appointment_type, window=window
        )
    )


def _candidates(clinic, start, specialist, appointment_type, window):
    if specialist is not None:
        return [specialist]
    ids = availability.free_at(clinic=clinic, start=start, appointment_type=appointment_type, window=window)
    # Always in id order: two bookings never wait on each other's locks in opposite orders.
    return list(Specialist.objects.filter(pk__in=ids).order_by("pk"))


def _same_request(clinic, start, specialist, patient, now):
    """The booking this patient already made for this time: their form was sent twice.

    Matched on all they typed that identifies them, so that knowing someone's email and time is
    not enough to be shown their booking (its page holds the link that can cancel it).
    """
    if not patient.email:
        return None
    same = Appointment.objects.active().filter(
        clinic=clinic,
        start=start,
        source=Appointment.Source.ONLINE,
        email__iexact=patient.email,
        phone=str(patient.phone),
        date_of_birth=patient.date_of_birth,
        first_name__iexact=patient.first_name,
        last_name__iexact=patient.last_name,
        created_at__gte=now - DUPLICATE_WINDOW,
    )
    if specialist is not None:
        same = same.filter(specialist=specialist)
    return same.first()


def _check_patient_limit(patient, rules, now):
    held = (
        Appointment.objects.active()
        .of_person(patient.email, patient.phone)
        .filter(source=Appointment.Source.ONLINE, start__gte=now, status__in=OPEN_STATUSES)
        .count()
    )
    if held >= rules.max_upcoming_per_patient:
        raise TooManyBookings(
            ngettext(
                "You already have %(count)s upcoming appointment booked online, the most we allow. "
                "Please call the clinic to book another one.",
                "You already have %(count)s upcoming appointments booked online, the most we allow. "
                "Please call the clinic to book another one.",
                held,
            )
            % {"count": held}
        )


def _language_of_visit(record, patient, online):
    """Online, the language of the pages the patient booked on, which becomes their record's; booked by
    the front desk (whose admin is English), the language their record says they read."""
    if not online:
        return record.preferred_language
    if record.preferred_language != patient.language:
        type(record).objects.filter(pk=record.pk).update(preferred_language=patient.language)
        record.preferred_language = patient.language
    return patient.language


def _create(clinic, specialist, appointment_type, start, patient, source, online, patient_record=None):
    confirmed_now = not online or clinic.confirms_online_bookings
    if patient_record is None:
        patient_record = patients.find_or_create(patient)
    else:
        patient_record = patients.chosen(patient_record, patient)
    language = _language_of_visit(patient_record, patient, online)
    appointment = Appointment(
        patient=patient_record,
        clinic=clinic,
        specialist=specialist,
        appointment_type=appointment_type,
        start=start,
        end=start + appointment_type.duration,
        status=Status.CONFIRMED if confirmed_now else Status.REQUESTED,
        source=source,
        first_name=patient.first_name,
        last_name=patient.last_name,
        email=patient.email,
        phone=patient.phone,
        date_of_birth=patient.date_of_birth,
        reason=patient.reason,
        notes=patient.notes,
        self_check_clear=patient.self_check_clear,
        payment=patient.payment,
        consent_at=patient.consented_at,
        language=language,
    )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        # PostgreSQL's exclusion constraint: the lock above makes this a backstop only.
        raise SlotUnavailable(_("That time was just taken. Please choose another time.")) from exc
    notifications.booked(appointment)
    return appointment


def cancel_appointment(*, appointment, by_patient, reason="", now=None):
    """Cancel a visit. Patients may not cancel online inside the cut-off; staff always may."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock(appointment)
        if appointment.status == Status.CANCELLED:
            return appointment
        if appointment.status not in OPEN_STATUSES:
            raise ChangeNotAllowed(
                _("This visit is marked %(status)s; it cannot be cancelled.")
                % {"status": appointment.get_status_display().lower()}
            )
        if by_patient:
            _check_cutoff(appointment, now, "cancel")
        appointment.status = Status.CANCELLED
        appointment.cancelled_at = now
        appointment.cancellation_reason = reason[:200]
        appointment.sequence += 1
        appointment.save()
        notifications.cancelled(appointment, by_patient=by_patient)
        waitlist.visit_freed(appointment, now=now)
        return appointment


def reschedule_appointment(*, appointment, start, specialist=None, by_patient, now=None):
    """Move a visit to `start`; the old time is free the moment this commits."""
    now = now or timezone.now()
    rules = BookingRules.current()
    window = availability.Window.for_patients(rules, now) if by_patient else availability.Window.for_staff(now)
    with transaction.atomic():
        Clinic.objects.select_for_update().get(pk=appointment.clinic_id)
        appointment = _lock(appointment)
        if appointment.status not in OPEN_STATUSES:
            raise ChangeNotAllowed(_("Only a requested or confirmed visit can be moved."))
        if by_patient:
            _check_cutoff(appointment, now, "reschedule")
        for candidate in _reschedule_candidates(appointment, start, specialist, window):
            locked = Specialist.objects.select_for_update().get(pk=candidate.pk)
            if availability.is_free(
                clinic=appointment.clinic,
                specialist=locked,
                start=start,
                appointment_type=appointment.appointment_type,
                window=window,
                ignore_appointment=appointment,
            ):
                return _move(appointment, locked, start, by_patient=by_patient)
    if by_patient:
        raise SlotUnavailable(_("That time was just taken. Please choose another time."))
    raise SlotUnavailable(
        availability.why_not_free(
            clinic=appointment.clinic,
            specialist=specialist,
            start=start,
            appointment_type=appointment.appointment_type,
            window=window,
        )
    )


def _reschedule_candidates(appointment, start, specialist, window):
    if specialist is not None:
        return [specialist]
    others = _candidates(appointment.clinic, start, None, appointment.appointment_type, window)
    # Keep the patient with the same specialist when they are free.
    return sorted(others, key=lambda s: s.pk != appointment.specialist_id)


def _move(appointment, specialist, start, *, by_patient):
    previous = {"start": appointment.start, "specialist": appointment.specialist}
    appointment.specialist = specialist
    appointment.start = start
    appointment.end = start + appointment.appointment_type.duration
    appointment.sequence += 1
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        raise SlotUnavailable(_("That time was just taken. Please choose another time.")) from exc
    notifications.rescheduled(appointment, previous_start=previous["start"], by_patient=by_patient)
    waitlist.visit_freed(appointment, start=previous["start"], specialist=previous["specialist"])
    return appointment


def change_status(*, appointment, status, now=None):
    """Front-desk status changes: confirm, arrived, completed, no-show (cancel has its own function)."""
    with transaction.atomic():
        appointment = _lock(appointment)
        if appointment.status == status:
            return appointment
        if appointment.status not in TRANSITIONS[status]:
            raise ChangeNotAllowed(
                f"A {appointment.get_status_display().lower()} visit cannot be marked {Status(status).label.lower()}."
            )
        _check_timing(appointment, status, now or timezone.now())
        appointment.status = status
        appointment.sequence += 1
        appointment.save()
        if status == Status.CONFIRMED:
            notifications.confirmed(appointment)
    return appointment


def confirm_appointment(*, appointment):
    return change_status(appointment=appointment, status=Status.CONFIRMED)


REMINDER_BATCH = 500


def queue_due_reminders(*, now=None, batch_size=REMINDER_BATCH):
    """Queue a reminder for each visit in the next 24 hours that was booked well before it.

    Safe to run as often as we like: each visit and time gets one reminder (the outbox's dedupe
    key), and the visit remembers the time it was reminded of (`reminded_for`), so a run with
    nothing due is one indexed query however many visits the day holds. A constant number of
    queries per batch, one batch in memory at a time.
    """
    now = now or timezone.now()
    due = (
        Appointment.objects.filter(status__in=OPEN_STATUSES, start__gt=now, start__lte=now + dt.timedelta(hours=24))
        .exclude(email="")
        .exclude(reminded_for=F("start"))  # a moved visit is reminded of its new time
        .filter(erased_at__isnull=True)
        # Someone who booked this morning for tomorrow already has the confirmation in hand.
        .filter(created_at__lte=F("start") - dt.timedelta(hours=20))
        # In time order, resumed after the last (start, pk) read: the partial index of visits not yet
        # reminded (appointment_to_remind) answers it, where an order by pk walked every visit.
        .order_by("start", "pk")
    )
    rules = BookingRules.current()
    queued, after = 0, None
    while batch := list(_after(due, after).values_list("pk", "start")[:batch_size]):
        after = batch[-1]
        keys = {notifications.reminder_key_for(pk, start): pk for pk, start in batch}
        sent = set(OutboundEmail.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        with transaction.atomic():
            if todo := [pk for key, pk in keys.items() if key not in sent]:
                queued += _queue_reminders(todo, rules)
            _mark_reminded(batch)
    return queued


def _after(visits, last):
    if last is None:
        return visits
    pk, start = last
    return visits.filter(Q(start__gt=start) | Q(start=start, pk__gt=pk))


def _queue_reminders(appointment_ids, rules):
    appointments = (
        Appointment.objects.filter(pk__in=appointment_ids)
        .select_related("clinic", "specialist", "appointment_type")
        .prefetch_related("specialist__credentials")  # the email names the therapist with their credentials
    )
    return len(queue_emails(notifications.reminders(list(appointments), rules=rules)))


def _mark_reminded(batch):
    """reminded_for = the start each visit was read with, in one query; a visit moved meanwhile keeps
    its old mark, so the next run reminds it of its new time."""
    Appointment.objects.filter(pk__in=[pk for pk, _ in batch]).update(
        reminded_for=Case(
            *(When(pk=pk, start=start, then=Value(start)) for pk, start in batch),
            default=F("reminded_for"),
        )
    )


# Patients arrive early, but not the day before; a visit cannot be over or missed before it starts.
EARLIEST_ARRIVAL = dt.timedelta(hours=3)


def _check_timing(appointment, status, now):
    if status == Status.ARRIVED and now < appointment.start - EARLIEST_ARRIVAL:
        raise ChangeNotAllowed("This visit is more than three hours away; it cannot be marked arrived yet.")
    if status in (Status.COMPLETED, Status.NO_SHOW) and now < appointment.start:
        raise ChangeNotAllowed(f"This visit has not started yet; it cannot be marked {Status(status).label.lower()}.")


def _lock(appointment):
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("clinic", "specialist", "appointment_type")
        .get(pk=appointment.pk)
    )


def online_change_deadline(start: dt.datetime, *, rules: BookingRules | None = None) -> dt.datetime:
    """Until when a patient may cancel or move a visit at `start` themselves (later: by phone only)."""
    return start - (rules or BookingRules.current()).change_cutoff


def can_change_online(
    appointment: Appointment, *, now: dt.datetime | None = None, rules: BookingRules | None = None
) -> bool:
    """The one rule behind the manage page, the reschedule page, the emails and the services below."""
    now = now or timezone.now()
    return appointment.status in OPEN_STATUSES and now <= online_change_deadline(appointment.start, rules=rules)


def _check_cutoff(appointment, now, verb):
    rules = BookingRules.current()
    if not can_change_online(appointment, now=now, rules=rules):
        hours, clinic = rules.change_cutoff_hours, appointment.clinic
        if verb == "cancel":
            message = ngettext(
                "Your visit is less than %(hours)s hour away, so it can no longer be changed online. "
                "To cancel, please call %(clinic)s at %(phone)s.",
                "Your visit is less than %(hours)s hours away, so it can no longer be changed online. "
                "To cancel, please call %(clinic)s at %(phone)s.",
                hours,
            )
        else:
            message = ngettext(
                "Your visit is less than %(hours)s hour away, so it can no longer be changed online. "
                "To reschedule, please call %(clinic)s at %(phone)s.",
                "Your visit is less than %(hours)s hours away, so it can no longer be changed online. "
                "To reschedule, please call %(clinic)s at %(phone)s.",
                hours,
            )
        raise ChangeNotAllowed(message % {"hours": hours, "clinic": clinic.name, "phone": clinic.phone_display})


ERASED_NAME = "(erased)"


ERASE_BATCH = 500


def erase_expired_patient_details(*, now=None, batch_size=ERASE_BATCH):
    """Blank the patient's details on old visits, keeping clinic, specialist, time and status.

    Cancelled and no-show requests go after RETENTION_CANCELLED_DAYS, other past visits after
    RETENTION_PAST_DAYS (settings). The emails about them lose their addresses and bodies too.
    Idempotent: erased rows are skipped. A constant number of queries per batch of visits, one batch of ids in
    memory at a time, each batch its own transaction. Returns how many visits were erased.
    A patient record whose last visit holding details is erased goes with it, in the same transaction.
    """
    now = now or timezone.now()
    still_held = Appointment.objects.filter(erased_at__isnull=True)
    # Two plain questions rather than one with OR: each is answered from its own partial index
    # (what is still to erase), so a run with nothing expired does not walk years of history.
    expired = (
        still_held.filter(
            status__in=(Status.CANCELLED, Status.NO_SHOW),
            start__lt=now - dt.timedelta(days=settings.RETENTION_CANCELLED_DAYS),
        ),
        still_held.filter(end__lt=now - dt.timedelta(days=settings.RETENTION_PAST_DAYS)),
    )
    erased = 0
    for visits in expired:
        # Erased rows leave the question, so each batch is simply the next few still there.
        while ids := list(visits.order_by().values_list("pk", flat=True)[:batch_size]):
            _erase(ids, now)
            erased += len(ids)
    if erased:
        logger.info("erased patient details from %s appointments", erased)
    waitlist.erase_expired_entries(now=now)
    return erased


@transaction.atomic
def _erase(ids, now):
    # Whose visits these are: a patient whose last visit holding details goes now goes with it,
    # in this transaction (patients.erase_expired), so no record is left behind between the two.
    whose = set(Appointment.objects.filter(pk__in=ids, patient__isnull=False).values_list("patient_id", flat=True))
    Appointment.objects.filter(pk__in=ids).update(
        first_name=ERASED_NAME,
        last_name="",
        email="",
        phone="",
        date_of_birth=None,
        notes="",
        reason="",
        self_check_clear=False,
        payment="",
        cancellation_reason="",
        erased_at=now,
    )
    OutboundEmail.objects.filter(content_type=ContentType.objects.get_for_model(Appointment), object_id__in=ids).update(
        to="erased@invalid", subject="(erased)", body_text="", body_html="", attachments=[], headers={}
    )
    if whose:
        patients.erase_expired(now=now, batch_size=len(ids), among=whose)
