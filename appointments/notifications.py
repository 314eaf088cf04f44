"""The emails an appointment causes, written to the outbox (armorpt.emails).

No email carries the reason for the visit, the notes or the date of birth.

A patient's email is written in the language they booked in (`Appointment.language`), whoever
causes it: the patient on the site, the front desk in the English admin, the reminder job. The
clinic's own notices stay English. Each is built, links and dates included, inside one
`translation.override`, so reverse() gives the /es/ pages to a Spanish reader.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from appointments.calendar import appointment_ics, calendar_url, manage_url
from appointments.models import BookingRules
from appointments.timefmt import format_when
from armorpt.emails import new_email, queue_email


def _context(appointment, rules=None, previous_start=None, **extra):
    from appointments import services  # services writes these emails: imported here, not at the top

    rules = rules or BookingRules.current()
    deadline = services.online_change_deadline(appointment.start, rules=rules)
    if previous_start is not None:
        extra["previous_when"] = format_when(previous_start.astimezone(appointment.clinic.tz))
    return {
        "can_change_online": services.can_change_online(appointment, rules=rules),
        "change_deadline": format_when(deadline.astimezone(appointment.clinic.tz)),
        "cutoff_hours": rules.change_cutoff_hours,
        "appointment": appointment,
        "clinic": appointment.clinic,
        "specialist": appointment.specialist,
        "when": format_when(appointment.start_local),
        "manage_url": manage_url(appointment),
        "calendar_url": calendar_url(appointment),
        "book_url": settings.SITE_URL + reverse("booking:start"),
        **extra,
    }


def _ics(appointment, method):
    """An iMIP calendar part: armorpt.emails sends it both as a text/calendar alternative and as a file."""
    content = appointment_ics(appointment, method=method).decode()
    return [{"filename": "appointment.ics", "content": content, "mimetype": f"text/calendar; method={method}"}]


def _to_patient(appointment, kind, template, **options):
    if not appointment.email:  # Booked by phone without an email address.
        return None
    return _patient_email(appointment, kind, template, build=queue_email, **options)


def _patient_email(appointment, kind, template, *, build, calendar_method=None, dedupe_key=None, rules=None, **extra):
    """The email `build` (queue_email or new_email) makes, written in the patient's language."""
    with translation.override(appointment.language):
        return build(
            kind=kind,
            to=appointment.email,
            template=f"emails/appointments/{template}",
            context=_context(appointment, rules, **extra),
            about=appointment,
            attachments=_ics(appointment, calendar_method) if calendar_method else (),
            dedupe_key=dedupe_key,
            # A patient who answers the email reaches the front desk of their clinic.
            headers={"Reply-To": appointment.clinic.front_desk_email},
        )


def booked(appointment):
    if appointment.status == appointment.Status.CONFIRMED:
        confirmed(appointment)
    else:
        _to_patient(appointment, "appointment.received", "received")
    if appointment.source == appointment.Source.ONLINE:
        _front_desk_notice(appointment)


def confirmed(appointment):
    return _to_patient(appointment, "appointment.confirmed", "confirmed", calendar_method="REQUEST")


def cancelled(appointment, *, by_patient):
    if by_patient:
        _front_desk_change(appointment, FRONT_DESK_CANCELLED)
    return _to_patient(
        appointment, "appointment.cancelled", "cancelled", calendar_method="CANCEL", by_patient=by_patient
    )


def rescheduled(appointment, *, previous_start, by_patient=False):
    if by_patient:
        _front_desk_change(appointment, FRONT_DESK_MOVED, previous_start=previous_start)
    return _to_patient(
        appointment, "appointment.rescheduled", "rescheduled", calendar_method="REQUEST", previous_start=previous_start
    )


def reminder_key(appointment):
    """One reminder per visit and time: a moved visit is reminded of its new time."""
    return reminder_key_for(appointment.pk, appointment.start)


def reminder_key_for(appointment_id, start):
    return f"reminder:{appointment_id}:{start:%Y%m%dT%H%M}"


def reminder(appointment):
    return _to_patient(appointment, "appointment.reminder", "reminder", dedupe_key=reminder_key(appointment))


def reminders(appointments, *, rules):
    """Unsaved reminder rows for the visits with an email address, for armorpt.emails.queue_emails."""
    return [
        _patient_email(a, "appointment.reminder", "reminder", build=new_email, dedupe_key=reminder_key(a), rules=rules)
        for a in appointments
        if a.email
    ]


def _front_desk_notice(appointment):
    # The clinic reads English, also when the patient booked on a Spanish page.
    with translation.override("en"):
        return queue_email(
            kind=FRONT_DESK_BOOKED,
            to=appointment.clinic.front_desk_email,
            template="emails/appointments/front_desk",
            context=_context(appointment, admin_url=_admin_url(appointment)),
            about=appointment,
        )


# The clinic's notices of what patients did online; the dashboard's "changes since this morning"
# reads these rows back (appointments.admin.dashboard), so each kind means one thing.
FRONT_DESK_BOOKED = "appointment.front_desk"
FRONT_DESK_MOVED = "appointment.front_desk_moved"
FRONT_DESK_CANCELLED = "appointment.front_desk_cancelled"


def _front_desk_change(appointment, kind, *, previous_start=None):
    """Tell the clinic that a patient moved or cancelled their visit online (never when the desk did it)."""
    with translation.override("en"):  # the clinic's notices stay English
        return queue_email(
            kind=kind,
            to=appointment.clinic.front_desk_email,
            template="emails/appointments/front_desk_change",
            context=_context(
                appointment,
                previous_start=previous_start,
                admin_url=_admin_url(appointment),
                moved=kind == FRONT_DESK_MOVED,
            ),
            about=appointment,
        )


def _admin_url(appointment):
    return settings.SITE_URL + reverse("admin:appointments_appointment_change", args=[appointment.pk])
