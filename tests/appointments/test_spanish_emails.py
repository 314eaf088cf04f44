"""A patient who booked in Spanish reads every email and calendar entry in Spanish, whoever causes
it (the patient, the front desk in the English admin, the reminder job); the clinic's notices stay
English."""

import datetime as dt
import re

import icalendar
import pytest
from django.conf import settings
from django.utils import translation

from appointments import notifications, services, waitlist
from appointments.calendar import appointment_ics
from appointments.models import WaitlistEntry
from tests.helpers import detroit, emails

pytestmark = pytest.mark.django_db

# A Tuesday morning in Kalamazoo: the visits below are a week later, on Tuesday, June 15.
A_WEEK_BEFORE = detroit(2027, 6, 8, 9, 0)


def links(body):
    """Every address on the site in an email body."""
    return re.findall(rf"{re.escape(settings.SITE_URL)}[^\s\"<>)]*", body)


def assert_spanish_links(message):
    for body in (message.body_text, message.body_html):
        found = links(body)
        assert found, body
        assert all(url.startswith(f"{settings.SITE_URL}/es/") for url in found), found


def calendar_event(message):
    (attachment,) = message.attachments
    (event,) = icalendar.Calendar.from_ical(attachment["content"]).walk("VEVENT")
    return event


@pytest.fixture
def visit_es(world):
    return world.visit(7, 10, first_name="Ana", email="ana@example.com", language="es")


@pytest.fixture
def visit_en(world):
    return world.visit(7, 11, first_name="Ben", email="ben@example.com", specialist=world.bob)


@pytest.mark.clock(A_WEEK_BEFORE)
def test_the_confirmation_of_a_spanish_visit_is_spanish(visit_es):
    message = notifications.confirmed(visit_es)

    assert message.subject == "Confirmada: Initial evaluation el martes, 15 de junio de 2027, 10:00 EDT"
    text = message.body_text
    assert text.startswith("Hola, Ana:\n\nSu cita está confirmada.")
    assert "Cuándo:    martes, 15 de junio de 2027, 10:00 EDT" in text
    assert "Initial evaluation (60 minutos)" in text
    assert "Puede ver, cambiar o cancelar su cita por internet hasta el lunes, 14 de junio de 2027" in text
    assert "¿Tiene preguntas? Llame a Armor PT Kalamazoo al" in text
    assert f"{settings.SITE_URL}/es/appointments/{visit_es.token}/" in text
    html = message.body_html
    assert '<html lang="es">' in html and "Su cita está confirmada." in html
    assert "Ver, cambiar o cancelar" in html and "martes, 15 de junio de 2027, 10:00 EDT" in html
    for english in ("Hello", "When:", "Confirmed", "your appointment", " AM", "Questions?"):
        assert english not in text and english not in html, english
    assert_spanish_links(message)
    assert str(calendar_event(message)["summary"]) == "Initial evaluation en Armor PT Kalamazoo"


@pytest.mark.clock(A_WEEK_BEFORE)
def test_the_front_desk_in_the_english_admin_writes_to_a_spanish_patient_in_spanish(visit_es):
    with translation.override("en"):  # the admin
        services.cancel_appointment(appointment=visit_es, by_patient=False)

    (message,) = emails("appointment.cancelled")
    assert message.subject == "Cancelada: su cita del martes, 15 de junio de 2027, 10:00 EDT"
    assert "Armor PT Kalamazoo canceló esta cita:" in message.body_text
    assert "Pedir una nueva cita" in message.body_html
    assert_spanish_links(message)
    assert str(calendar_event(message)["summary"]) == "Initial evaluation en Armor PT Kalamazoo"


@pytest.mark.clock(A_WEEK_BEFORE)
def test_an_english_visit_stays_english_on_a_spanish_page(visit_en):
    with translation.override("es"):
        message = notifications.confirmed(visit_en)

    assert message.subject == "Confirmed: Initial evaluation on Tuesday, June 15, 2027 at 11:00 AM EDT"
    assert message.body_text.startswith("Hello Ben,")
    assert f"{settings.SITE_URL}/appointments/{visit_en.token}/" in message.body_text
    assert "/es/" not in message.body_text


@pytest.mark.clock(A_WEEK_BEFORE)
def test_the_clinics_notices_stay_english_for_a_spanish_visit(world, visit_es):
    with translation.override("es"):  # the patient moved it on a Spanish page
        services.reschedule_appointment(appointment=visit_es, start=world.local(8, 14), by_patient=True)
        visit_es.refresh_from_db()
        notice = notifications._front_desk_notice(visit_es)

    assert notice.subject.startswith("New online booking: Ana ")
    assert "When:      Wednesday, June 16, 2027 at 2:00 PM EDT" in notice.body_text
    assert '<html lang="en">' in notice.body_html
    (moved,) = emails(notifications.FRONT_DESK_MOVED)
    assert "Was:       Tuesday, June 15, 2027 at 10:00 AM EDT" in moved.body_text
    assert "miércoles" not in moved.body_text and "Cuándo" not in moved.body_html
    (patient_email,) = emails("appointment.rescheduled")
    assert patient_email.subject == "Nueva hora para su cita: miércoles, 16 de junio de 2027, 14:00 EDT"
    assert "Hora anterior: martes, 15 de junio de 2027, 10:00 EDT" in patient_email.body_text
    assert_spanish_links(patient_email)


def test_one_reminder_run_writes_each_patient_in_their_language(world, clock):
    clock.move_to(world.local(0, 12))
    spanish = world.visit(1, 9, first_name="Ana", email="ana@example.com", language="es")
    english = world.visit(1, 10, first_name="Ben", email="ben@example.com", language="en")

    assert services.queue_due_reminders() == 2

    by_address = {message.to: message for message in emails("appointment.reminder")}
    es, en = by_address["ana@example.com"], by_address["ben@example.com"]
    assert es.subject.startswith("Recordatorio: Initial evaluation, ")
    assert es.body_text.startswith("Hola, Ana:\n\nLe recordamos su próxima cita:")
    assert "9:00 ED" in es.body_text and "AM" not in es.body_text
    assert_spanish_links(es)
    assert en.subject.startswith("Reminder: Initial evaluation ")
    assert en.body_text.startswith("Hello Ben,\n\nA reminder of your upcoming appointment:")
    assert f"{settings.SITE_URL}/appointments/{english.token}/" in en.body_text
    assert spanish.token not in en.body_text


@pytest.mark.clock(A_WEEK_BEFORE)
def test_the_calendar_file_of_a_spanish_visit_is_spanish_wherever_it_is_downloaded(client, visit_es):
    event = icalendar.Calendar.from_ical(appointment_ics(visit_es)).walk("VEVENT")[0]

    assert str(event["summary"]) == "Initial evaluation en Armor PT Kalamazoo"
    description = str(event["description"])
    assert description.startswith("Initial evaluation con Alice Park")
    assert "Referencia: " in description and "Para cambiar o cancelar la cita" in description
    # From the English page too: the entry is the visit's, not the page's.
    response = client.get(f"/appointments/{visit_es.token}/calendar.ics")
    downloaded = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(downloaded["summary"]) == "Initial evaluation en Armor PT Kalamazoo"


@pytest.mark.clock(A_WEEK_BEFORE)
def test_a_spanish_waitlist_entry_hears_in_spanish(world):
    today = world.today()
    entry = waitlist.join(
        entry=WaitlistEntry(
            clinic=world.clinic,
            first_day=today + dt.timedelta(days=7),
            last_day=today + dt.timedelta(days=8),
            mornings=True,
            afternoons=True,
            evenings=False,
            first_name="Wendy",
            last_name="Waiter",
            email="wendy@example.com",
            language="es",
        )
    )
    (joined,) = emails("waitlist.joined")
    assert joined.subject == "Ya está en la lista de espera de Armor PT Kalamazoo"
    assert "Días:      del martes, 15 de junio al miércoles, 16 de junio" in joined.body_text
    assert "Horario:   Por la mañana y por la tarde" in joined.body_text
    assert_spanish_links(joined)

    booked = world.visit(7, 10, first_name="Ana", email="ana@example.com")
    services.cancel_appointment(appointment=booked, by_patient=False)

    (offer,) = emails("waitlist.offer")
    assert offer.to == entry.email
    assert offer.subject == "Se liberó una hora en Armor PT Kalamazoo: martes, 15 de junio de 2027, 10:00 EDT"
    assert "Este enlace sirve hasta el martes, 8 de junio, " in offer.body_text
    assert "Reservar esta hora" in offer.body_html
    assert_spanish_links(offer)
