"""Calendar files (RFC 5545) for an appointment, built with the icalendar library."""

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vText

PRODID = "-//Armor Physical Therapy//Appointments//EN"


def appointment_ics(appointment):
    """The visit as an .ics file. The UID stays the same across reschedules; SEQUENCE rises."""
    clinic = appointment.clinic
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.manage_key}@armorpt")
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{appointment.appointment_type.name} at {clinic.name}")
    event.add("location", vText(f"{clinic.name}, {clinic.address_one_line}"))
    event.add("description", _description(appointment))
    event.add("status", "CANCELLED" if appointment.status == appointment.Status.CANCELLED else "CONFIRMED")
    event.add("url", manage_url(appointment))
    calendar.add_component(event)
    return calendar.to_ical()


def _description(appointment):
    clinic = appointment.clinic
    return (
        f"{appointment.appointment_type.name} with {appointment.specialist.name_with_credentials}.\n"
        f"Reference: {appointment.reference_display}\n"
        f"Clinic phone: {clinic.phone_display}\n"
        f"View, change or cancel: {manage_url(appointment)}"
    )


def manage_url(appointment):
    return settings.SITE_URL + reverse("booking:manage", args=[appointment.token])


def calendar_url(appointment):
    return settings.SITE_URL + reverse("booking:calendar", args=[appointment.token])
