"""Calendar entries that move and disappear with the visit (iMIP), and mail that behaves like a practice's."""

import email
from email.utils import parseaddr

import icalendar
import pytest
from django.conf import settings
from django.core import mail

from appointments import services
from appointments.models import Appointment
from tests.helpers import patient

pytestmark = pytest.mark.django_db


def sent_to(address):
    """The messages sent to `address` as a mail program receives them (parsed from the bytes)."""
    return [email.message_from_bytes(m.message().as_bytes()) for m in mail.outbox if m.to == [address]]


def calendar_part(message):
    """(the text/calendar part's method parameter, the parsed calendar) of an email."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_param("method"), icalendar.Calendar.from_ical(part.get_payload(decode=True))


def event_of(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def book_through_the_service(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.book_appointment(
            clinic=world.clinic, start=world.local(3, 10), specialist=world.alice, patient=patient()
        )


def test_booking_sends_a_calendar_request_the_mail_program_acts_on(world, django_capture_on_commit_callbacks):
    appointment = book_through_the_service(world, django_capture_on_commit_callbacks)

    (message,) = sent_to("ana1@example.com")
    method, calendar = calendar_part(message)
    event = event_of(calendar)

    assert method == "REQUEST" and calendar["method"] == "REQUEST"
    assert event.decoded("dtstart") == world.local(3, 10)
    assert str(event["uid"]).endswith("@armorpt.test")
    assert str(event["organizer"]) == f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"  # replies: not the desk
    assert event["organizer"].params["CN"] == "Armor PT Kalamazoo"
    assert str(event["attendee"]) == "mailto:ana1@example.com"
    assert event["attendee"].params["RSVP"] == "FALSE" and event["attendee"].params["PARTSTAT"] == "ACCEPTED"
    # The same data as a file, for mail programs that do not read the calendar part.
    (attached,) = [p for p in message.walk() if p.get_filename() == "appointment.ics"]
    assert event_of(icalendar.Calendar.from_ical(attached.get_payload(decode=True)))["uid"] == event["uid"]
    # Nothing in the calendar can cancel the visit: no manage link, no part of its token.
    raw = message.as_string()
    calendar_text = calendar.to_ical().decode()
    assert appointment.token in raw  # the email itself has the link...
    assert appointment.manage_key.hex not in calendar_text and "/appointments/" not in calendar_text  # ...not the entry
    assert "URL" not in event


def test_moving_the_visit_updates_the_same_entry_and_cancelling_removes_it(world, django_capture_on_commit_callbacks):
    appointment = book_through_the_service(world, django_capture_on_commit_callbacks)
    booked = event_of(calendar_part(sent_to("ana1@example.com")[0])[1])

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_appointment(appointment=appointment, start=world.local(4, 14), by_patient=True)
    method, moved_calendar = calendar_part(sent_to("ana1@example.com")[1])
    moved = event_of(moved_calendar)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(appointment=Appointment.objects.get(pk=appointment.pk), by_patient=True)
    cancel_method, cancel_calendar = calendar_part(sent_to("ana1@example.com")[2])
    cancelled = event_of(cancel_calendar)

    assert method == "REQUEST" and moved.decoded("dtstart") == world.local(4, 14)
    assert cancel_method == "CANCEL" and cancel_calendar["method"] == "CANCEL" and cancelled["status"] == "CANCELLED"
    assert booked["uid"] == moved["uid"] == cancelled["uid"]
    assert booked["sequence"] < moved["sequence"] < cancelled["sequence"]


def test_the_download_has_the_same_entry_and_no_manage_link(client, world, django_capture_on_commit_callbacks):
    appointment = book_through_the_service(world, django_capture_on_commit_callbacks)
    emailed = event_of(calendar_part(sent_to("ana1@example.com")[0])[1])

    download = icalendar.Calendar.from_ical(client.get(f"/appointments/{appointment.token}/calendar.ics").content)

    assert download["method"] == "PUBLISH"
    assert event_of(download)["uid"] == emailed["uid"] and "organizer" in event_of(download)
    assert appointment.manage_key.hex not in download.to_ical().decode()


def test_patient_mail_says_it_is_automatic_and_answers_reach_the_front_desk(world, django_capture_on_commit_callbacks):
    book_through_the_service(world, django_capture_on_commit_callbacks)

    for message in [email.message_from_bytes(m.message().as_bytes()) for m in mail.outbox]:
        assert message["Auto-Submitted"] == "auto-generated"
    (to_patient,) = sent_to("ana1@example.com")
    assert to_patient["Reply-To"] == world.clinic.front_desk_email
