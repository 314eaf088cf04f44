"""The booking steps, a visit's pages and the waitlist in Spanish (issue 20): the same pages under /es/."""

import datetime as dt
import html as html_lib
import re
from urllib.parse import urlsplit

import pytest

from appointments.models import Appointment, WaitlistEntry
from tests.helpers import as_a_person, book, book_directly

pytestmark = pytest.mark.django_db

DETAILS = {
    "first_name": "Ana",
    "last_name": "Núñez",
    "email": "ana@example.com",
    "phone": "(269) 555-0111",
    "date_of_birth": "1985-04-02",
    "reason": "back-pain",
    "notes": "Me duele al cargar a mi hija.",
    "consent": "on",
}


def text(response):
    """The page's words as a patient reads them: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<script.*?</script>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    return " ".join(html_lib.unescape(body).split())


def local_iso(world, start):
    return start.astimezone(world.clinic.tz).isoformat()


def post_details(client, world, start, prefix="/es", **changes):
    data = {**DETAILS, **as_a_person(), "start": local_iso(world, start), **changes}
    return client.post(f"{prefix}/book/{world.clinic.slug}/details/", data)


def test_step_one_answers_in_spanish_and_leads_to_spanish_step_two(client, world):
    response = client.get("/es/book/?reason=back-pain")

    assert response.status_code == 200
    page = text(response)
    assert "Pida una evaluación" in page and "1. Clínica" in page and "Paso 1 de 3." in page
    assert "Próxima hora libre:" in page and "Antes de reservar" in page
    assert "Next opening" not in page and "Before you book" not in page
    assert 'href="/es/book/kalamazoo/?reason=back-pain"' in response.content.decode()


def test_step_two_writes_days_and_times_the_spanish_way(client, world):
    # The clock stands at Tuesday, June 15, 2027, 9:00 AM in Kalamazoo (tests.helpers.DEFAULT_NOW).
    response = client.get("/es/book/kalamazoo/")

    page = text(response)
    assert "Elija una hora" in page and "¿Con quién desea su cita?" in page
    assert "martes, 15 de junio" in page and "Tuesday" not in page
    assert "Elija un día 15–28 de junio" in page
    assert "mar 15 jun 11 libres" in page  # the day strip's first cell
    assert "hora del Este (EDT)" in page
    assert "11:00 Alice Park o Bob Stone" in page and " AM" not in page and " PM" not in page
    # The times lead to the Spanish step three.
    assert re.search(r'href="/es/book/kalamazoo/details/\?start=2027-06-15T11%3A00', response.content.decode())


def test_step_two_says_in_spanish_when_a_specialist_has_no_times_that_day(client, world):
    tomorrow = world.today() + dt.timedelta(days=1)
    world.alice.working_hours.filter(weekday=tomorrow.weekday()).delete()

    page = text(client.get(f"/es/book/kalamazoo/?day={tomorrow}&specialist=alice-park"))

    assert "No hay horas libres con Alice Park este día." in page
    assert "Ver el jueves, 17 de junio" in page
    assert "Ausente" in page  # her day off in the strip


def test_step_three_asks_in_spanish(client, world):
    start = world.local(2, 10)
    response = client.get(f"/es/book/kalamazoo/details/?start={local_iso(world, start).replace('+', '%2B')}")

    page = text(response)
    assert response.status_code == 200
    assert "Sus datos" in page and "3. Sus datos" in page
    assert "jueves, 17 de junio de 2027, 10:00 EDT" in page
    for words in ("Nombre", "Apellido", "Fecha de nacimiento", "¿Cuál es el motivo de su visita?", "Dolor de espalda"):
        assert words in page, words
    assert "Reservar esta cita" in page and "Book this appointment" not in page


def test_a_spanish_booking_is_stored_in_spanish_and_confirmed_in_spanish(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_details(client, world, world.local(2, 10))

    appointment = Appointment.objects.get()
    assert appointment.language == "es"
    assert response.status_code == 302
    assert response["Location"] == f"/es/book/done/{appointment.token}/"

    done = client.get(response["Location"])
    page = text(done)
    assert "Su cita está reservada" in page
    assert "jueves, 17 de junio de 2027, 10:00 EDT" in page and "Confirmada" in page
    assert appointment.reference_display in page
    assert f'href="/es/appointments/{appointment.token}/"' in done.content.decode()

    manage = client.get(f"/es/appointments/{appointment.token}/")
    page = text(manage)
    assert "Su cita" in page and "Cancelar esta cita" in page and "Elegir otra hora" in page
    assert "Puede cambiarla o cancelarla por internet hasta el" in page
    for action in ("cancel", "reschedule"):
        assert f'href="/es/appointments/{appointment.token}/{action}/"' in manage.content.decode()


def test_a_visit_the_front_desk_books_later_follows_the_language_the_patient_booked_in(client, world):
    post_details(client, world, world.local(2, 10), first_name="Ana", email="ana1@example.com", phone="+12695550001")
    online = Appointment.objects.get()
    assert online.patient.preferred_language == "es"

    # The same person calls; the desk's admin is English, the visit is not.
    by_phone = book(world, days=3, hour=11, n=1, language="en")

    assert by_phone.patient == online.patient and by_phone.language == "es"
    assert book(world, days=4, hour=11, n=2).language == "en"  # someone new: English until they say


def test_an_english_booking_is_stored_in_english(client, world):
    response = post_details(client, world, world.local(2, 10), prefix="")

    appointment = Appointment.objects.get()
    assert appointment.language == "en"
    assert response["Location"] == f"/book/done/{appointment.token}/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2030-01-01", "La fecha de nacimiento no puede estar en el futuro."),
        ("date_of_birth", "17/05/1980", "Escriba su fecha de nacimiento como mes/día/año"),
        ("phone", "12", "Escriba un número de teléfono al que podamos llamar"),
        ("consent", "", "Marque esta casilla para que podamos usar sus datos para organizar la cita."),
        ("reason", "", "Elija el motivo de su visita."),
        ("email", "", "Este campo es obligatorio."),  # Django's own Spanish
    ],
)
def test_a_bad_spanish_form_says_what_is_wrong_in_spanish_next_to_the_field(client, world, field, value, message):
    response = post_details(client, world, world.local(2, 10), **{field: value})

    assert response.status_code == 200
    body = response.content.decode()
    page = text(response)
    assert "Hay 1 dato que revisar:" in page
    # Under the field itself, tied to its input, and in the summary at the top.
    next_to_field = re.search(rf'id="error_1_id_{field}"[^>]*>(.*?)</', body, re.S) or re.search(
        rf'id="id_{field}_error"[^>]*>(.*?)</', body, re.S
    )
    assert next_to_field and message in html_lib.unescape(next_to_field.group(1))
    assert message in page
    # What the patient typed is kept.
    assert 'value="Núñez"' in body and "Me duele al cargar a mi hija." in body
    assert Appointment.objects.count() == 0


def test_a_time_taken_meanwhile_is_said_in_spanish_with_the_nearest_times(client, world):
    start = world.local(2, 10)
    post_details(client, world, start, specialist=world.alice.slug, email="first@example.com", phone="2695550199")

    response = post_details(client, world, start, specialist=world.alice.slug)

    page = text(response)
    assert response.status_code == 200 and Appointment.objects.count() == 1
    assert "Esa hora no está disponible" in page or "Alguien acaba de reservar esa hora" in page
    assert "Elija una hora" in page and "Ver todas las horas libres" in page
    assert re.search(r"jueves, 17 de junio de 2027, \d+:\d\d EDT", page)  # the alternatives, the Spanish way


def test_cancel_and_reschedule_ask_in_spanish(client, world):
    appointment = book_directly("kalamazoo")

    cancel = text(client.get(f"/es/appointments/{appointment.token}/cancel/"))
    moving = client.get(f"/es/appointments/{appointment.token}/reschedule/")
    first_time = re.search(r'href="(\?start=[^"]+)"', moving.content.decode()).group(1).replace("&amp;", "&")
    confirm = text(client.get(f"/es/appointments/{appointment.token}/reschedule/{first_time}"))

    assert "¿Cancelar esta cita?" in cancel and "Sí, cancelar mi cita" in cancel
    assert "Elija una nueva hora" in text(moving) and "la hora local de la clínica" in text(moving)
    assert "¿Cambiar su cita de hora?" in confirm and "Sí, cambiar mi cita" in confirm
    assert "Nueva hora" in confirm

    response = client.post(f"/es/appointments/{appointment.token}/cancel/")
    assert response["Location"] == f"/es/appointments/{appointment.token}/"
    page = text(client.get(response["Location"]))
    assert "Su cita está cancelada. Le enviamos un correo electrónico para confirmarlo." in page
    assert "Esta cita está cancelada." in page and "Cancelada" in page


def test_joining_the_waitlist_in_spanish_is_stored_in_spanish(client, world):
    today = world.today()
    form = client.get(f"/es/book/{world.clinic.slug}/waitlist/")
    assert "Apúntese en la lista de espera" in text(form) and "Por la mañana (antes de las 12:00)" in text(form)
    # A date input takes ISO dates in every language (not 15/06/2027, which it would show empty).
    assert f'name="first_day" value="{today.isoformat()}"' in form.content.decode()

    data = {
        **as_a_person(),
        "first_day": (today + dt.timedelta(days=1)).isoformat(),
        "last_day": (today + dt.timedelta(days=5)).isoformat(),
        "parts_of_day": ["morning"],
        "first_name": "Ana",
        "last_name": "Núñez",
        "email": "ana@example.com",
        "phone": "(269) 555-0111",
        "consent": "on",
    }
    response = client.post(f"/es/book/{world.clinic.slug}/waitlist/", data)

    entry = WaitlistEntry.objects.get()
    assert entry.language == "es"
    assert urlsplit(response["Location"]).path == f"/es/waitlist/{entry.token}/"
    page = text(client.get(response["Location"]))
    assert "Qué pasa ahora" in page and "Salir de la lista de espera" in page


def test_a_bad_waitlist_form_says_so_in_spanish(client, world):
    today = world.today()
    data = {**as_a_person(), "first_day": today.isoformat(), "last_day": (today - dt.timedelta(days=1)).isoformat()}

    page = text(client.post(f"/es/book/{world.clinic.slug}/waitlist/", data))

    assert "Elija el mismo día o uno posterior al primero." in page
    assert "Marque esta casilla para que podamos usar sus datos para avisarle de horas libres." in page


def test_the_english_pages_stay_english(client, world):
    response = client.get("/book/kalamazoo/")
    page = text(response)

    assert "Tuesday, June 15" in page and "11:00 AM" in page and "Choose a time" in page
    assert "martes" not in page
    assert 'href="/book/kalamazoo/details/?start=' in response.content.decode()
    assert 'href="/es/book/kalamazoo/details/' not in response.content.decode()
