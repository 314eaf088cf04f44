"""Step 3 asks how the patient will pay; the front desk sees it; no email and no purged visit keeps it."""

import pytest
from django.core import mail

from appointments import services
from appointments.models import Appointment
from armorpt.models import OutboundEmail
from clinics.models import Clinic
from tests.content.pages import Page
from tests.helpers import as_a_person, client_for, emails, free_start, staff_user, without_random_ids

pytestmark = pytest.mark.django_db


def post_details(client, clinic_slug, **changes):
    start = free_start(clinic_slug)
    data = {
        "first_name": "Rosa",
        "last_name": "Vega",
        "email": "rosa@example.com",
        "phone": "269-555-0142",
        "date_of_birth": "1961-08-30",
        "reason": "back-pain",
        "consent": "on",
        "start": start.isoformat(),
        **as_a_person(),
        **changes,
    }
    return client.post(f"/book/{clinic_slug}/details/", data)


def payment_options(html):
    page = Page(html)
    select = page.find("select", name="payment")
    return [option.text for option in page.find_all("option", inside=select)]


def test_step_three_offers_the_clinics_plans_then_other_ways_to_pay(demo, client):
    start = free_start("paw-paw")

    html = client.get(f"/book/paw-paw/details/?start={start.isoformat()}").content.decode()

    options = payment_options(html)
    assert options[0] == "Choose one"
    assert "Priority Health" in options and "Medicare" in options
    assert "Cigna" not in options  # not taken in Paw Paw
    assert options[-3:] == ["Another insurance plan", "Paying myself", "Not sure yet"]


def test_the_visit_keeps_the_answer_and_the_front_desk_sees_it(demo, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_details(client, "kalamazoo", payment="Priority Health")

    assert response.status_code == 302
    visit = Appointment.objects.get(email="rosa@example.com")
    assert visit.payment == "Priority Health"
    desk = client_for(staff_user("desk", "Front desk", [Clinic.objects.get(slug="kalamazoo")]))
    change_page = desk.get(f"/admin/appointments/appointment/{visit.pk}/change/").content.decode()
    assert 'value="Priority Health"' in change_page
    day = visit.start.astimezone(visit.clinic.tz).date()
    day_view = desk.get(f"/admin/appointments/appointment/day/?clinic={visit.clinic.slug}&date={day}").content.decode()
    assert "Pays: Priority Health" in day_view
    # Never in an email: not the patient's, not the front desk's.
    sent = [without_random_ids(m.body + "".join(str(a[0]) for a in m.alternatives)) for m in mail.outbox]
    assert sent and not any("Priority Health" in body for body in sent)
    assert not OutboundEmail.objects.filter(body_text__contains="Priority Health").exists()


def test_skipping_the_question_still_books(demo, client):
    response = post_details(client, "kalamazoo")

    assert response.status_code == 302
    assert Appointment.objects.get(email="rosa@example.com").payment == ""


def test_a_plan_the_clinic_does_not_take_is_refused_next_to_the_field_and_nothing_is_saved(demo, client):
    response = post_details(client, "paw-paw", payment="Cigna", first_name="Rosalind")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please choose one of the options." in html
    assert 'value="Rosalind"' in html  # what was typed stays
    assert not Appointment.objects.filter(email="rosa@example.com").exists()


def test_the_retention_purge_blanks_how_they_paid(world, clock):
    visit = services.book_appointment(
        clinic=world.clinic,
        start=world.local(2, 10),
        patient=services.Patient(first_name="Rosa", last_name="Vega", payment="Paying myself"),
        source=Appointment.Source.PHONE,
    )
    clock.shift(60 * 60 * 24 * 400)

    services.erase_expired_patient_details()

    visit.refresh_from_db()
    assert visit.erased_at is not None and visit.payment == ""


def test_the_front_desk_notes_how_a_caller_pays(world, admin_client):
    day = world.local(2, 10)
    response = admin_client.post(
        "/admin/appointments/appointment/add/",
        {
            "clinic": world.clinic.pk,
            "specialist": world.alice.pk,
            "appointment_type": world.visit_type.pk,
            "day": day.date().isoformat(),
            "time": "10:00",
            "source": "phone",
            "first_name": "Walt",
            "last_name": "Harris",
            "phone": "269-555-0199",
            "payment": "Medicare",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Appointment.objects.get(last_name="Harris").payment == "Medicare"
    assert emails("appointment.confirmed") == []
