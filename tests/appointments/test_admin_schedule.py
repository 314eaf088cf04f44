"""The front desk's day and week schedules and the dashboard on the admin index."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import roles, services
from appointments.models import Appointment, TimeOff
from armorpt.models import OutboundEmail
from clinics.models import Clinic, ClinicClosure
from tests.caches import empty_cache
from tests.factories import AppointmentFactory, ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import book, client_for, patient, staff_user

pytestmark = pytest.mark.django_db

DAY = "/admin/appointments/appointment/day/"
WEEK = "/admin/appointments/appointment/week/"
Status = Appointment.Status


@pytest.fixture
def desk(world):
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))


def local_day(world, days_ahead):
    return world.local(days_ahead, 12).astimezone(world.clinic.tz).date()


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- Day view --------------------------------------------------------------------------------


def test_day_view_with_the_demo_data(admin_client, clock):
    call_command("load_demo", stdout=io.StringIO())
    clinic = Clinic.objects.get(slug="kalamazoo")
    today = timezone.localdate()
    wednesday = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)
    start = dt.datetime.combine(wednesday, dt.time(9), clinic.tz).astimezone(dt.UTC)
    visit = services.book_appointment(clinic=clinic, start=start, patient=patient(1))

    html = admin_client.get(DAY, {"clinic": "kalamazoo", "date": wednesday.isoformat()}).content.decode()

    # Marcus Reed and Dana Whitfield work at Kalamazoo on Wednesdays.
    assert re.search(r'<th scope="col">Marcus Reed</th>\s*<th scope="col">Dana Whitfield</th>', html) or re.search(
        r'<th scope="col">Dana Whitfield</th>\s*<th scope="col">Marcus Reed</th>', html
    )
    assert "Portage" not in re.search(r"<table class=\"day-grid.*?</table>", html, re.S).group(0)
    assert visit.patient_name in html and "9:00 AM–10:00 AM" in html
    assert "appt-status-confirmed" in html
    assert "Free 8:00 AM–12:00 PM" in html  # The other specialist's morning.
    assert f'href="/admin/appointments/appointment/{visit.pk}/change/"' in html
    assert f"date={wednesday - dt.timedelta(days=1)}" in html and f"date={wednesday + dt.timedelta(days=1)}" in html
    assert 'type="date"' in html and 'method="get"' in html


def test_free_time_links_to_the_phone_booking_form(world, desk):
    day = local_day(world, 2)

    html = desk.get(DAY, {"clinic": world.clinic.slug, "date": day.isoformat()}).content.decode()

    assert (
        f"/admin/appointments/appointment/add/?clinic={world.clinic.pk}&amp;specialist={world.alice.pk}"
        f"&amp;day={day.isoformat()}&amp;time=08%3A00"
    ) in html
    assert "book with Alice Park" in html


def test_day_view_shows_status_buffer_time_off_and_cancelled(world, desk):
    visit = book(world, days=2, hour=10, specialist=world.alice, n=1)
    Appointment.objects.filter(pk=visit.pk).update(status=Status.ARRIVED)  # as on the day itself
    cancelled = book(world, days=2, hour=14, specialist=world.bob, n=2)
    services.cancel_appointment(appointment=cancelled, by_patient=False, reason="Flu")
    TimeOff.objects.create(specialist=world.bob, start=world.local(2, 12), end=world.local(2, 13), reason="Dentist")

    html = desk.get(DAY, {"clinic": world.clinic.slug, "date": local_day(world, 2)}).content.decode()

    assert 'class="slot slot-visit appt-status-arrived"' in html
    assert "Buffer after a visit" in html
    assert "Time off: Dentist" in html
    assert "Cancelled this day" in html and "Flu" in html
    grid = re.search(r"<table class=\"day-grid.*?</table>", html, re.S).group(0)
    assert cancelled.patient_name not in grid


def test_a_closed_day_says_so(world, desk):
    ClinicClosure.objects.create(clinic=world.clinic, date=local_day(world, 5), reason="Thanksgiving Day")

    html = desk.get(DAY, {"clinic": world.clinic.slug, "date": local_day(world, 5)}).content.decode()

    assert "is closed this day: Thanksgiving Day" in html
    assert "Free " not in html


def test_day_view_rows_follow_five_minute_starts(world, desk):
    AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(2, 10, 5)
    )

    response = desk.get(DAY, {"clinic": world.clinic.slug, "date": local_day(world, 2)})

    assert response.context["grid"]["step"] == 5
    assert "10:05 AM–11:05 AM" in response.content.decode()


def test_overlapping_visits_are_both_shown(world, desk):
    # Only possible on SQLite, bypassing the service; the schedule must still show both.
    first = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(2, 10)
    )
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the overlap itself")
    second = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(2, 10, 30)
    )

    html = desk.get(DAY, {"clinic": world.clinic.slug, "date": local_day(world, 2)}).content.decode()

    assert first.patient_name in html
    assert f"Also booked: {second.patient_name}" in html


@pytest.mark.parametrize("when", ["spring", "fall"])
def test_day_view_on_a_daylight_saving_day(world, desk, when):
    year = timezone.localdate().year + 1
    first = dt.date(year, 3, 8) if when == "spring" else dt.date(year, 11, 1)
    sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)
    start = dt.datetime.combine(sunday, dt.time(9), world.clinic.tz).astimezone(dt.UTC)
    AppointmentFactory(clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=start)

    html = desk.get(DAY, {"clinic": world.clinic.slug, "date": sunday.isoformat()}).content.decode()

    assert "9:00 AM–10:00 AM" in html
    assert "4:30 PM" in html


def test_a_bad_date_shows_today_and_another_clinic_is_not_found(world, desk):
    other = Clinic.objects.create(
        name="Elsewhere",
        slug="elsewhere",
        street_address="x",
        city="x",
        postal_code="1",
        phone="+12695550199",
        front_desk_email="x@example.com",
    )

    assert desk.get(DAY, {"date": "yesterday"}).context["day"] == timezone.localdate()
    assert desk.get(DAY, {"clinic": other.slug}).status_code == 404
    assert desk.get(WEEK, {"clinic": other.slug}).status_code == 404


def make_busy_day(world, specialists, per_specialist):
    """`specialists` people working at the clinic that day, each with `per_specialist` visits."""
    people = [world.alice, *(SpecialistFactory(clinics=[world.clinic]) for _ in range(specialists - 1))]
    weekday = local_day(world, 2).weekday()
    for person in people[1:]:
        WorkingHoursFactory(specialist=person, clinic=world.clinic, weekday=weekday)
    for person in people:
        for n in range(per_specialist):
            AppointmentFactory(
                clinic=world.clinic,
                specialist=person,
                appointment_type=world.visit_type,
                start=world.local(2, 8) + dt.timedelta(minutes=75 * n),
            )
        TimeOff.objects.create(specialist=person, start=world.local(2, 16, 30), end=world.local(2, 17))


def test_day_view_queries_do_not_grow_with_visits(world, desk):
    url = f"{DAY}?clinic={world.clinic.slug}&date={local_day(world, 2)}"
    make_busy_day(world, specialists=1, per_specialist=1)
    few = queries(desk, url)
    Appointment.objects.all().delete()
    make_busy_day(world, specialists=10, per_specialist=7)  # 70 visits: ten times as many people and more.

    assert Appointment.objects.count() == 70
    assert queries(desk, url) == few
    assert few <= 12


def test_week_view_queries_do_not_grow_with_visits(world, desk):
    url = f"{WEEK}?clinic={world.clinic.slug}&date={local_day(world, 2)}"
    make_busy_day(world, specialists=1, per_specialist=1)
    few = queries(desk, url)
    Appointment.objects.all().delete()
    make_busy_day(world, specialists=10, per_specialist=7)

    assert queries(desk, url) == few


# --- Week view -------------------------------------------------------------------------------


def test_week_view_counts_per_day_and_specialist(world, desk):
    book(world, days=2, hour=9, specialist=world.alice, n=1)
    book(world, days=2, hour=11, specialist=world.alice, n=2)
    waiting = book(world, days=2, hour=9, specialist=world.bob, n=3)
    Appointment.objects.filter(pk=waiting.pk).update(status=Status.REQUESTED)
    gone = book(world, days=2, hour=14, specialist=world.bob, n=4)
    services.cancel_appointment(appointment=gone, by_patient=False)

    response = desk.get(WEEK, {"clinic": world.clinic.slug, "date": local_day(world, 2)})

    rows = {row["specialist"]: row for row in response.context["rows"]}
    day = local_day(world, 2)
    alice = next(c for c in rows[world.alice]["cells"] if c["day"] == day)
    bob = next(c for c in rows[world.bob]["cells"] if c["day"] == day)
    assert (alice["count"], bob["count"]) == (2, 1)
    assert response.context["total"] == 3
    html = response.content.decode()
    assert "(1 to confirm)" in html
    assert f'href="{DAY}?clinic={world.clinic.slug}&amp;date={day.isoformat()}"' in html


# --- Dashboard -------------------------------------------------------------------------------


def test_dashboard_on_the_admin_index(world, desk):
    today = AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(0, 0, 5)
    )
    waiting = book(world, days=3, n=2)
    Appointment.objects.filter(pk=waiting.pk).update(status=Status.REQUESTED, source=Appointment.Source.ONLINE)
    AppointmentFactory(
        clinic=world.clinic,
        specialist=world.bob,
        appointment_type=world.visit_type,
        start=world.local(0, 0, 1),
        status=Status.NO_SHOW,
    )
    OutboundEmail.objects.create(
        kind="appointment.confirmed",
        to="x@example.com",
        subject="s",
        body_text="b",
        message_id="<1@x>",
        status=OutboundEmail.Status.FAILED,
        next_attempt_at=timezone.now(),
        about=today,
    )
    Appointment.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(weeks=3))

    html = desk.get("/admin/").content.decode()

    section = re.search(r'<section class="module front-desk".*?</section>', html, re.S).group(0)
    assert re.search(rf"{world.clinic.name}</a></th><td>2</td>", section)
    assert re.search(r"<strong>1</strong> online booking waiting for confirmation", section)
    assert re.search(r"<strong>1</strong> no-show this week", section)
    assert re.search(r"<strong>1</strong> email that failed to send", section)
    assert '<svg viewBox="0 0 640 260" role="img" aria-labelledby="bookings-chart-title bookings-chart-desc"' in section
    assert '<title id="bookings-chart-title">' in section and '<desc id="bookings-chart-desc">' in section
    assert f"{world.clinic.name}: 0, 0, 0, 0, 1, 0, 0, 2." in section
    assert '<table class="chart-table">' in section
    assert "/admin/appointments/appointment/day/" in section


def test_a_practice_wide_dashboard_names_the_busiest_clinics_and_sums_the_rest(world, admin_client):
    others = ClinicFactory.create_batch(20)
    busy = others[7]
    person = SpecialistFactory(clinics=[busy])
    for hour in (9, 10, 11):
        AppointmentFactory(
            clinic=busy, specialist=person, appointment_type=world.visit_type, start=world.local(0, hour)
        )
    AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(0, 9)
    )

    section = re.search(
        r'<section class="module front-desk".*?</section>', admin_client.get("/admin/").content.decode(), re.S
    )[0]
    table = re.search(r'<table class="front-desk-today">.*?</table>', section, re.S)[0]

    assert table.count("<tr>") == 13  # twelve clinics by name, then the rest in one line
    assert re.search(rf"{busy.name}</a></th><td>3</td>", table)
    assert table.index(busy.name) < table.index(world.clinic.name)  # busiest first
    assert re.search(r"The other 9 clinics</a></th><td>0</td>", table)


def test_dashboard_is_not_shown_to_marketing(db):
    marketing = client_for(staff_user("marketing", roles.MARKETING))

    assert "front-desk" not in marketing.get("/admin/").content.decode()


def test_dashboard_queries_do_not_grow(world, desk):
    def count(visits):
        Appointment.objects.all().delete()
        empty_cache()  # the dashboard is cached for a minute
        for n in range(visits):
            AppointmentFactory(
                clinic=world.clinic,
                specialist=[world.alice, world.bob][n % 2],
                appointment_type=world.visit_type,
                start=world.local(n // 16, 8) + dt.timedelta(hours=n % 16 // 2),
                status=[Status.REQUESTED, Status.NO_SHOW, Status.CONFIRMED][n % 3],
            )
        return queries(desk, "/admin/")

    assert count(3) == count(60)


# --- No inline script or style: the site's Content-Security-Policy forbids them -------------


def test_our_admin_templates_have_no_inline_style_or_script():
    templates = Path(settings.BASE_DIR, "templates", "admin")
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert "style=" not in text, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert "<style" not in text, path


@pytest.mark.parametrize("page", ["day", "week", "index"])
def test_schedule_pages_render_without_inline_style(world, desk, page):
    book(world)
    url = {"day": DAY, "week": WEEK, "index": "/admin/"}[page]

    html = desk.get(url, {"clinic": world.clinic.slug, "date": local_day(world, 2)}).content.decode()

    assert ' style="' not in html
    assert "admin-schedule.css" in html
