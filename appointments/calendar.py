"""Calendar data (RFC 5545) for an appointment, built with the icalendar library.

Emails carry it the way mail programs act on (iMIP, RFC 6047 over RFC 5546): METHOD:REQUEST when a
visit is booked, confirmed or moved, METHOD:CANCEL when it is cancelled, always with the same UID
and a higher SEQUENCE, so the entry a patient added moves or disappears with the visit.

Replies: the patient is an ATTENDEE who has already accepted (PARTSTAT=ACCEPTED) and is asked for
no answer (RSVP=FALSE), so calendar programs show no Accept/Decline buttons; a reply that is sent
anyway goes to the ORGANIZER's address, the sending address (DEFAULT_FROM_EMAIL), never to the front
desk. The manage link can cancel the visit, and a calendar may be shared with a family or an
office: it is in no calendar data, only in the email itself.

The entry's words are in the visit's language (`Appointment.language`), whoever asks for it.
"""

import hashlib
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Armor Physical Therapy//Appointments//EN"


def appointment_ics(appointment, method="PUBLISH"):
    """The visit as calendar data: PUBLISH for the download, REQUEST or CANCEL in emails."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    with translation.override(appointment.language):
        calendar.add_component(_event(appointment, cancelled=method == "CANCEL"))
    return calendar.to_ical()


def _event(appointment, *, cancelled):
    clinic = appointment.clinic
    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add(
        "summary",
        pgettext("calendar entry title", "%(visit)s at %(clinic)s")
        % {"visit": appointment.appointment_type.name, "clinic": clinic.name},
    )
    event.add("location", vText(f"{clinic.name}, {clinic.address_one_line}"))
    event.add("description", _description(appointment))
    is_cancelled = cancelled or appointment.status == appointment.Status.CANCELLED
    event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    event.add("organizer", _organizer(clinic))
    if appointment.email:
        event.add("attendee", _attendee(appointment), encode=0)
    return event


def event_uid(appointment):
    """Stable for the visit's life, unguessable, and telling nothing of its manage link."""
    digest = hashlib.sha256(b"calendar-uid:" + appointment.manage_key.bytes).hexdigest()[:32]
    return f"{digest}@{urlsplit(settings.SITE_URL).hostname}"


def _organizer(clinic):
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText(clinic.name)
    return organizer


def _attendee(appointment):
    attendee = vCalAddress(f"mailto:{appointment.email}")
    attendee.params["cn"] = vText(f"{appointment.first_name} {appointment.last_name}".strip())
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def _description(appointment):
    clinic = appointment.clinic
    lines = [
        _("%(visit)s with %(specialist)s.")
        % {"visit": appointment.appointment_type.name, "specialist": appointment.specialist.name_with_credentials},
        _("Reference: %(reference)s") % {"reference": appointment.reference_display},
        _("To change or cancel: the link in your email from %(practice)s, or call %(clinic)s at %(phone)s.")
        % {"practice": settings.PRACTICE["name"], "clinic": clinic.name, "phone": clinic.phone_display},
    ]
    return "\n".join(lines)


def manage_url(appointment):
    return settings.SITE_URL + reverse("booking:manage", args=[appointment.token])


def calendar_url(appointment):
    return settings.SITE_URL + reverse("booking:calendar", args=[appointment.token])
