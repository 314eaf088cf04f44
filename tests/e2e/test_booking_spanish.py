"""A patient books in Spanish in a real browser: from /es/ to the confirmation, then the manage link (issue 20)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import FormTimer, choose_time, manage_path
from tests.e2e.known_violations import check_known

pytestmark = pytest.mark.e2e(needs=("chromium",))

PACIENTE = {
    "Nombre": "Lucía",
    "Apellido": "Hernández",
    "Correo electrónico": "lucia.hernandez@example.com",
    "Teléfono": "269-555-0143",
    "Fecha de nacimiento": "1979-11-23",
}


def test_a_patient_books_in_spanish_and_manages_the_visit_in_spanish(demo, journey, page, outbox):
    from appointments.models import Appointment

    page.goto("/es/")
    journey.step(page, "inicio")
    # The home page and its header are translated elsewhere: follow the link to the Spanish booking.
    page.locator("a[href='/es/book/']").first.click()

    expect(page).to_have_url(re.compile(r"/es/book/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pida una evaluación")
    journey.step(page, "paso 1: clínica")
    page.get_by_role("link", name=re.compile("Ver horas en Kalamazoo")).click()

    expect(page).to_have_url(re.compile(r"/es/book/kalamazoo/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Elija una hora")
    journey.step(page, "paso 2: hora")
    start_iso = choose_time(page)

    expect(page).to_have_url(re.compile(r"/es/book/kalamazoo/details/\?start="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sus datos")
    timer = FormTimer()
    form = page.get_by_role("main")
    for label, value in PACIENTE.items():
        form.get_by_label(label, exact=False).first.fill(value)
    form.get_by_role("radio", name="Dolor de espalda").check()
    form.get_by_role("checkbox", name=re.compile("Acepto")).check()
    journey.step(page, "paso 3: datos")
    timer.wait()
    page.get_by_role("button", name="Reservar esta cita").click()

    expect(page).to_have_url(re.compile(r"/es/book/done/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Su cita está reservada")
    journey.step(page, "confirmación")
    appointment = Appointment.objects.get(email=PACIENTE["Correo electrónico"])
    assert appointment.language == "es"
    assert appointment.start == dt.datetime.fromisoformat(start_iso)
    main = page.get_by_role("main")
    expect(main).to_contain_text(appointment.reference_display)
    expect(main).to_contain_text(" de ")  # "miércoles, 17 de junio de 2027, 10:00 EDT"
    expect(main).not_to_contain_text(re.compile(r"\d (AM|PM)"))

    # The manage link, as the confirmation email gives it, under /es/.
    path = f"/es/appointments/{appointment.token}/"
    sent = [message for message in outbox if PACIENTE["Correo electrónico"] in message.to]
    if sent:
        assert manage_path(sent[0]).endswith(f"/appointments/{appointment.token}/")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Su cita")
    expect(page.get_by_role("link", name="Cancelar esta cita")).to_have_attribute(
        "href", f"/es/appointments/{appointment.token}/cancel/"
    )
    expect(page.get_by_role("link", name="Elegir otra hora")).to_be_visible()
    journey.step(page, "gestionar la cita")


@pytest.mark.e2e(needs=("chromium", "axe"))
def test_the_spanish_booking_steps_and_their_errors_pass_axe(demo, journey, page, axe):
    from appointments.models import Appointment

    found = []

    def check(label):
        found.extend(f"{label}: {v['id']} ({v['impact']}) {v['help']}" for v in axe(page))

    page.goto("/es/book/")
    check("paso 1")
    page.get_by_role("link", name=re.compile("Ver horas en Kalamazoo")).click()
    check("paso 2")
    choose_time(page)
    check("paso 3")
    timer = FormTimer()
    timer.wait()
    page.get_by_role("button", name="Reservar esta cita").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("paso 3 con errores")

    form = page.get_by_role("main")
    for label, value in PACIENTE.items():
        form.get_by_label(label, exact=False).first.fill(value)
    form.get_by_role("radio", name="Dolor de espalda").check()
    form.get_by_role("checkbox", name=re.compile("Acepto")).check()
    FormTimer().wait()
    page.get_by_role("button", name="Reservar esta cita").click()
    expect(page).to_have_url(re.compile(r"/es/book/done/"))
    check("confirmación")
    appointment = Appointment.objects.get(email=PACIENTE["Correo electrónico"])
    page.goto(f"/es/appointments/{appointment.token}/")
    check("gestionar")
    page.goto("/es/book/kalamazoo/waitlist/")
    check("lista de espera")

    check_known("axe", found, what="axe-core on the Spanish booking pages")
