"""Headers, CSRF, rate limits, bot traps, logs and retention: what keeps patients' details safe."""

import datetime as dt
import logging
import re
import time

import pytest
from django.core import mail, signing
from django.test import Client, RequestFactory
from django.utils import timezone

from appointments import services
from appointments.models import Appointment
from armorpt.forms import BotTrapMixin
from armorpt.models import OutboundEmail
from armorpt.net import client_ip
from tests.factories import AppointmentFactory
from tests.helpers import as_a_person, patient

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Marisol",
    "last_name": "Quintanilla",
    "email": "marisol.q@example.com",
    "phone": "(269) 555-0187",
    "date_of_birth": "1977-08-19",
    "reason": "neck-pain",
    "notes": "Whiplash from a car accident",
    "consent": "on",
}


def post_booking(client, world, hour=10, **changes):
    start = world.local(2, hour).astimezone(world.clinic.tz).isoformat()
    return client.post(f"/book/{world.clinic.slug}/details/", {**PATIENT, **as_a_person(), "start": start, **changes})


def test_every_page_sends_a_strict_content_security_policy(client, world):
    response = client.get("/book/")

    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["default-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=(self)" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["details", "cancel", "reschedule"])
def test_a_post_without_csrf_token_is_refused(world, path):
    client = Client(enforce_csrf_checks=True)
    appointment = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(3, 10)
    )
    url = {
        "details": f"/book/{world.clinic.slug}/details/",
        "cancel": f"/appointments/{appointment.token}/cancel/",
        "reschedule": f"/appointments/{appointment.token}/reschedule/",
    }[path]

    response = client.post(url, {**PATIENT, **as_a_person(), "start": world.local(2, 10).isoformat()})

    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert Appointment.objects.count() == 1


def test_too_many_booking_posts_get_a_friendly_429_and_save_nothing(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking": "2/h"}
    assert post_booking(client, world, 9, email="a@example.com", phone="269-555-0101").status_code == 302
    assert post_booking(client, world, 11, email="b@example.com", phone="269-555-0102").status_code == 302

    third = post_booking(client, world, 13, email="c@example.com", phone="269-555-0103")

    assert third.status_code == 429
    assert "Please wait a few minutes" in third.content.decode()
    assert Appointment.objects.count() == 2
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert post_booking(other, world, 15, email="d@example.com", phone="269-555-0104").status_code == 302


def test_the_slot_api_is_rate_limited_with_a_json_answer(client, world, settings):
    """Counted are the answers it has to compute; the same question again comes from cache, uncounted."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "slots_api": "3/m"}
    urls = [f"/api/slots/?clinic=kalamazoo&date={world.today() + dt.timedelta(days=n)}" for n in range(4)]
    for url in urls[:3]:
        assert client.get(url).status_code == 200
    assert client.get(urls[0]).status_code == 200

    response = client.get(urls[3])

    assert response.status_code == 429
    assert "error" in response.json()


def test_cancel_and_reschedule_are_rate_limited(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking_change": "2/h"}
    appointment = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(3, 10)
    )
    client.get(f"/appointments/{appointment.token}/cancel/")
    client.get(f"/appointments/{appointment.token}/reschedule/")

    assert client.post(f"/appointments/{appointment.token}/cancel/").status_code == 429
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_a_filled_honeypot_looks_fine_but_saves_and_sends_nothing(client, world):
    response = post_booking(client, world, website="http://spam.example")

    assert response.status_code == 200
    assert "Request received" in response.content.decode()
    assert Appointment.objects.count() == 0
    assert OutboundEmail.objects.count() == 0 and mail.outbox == []


def _rendered_at(response):
    return re.search(r'name="rendered_at" value="([^"]+)"', response.content.decode()).group(1)


def _shown_again(response, sentence):
    """The form is back with what the person typed and one plain sentence; nothing was saved."""
    page = response.content.decode()
    assert response.status_code == 200 and "Request received" not in page
    assert sentence in page
    assert 'value="Marisol"' in page and 'value="marisol.q@example.com"' in page and "Whiplash" in page
    assert Appointment.objects.count() == 0 and OutboundEmail.objects.count() == 0


def test_a_form_sent_faster_than_a_person_types_comes_back_to_be_sent_again(client, world, clock):
    url = f"/book/{world.clinic.slug}/details/?start={world.local(2, 10).isoformat().replace('+', '%2B')}"
    shown = _rendered_at(client.get(url))
    clock.shift(1)  # autofill and a quick tap

    again = post_booking(client, world, rendered_at=shown)

    _shown_again(again, "That was sent very quickly, before we could be sure. Please check your details")
    assert _rendered_at(again) != shown  # the new page restarts the clock
    clock.shift(5)
    assert post_booking(client, world, rendered_at=_rendered_at(again)).status_code == 302
    assert Appointment.objects.count() == 1


def test_a_form_left_open_for_hours_comes_back_to_be_sent_again(client, world, clock):
    shown = signing.dumps(time.time(), salt=BotTrapMixin.SALT)
    clock.shift(dt.timedelta(hours=2, minutes=1))

    _shown_again(post_booking(client, world, rendered_at=shown), "This page was open for a long time.")


def test_a_forged_render_time_comes_back_to_be_sent_again(client, world):
    response = post_booking(client, world, rendered_at="1700000000")

    _shown_again(response, "Something went wrong with this form. Please check your details and send it again.")


def test_logs_never_contain_the_patients_details(client, world, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        post_booking(client, world)
        post_booking(client, world, phone="12")  # an invalid form is logged nowhere either
        appointment = Appointment.objects.get()
        client.post(f"/appointments/{appointment.token}/cancel/")

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert caplog.records, "expected the booking to log something"
    # The date of birth in every form it could be written in; a bare "1977" also turns up in the
    # digits of a task's logged run time now and then.
    birth = ("1977-08-19", "08/19/1977", "1977, 8, 19", "19770819")
    for detail in ("Marisol", "Quintanilla", "marisol.q", "555-0187", "5550187", *birth, "Whiplash"):
        assert detail not in logged


def test_client_address_behind_a_proxy_is_taken_from_the_right(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the client could have forged 6.6.6.6


def test_old_patient_details_are_erased_but_the_visit_stays_for_statistics(world, settings):
    settings.RETENTION_CANCELLED_DAYS, settings.RETENTION_PAST_DAYS = 30, 365
    now = timezone.now()
    old_cancel = services.book_appointment(clinic=world.clinic, start=world.local(2, 9), patient=patient(1))
    recent_cancel = services.book_appointment(clinic=world.clinic, start=world.local(2, 11), patient=patient(2))
    upcoming = services.book_appointment(clinic=world.clinic, start=world.local(3, 9), patient=patient(3))
    Appointment.objects.filter(pk=old_cancel.pk).update(
        status="cancelled", start=now - dt.timedelta(days=40), end=now - dt.timedelta(days=40) + dt.timedelta(hours=1)
    )
    Appointment.objects.filter(pk=recent_cancel.pk).update(
        status="cancelled", start=now - dt.timedelta(days=5), end=now - dt.timedelta(days=5) + dt.timedelta(hours=1)
    )

    assert services.erase_expired_patient_details(now=now) == 1
    assert services.erase_expired_patient_details(now=now) == 0  # idempotent

    old_cancel.refresh_from_db()
    assert old_cancel.erased_at and old_cancel.email == "" and old_cancel.phone == "" and old_cancel.notes == ""
    assert old_cancel.date_of_birth is None and old_cancel.first_name == "(erased)"
    assert old_cancel.clinic == world.clinic and old_cancel.status == "cancelled"
    assert not old_cancel.emails.exclude(body_text="").exists()
    assert not old_cancel.emails.filter(to__contains="example.com").exists()
    for kept in (recent_cancel, upcoming):
        kept.refresh_from_db()
        assert kept.erased_at is None and kept.email.endswith("@example.com")


def test_an_erased_visit_no_longer_answers_its_link(client, world):
    appointment = services.book_appointment(clinic=world.clinic, start=world.local(3, 9), patient=patient(1))
    Appointment.objects.filter(pk=appointment.pk).update(erased_at=timezone.now())

    assert client.get(f"/appointments/{appointment.token}/").status_code == 404
