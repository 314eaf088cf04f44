"""The front desk's day and week schedules and the dashboard on the admin index."""

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import roles, services
from appointments.models import Appointment, TimeOff, WorkingHours
from armorpt.models import OutboundEmail
from clinics.models import Clinic, ClinicClosure
from tests.caches import empty_cache
from tests.factories import AppointmentFactory, ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import book, client_for, detroit, patient, staff_user

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
    client.get(url)  # once before: a session's first request of the day may write to it
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
    # The other specialist's morning, one half-hour at a time.
    assert "Free 8:00 AM–8:30 AM" in html and "Free 11:30 AM–12:00 PM" in html
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
    assert few <= 14  # the two of new-or-returning included


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


# --- The day view you act in: book a free half-hour, today from now, each visit's buttons -------

TEN_TEN = detroit(2027, 6, 15, 10, 10)  # a Tuesday morning at the clinic, mid-way through a half-hour


def day_page(client, world, day=None, **params):
    return client.get(DAY, {"clinic": world.clinic.slug, "date": (day or world.today()).isoformat(), **params})


def grid_html(html):
    return re.search(r"<table class=\"day-grid.*?</table>", html, re.S).group(0)


def cell_of(html, visit):
    """The day grid's block of one visit, from its <td> to the next."""
    start = html.index(f'href="/admin/appointments/appointment/{visit.pk}/change/"')
    return html[html.rindex("<td", 0, start) : html.index("</td>", start)]


def add_link(world, specialist, day, time):
    return (
        f"/admin/appointments/appointment/add/?clinic={world.clinic.pk}&amp;specialist={specialist.pk}"
        f"&amp;day={day.isoformat()}&amp;time={time.replace(':', '%3A')}"
    )


def day_url(world, day=None):
    return f"{DAY}?clinic={world.clinic.slug}&date={(day or world.today()).isoformat()}"


def act(client, visit, world, status=None, *, reason=None, next_url=None, day=None):
    """Press a visit's button on the day view, as the page's form posts it."""
    next_url = day_url(world, day) if next_url is None else next_url
    if reason is not None:
        url = f"/admin/appointments/appointment/{visit.pk}/cancel/"
        data = {"reason": reason, "next": next_url}
    else:
        url = f"/admin/appointments/appointment/{visit.pk}/status/"
        data = {"status": status, "next": next_url}
    return client.post(url, data)


def test_every_free_half_hour_books_that_time(world, desk):
    day = local_day(world, 2)

    html = grid_html(day_page(desk, world, day).content.decode())

    for time in ("08:00", "08:30", "12:00", "16:30"):
        assert add_link(world, world.alice, day, time) in html
        assert add_link(world, world.bob, day, time) in html
    assert "Free 8:30 AM–9:00 AM" in html
    assert html.count("book with Alice Park") == 18  # 08:00 to 17:00, nine hours


def test_a_free_block_after_an_odd_end_books_its_first_minutes_then_each_half_hour(world, desk):
    world.visit(2, 9, 20, specialist=world.alice)  # 9:20 to 10:20, then a buffer to 10:35

    html = grid_html(day_page(desk, world, local_day(world, 2)).content.decode())

    # Rows of ten minutes (the visit's 20 past): the first free row after the buffer is 10:40.
    assert add_link(world, world.alice, local_day(world, 2), "10:40") in html
    assert "Free 10:40 AM–11:00 AM" in html
    assert add_link(world, world.alice, local_day(world, 2), "11:00") in html


@pytest.mark.clock(TEN_TEN)
def test_today_free_time_starts_from_now_and_a_line_marks_now(world, desk):
    html = day_page(desk, world).content.decode()
    grid = grid_html(html)
    today = world.today()

    for gone in ("08:00", "09:30", "10:00"):  # 10:00-10:30 has begun: the form would refuse it
        assert add_link(world, world.alice, today, gone) not in grid
    assert add_link(world, world.alice, today, "10:30") in grid
    assert "slot slot-past" in grid and ">Past<" in grid
    # The line sits a third of the way down the 10:00 row, and says the time.
    row = re.search(r'<tr class="[^"]*now-row[^"]*"[^>]*>\s*<th scope="row" class="time">(.*?)</th>', grid, re.S)
    assert row and row.group(1).startswith("10:00 AM")
    assert '<span class="now-line now-at-3"><span class="now-label">Now 10:10 AM</span></span>' in row.group(1)
    assert grid.count("now-line") == 1
    assert "it is now 10:10 AM" in html
    assert "admin-now-line.js" in html


@pytest.mark.clock(TEN_TEN)
def test_other_days_have_no_now_line_and_past_days_nothing_to_book(world, desk):
    tomorrow = day_page(desk, world, local_day(world, 1)).content.decode()
    yesterday = grid_html(day_page(desk, world, local_day(world, -1)).content.decode())

    assert 'class="now-line' not in tomorrow and "it is now" not in tomorrow
    assert add_link(world, world.alice, local_day(world, 1), "08:00") in tomorrow
    assert 'class="now-line' not in yesterday
    assert "/appointment/add/?" not in yesterday and "Free " not in yesterday


@pytest.mark.clock(detroit(2027, 3, 14, 10, 45))  # the morning the clocks sprang forward
def test_the_now_line_on_a_daylight_saving_day(world, desk):
    html = grid_html(day_page(desk, world).content.decode())

    row = re.search(r'<tr class="[^"]*now-row[^"]*"[^>]*>\s*<th scope="row" class="time">(.*?)</th>', html, re.S)
    assert row.group(1).startswith("10:30 AM") and "now-at-5" in row.group(1) and "Now 10:45 AM" in row.group(1)
    assert add_link(world, world.alice, world.today(), "11:00") in html
    assert add_link(world, world.alice, world.today(), "10:30") not in html


def test_book_a_caller_from_a_day_view_carries_the_day_and_clinic(world, desk):
    day = local_day(world, 3)

    html = day_page(desk, world, day).content.decode()

    here = urlencode({"next": f"/admin/appointments/appointment/day/?clinic={world.clinic.slug}&date={day}"})
    link = f"/admin/appointments/appointment/add/?clinic={world.clinic.pk}&day={day.isoformat()}&{here}"
    assert f'href="{link.replace("&", "&amp;")}"' in html
    form = desk.get(link)
    assert form.status_code == 200
    assert form.context["form"].initial["day"] == day.isoformat()


def test_book_a_caller_opened_from_a_day_has_a_way_back_to_it(world, desk):
    day = local_day(world, 3)
    day_url = f"/admin/appointments/appointment/day/?clinic={world.clinic.slug}&date={day}"

    from_day = desk.get(f"/admin/appointments/appointment/add/?clinic={world.clinic.pk}&{urlencode({'next': day_url})}")
    elsewhere = desk.get("/admin/appointments/appointment/add/?next=https://evil.example/")

    assert re.search(
        rf'<a class="closelink" href="{re.escape(day_url.replace("&", "&amp;"))}">Back to the day</a>',
        from_day.content.decode(),
    )
    assert not re.search(r'class="closelink" href="https://evil', elsewhere.content.decode())
    assert 'class="closelink" href="/admin/appointments/appointment/">Back</a>' in elsewhere.content.decode()


def test_a_caller_booked_from_a_free_half_hour_lands_back_on_that_day(world, desk):
    day = local_day(world, 3)
    html = day_page(desk, world, day).content.decode()
    link = re.search(r'href="(/admin/appointments/appointment/add/\?[^"]*time=10%3A00[^"]*)"', html).group(1)
    link = link.replace("&amp;", "&")

    response = desk.post(
        link,
        {
            "clinic": world.clinic.pk,
            "specialist": world.alice.pk,
            "appointment_type": world.visit_type.pk,
            "day": day.isoformat(),
            "time": "10:00",
            "source": "phone",
            "first_name": "Walter",
            "last_name": "Nash",
            "phone": "269 555 0142",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/admin/appointments/appointment/day/?clinic={world.clinic.slug}&date={day}"
    assert Appointment.objects.get(last_name="Nash").start_local.hour == 10


def test_a_visit_shows_phone_reason_payment_and_status(world, desk):
    visit = book(world, days=2, hour=10, n=188, payment="Priority Health")

    cell = cell_of(day_page(desk, world, local_day(world, 2)).content.decode(), visit)

    assert "(269) 555-0188" in cell
    assert "Reason: Back pain" in cell
    assert "Pays: Priority Health" in cell
    assert "Confirmed" in cell
    assert "New patient" in cell


@pytest.mark.clock(TEN_TEN)
def test_new_or_returning_follows_the_same_person_rule(world, desk):
    came_before = world.visit(-30, 9, email="ruth@example.com", phone="+12695550101")
    first_time = world.visit(0, 11, email="new@example.com", phone="+12695550102", specialist=world.bob)
    by_phone = world.visit(0, 13, email="other@example.com", phone="+12695550101")
    by_email = world.visit(0, 15, email="RUTH@example.com", phone="+12695550109", specialist=world.bob)
    only_cancelled = world.visit(-20, 9, email="gone@example.com", phone="+12695550103", status=Status.CANCELLED)
    after_a_cancel = world.visit(0, 16, email="gone@example.com", phone="+12695550103")
    assert came_before and only_cancelled

    html = day_page(desk, world).content.decode()

    assert "New patient" in cell_of(html, first_time)
    assert "Returning" in cell_of(html, by_phone)
    assert "Returning" in cell_of(html, by_email)
    assert "New patient" in cell_of(html, after_a_cancel)


@pytest.mark.clock(TEN_TEN)
def test_each_visit_offers_only_the_buttons_its_status_and_time_allow(world, desk):
    requested = world.visit(0, 11, status=Status.REQUESTED)
    started = world.visit(0, 9, status=Status.CONFIRMED, specialist=world.bob)
    arrived = world.visit(0, 9, 30, status=Status.ARRIVED)
    later = world.visit(3, 11, status=Status.CONFIRMED)

    html = day_page(desk, world).content.decode()
    later_html = day_page(desk, world, local_day(world, 3)).content.decode()

    def buttons(cell):
        return set(re.findall(r'name="status" value="(\w+)"', cell))

    assert buttons(cell_of(html, requested)) == {"confirmed", "arrived"}
    assert buttons(cell_of(html, started)) == {"arrived", "completed", "no_show"}
    assert buttons(cell_of(html, arrived)) == {"completed"}
    assert buttons(cell_of(later_html, later)) == set()  # three days ahead: neither arrived nor missed yet
    for open_visit, page in ((requested, html), (started, html), (later, later_html)):
        cell = cell_of(page, open_visit)
        assert f"/admin/appointments/appointment/{open_visit.pk}/cancel/?next=" in cell
        assert f"/admin/appointments/appointment/{open_visit.pk}/reschedule/?next=" in cell
        assert 'name="reason"' in cell and "required" in cell
        assert cell.count('name="csrfmiddlewaretoken"') == cell.count("<form")
    assert "/cancel/" not in cell_of(html, arrived) and "/reschedule/" not in cell_of(html, arrived)


def test_a_viewer_without_change_permission_gets_no_buttons(world):
    viewer = staff_user("viewer")
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_appointment"))
    client = client_for(viewer)
    from clinics.models import ClinicAccess

    ClinicAccess.objects.create(user=viewer, clinic=world.clinic)
    visit = book(world, days=2)

    html = day_page(client, world, local_day(world, 2)).content.decode()

    assert visit.patient_name in html
    assert "visit-actions" not in html and "/appointment/add/?" not in html


@pytest.mark.clock(TEN_TEN)
def test_confirm_arrived_and_no_show_from_the_day_view_return_to_that_day(world, desk):
    requested = world.visit(0, 11, status=Status.REQUESTED)
    coming = world.visit(0, 12, status=Status.CONFIRMED, specialist=world.bob)
    missed = world.visit(0, 9, status=Status.CONFIRMED, specialist=world.bob)

    response = act(desk, requested, world, Status.CONFIRMED)

    assert response.status_code == 302 and response["Location"] == day_url(world)
    requested.refresh_from_db()
    assert requested.status == Status.CONFIRMED
    assert OutboundEmail.objects.filter(kind="appointment.confirmed", to=requested.email).count() == 1
    page = desk.get(response["Location"]).content.decode()
    assert f"{requested.patient_name}: marked confirmed." in page

    assert act(desk, coming, world, Status.ARRIVED)["Location"] == day_url(world)
    assert act(desk, missed, world, Status.NO_SHOW)["Location"] == day_url(world)
    coming.refresh_from_db(), missed.refresh_from_db()
    assert (coming.status, missed.status) == (Status.ARRIVED, Status.NO_SHOW)


def test_cancel_with_a_reason_from_the_day_view(world, desk):
    visit = book(world, days=2, hour=10)
    day = local_day(world, 2)

    response = act(desk, visit, world, reason="Patient is unwell", day=day)

    assert response.status_code == 302 and response["Location"] == day_url(world, day)
    visit.refresh_from_db()
    assert visit.status == Status.CANCELLED and visit.cancellation_reason == "Patient is unwell"
    assert OutboundEmail.objects.filter(kind="appointment.cancelled", to=visit.email).count() == 1
    page = desk.get(response["Location"]).content.decode()
    assert f"Cancelled the visit of {visit.patient_name}." in page
    assert "Cancelled this day" in page and "Patient is unwell" in page


def test_cancel_without_a_reason_asks_for_one_and_still_returns_to_the_day(world, desk):
    visit = book(world, days=2, hour=10)
    day = local_day(world, 2)
    url = f"/admin/appointments/appointment/{visit.pk}/cancel/?" + urlencode({"next": day_url(world, day)})

    response = desk.post(url, {"reason": ""})

    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert desk.post(url, {"reason": "Booked by mistake"})["Location"] == day_url(world, day)


def test_a_refused_action_is_a_message_on_the_day_not_an_error(world, desk):
    visit = book(world, days=2, hour=10)
    services.cancel_appointment(appointment=visit, by_patient=False, reason="Flu")
    later = book(world, days=2, hour=14, n=2)

    arrived = act(desk, visit, world, Status.ARRIVED, day=local_day(world, 2))
    too_early = act(desk, later, world, Status.ARRIVED, day=local_day(world, 2))

    assert arrived.status_code == too_early.status_code == 302
    assert arrived["Location"] == day_url(world, local_day(world, 2))
    page = desk.get(arrived["Location"]).content.decode()
    assert "A cancelled visit cannot be marked arrived." in page
    assert "more than three hours away" in page
    later.refresh_from_db()
    assert later.status == Status.CONFIRMED


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/admin/appointments/appointment/day/?clinic=kalamazoo",
        "//evil.example/admin/appointments/appointment/day/",
        "/admin/auth/user/",
        "javascript:alert(1)",
    ],
)
def test_an_unsafe_next_is_ignored(world, desk, unsafe):
    visit = book(world, days=2, hour=10)
    Appointment.objects.filter(pk=visit.pk).update(status=Status.REQUESTED)

    response = act(desk, visit, world, Status.CONFIRMED, next_url=unsafe)

    assert response["Location"] == f"/admin/appointments/appointment/{visit.pk}/change/"
    visit.refresh_from_db()
    assert visit.status == Status.CONFIRMED


def test_move_returns_to_the_day(world, desk):
    visit = book(world, days=2, hour=10)
    day = local_day(world, 2)
    url = f"/admin/appointments/appointment/{visit.pk}/reschedule/?" + urlencode({"next": day_url(world, day)})

    response = desk.post(url, {"day": day.isoformat(), "time": "14:00", "specialist": world.bob.pk})

    assert response.status_code == 302 and response["Location"] == day_url(world, day)
    visit.refresh_from_db()
    assert visit.specialist == world.bob and visit.start == world.local(2, 14)


def test_no_acting_on_another_clinics_visit(world, desk):
    elsewhere = ClinicFactory()
    person = SpecialistFactory(clinics=[elsewhere])
    theirs = AppointmentFactory(
        clinic=elsewhere, specialist=person, appointment_type=world.visit_type, start=world.local(2, 10)
    )
    Appointment.objects.filter(pk=theirs.pk).update(status=Status.REQUESTED)

    confirm = act(desk, theirs, world, Status.CONFIRMED)
    cancel = act(desk, theirs, world, reason="Not ours")

    assert confirm.status_code in (403, 404) and cancel.status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.status == Status.REQUESTED
    assert not OutboundEmail.objects.filter(kind__in=["appointment.confirmed", "appointment.cancelled"]).exists()


def test_status_buttons_are_posts_only(world, desk):
    visit = book(world, days=2, hour=10)

    assert desk.get(f"/admin/appointments/appointment/{visit.pk}/status/?status=arrived").status_code == 405


# --- The week view: names and free time ---------------------------------------------------------


def week_cell(response, specialist, day):
    rows = {row["specialist"]: row for row in response.context["rows"]}
    return next(c for c in rows[specialist]["cells"] if c["day"] == day)


def test_week_cells_show_names_or_a_count_and_the_free_time_left(world, desk):
    day = local_day(world, 2)
    book(world, days=2, hour=9, specialist=world.alice, n=1)
    book(world, days=2, hour=11, specialist=world.alice, n=2)
    for n, hour in enumerate((8, 10, 12, 14, 16), start=3):  # five people: a count instead
        book(world, days=2, hour=hour, specialist=world.bob, n=n)
    TimeOff.objects.create(specialist=world.alice, start=world.local(2, 15), end=world.local(2, 16))

    response = desk.get(WEEK, {"clinic": world.clinic.slug, "date": day})
    html = response.content.decode()

    alice, bob = week_cell(response, world.alice, day), week_cell(response, world.bob, day)
    assert alice["names"] == ["Ana Lopez1", "Ana Lopez2"] and alice["count"] == 2
    # Nine hours, less two visits of an hour and their 15-minute buffers, less an hour away.
    assert alice["free"] == 9 * 60 - 2 * 75 - 60 and alice["free_label"] == "5 h 30 free"
    assert bob["names"] == [] and bob["count"] == 5
    assert bob["free"] == 9 * 60 - 4 * 75 - 60 and bob["free_label"] == "3 h free"  # the 16:00 visit runs to closing
    assert '<span class="week-name">Ana Lopez1</span>' in html
    assert '<span class="week-count">5 visits</span>' in html
    assert '<span class="week-free">5 h 30 free</span>' in html
    assert f'<a class="week-cell-link" href="{DAY}?clinic={world.clinic.slug}&amp;date={day.isoformat()}">' in html


@pytest.mark.clock(TEN_TEN)
def test_week_free_time_today_counts_from_now_and_past_days_say_nothing(world, desk):
    today = world.today()

    response = desk.get(WEEK, {"clinic": world.clinic.slug, "date": today})

    assert week_cell(response, world.alice, today)["free_label"] == "6 h 50 free"  # 10:10 to 17:00
    assert week_cell(response, world.alice, today - dt.timedelta(days=1))["free_label"] == ""
    assert week_cell(response, world.alice, today + dt.timedelta(days=1))["free_label"] == "9 h free"


def test_week_free_time_on_a_closed_day_and_a_fully_booked_one(world, desk):
    day = local_day(world, 2)
    ClinicClosure.objects.create(clinic=world.clinic, date=local_day(world, 3), reason="Staff training")
    WorkingHours.objects.filter(specialist=world.alice).update(end_time=dt.time(9, 15))
    book(world, days=2, hour=8, specialist=world.alice)

    response = desk.get(WEEK, {"clinic": world.clinic.slug, "date": day})

    assert week_cell(response, world.alice, day)["free_label"] == "No free time left"
    assert week_cell(response, world.bob, local_day(world, 3))["free_label"] == ""
    assert "Closed" in response.content.decode()


@pytest.mark.parametrize("when", ["spring", "fall"])
def test_week_free_time_on_a_daylight_saving_sunday(world, desk, when):
    year = timezone.localdate().year + 1
    first = dt.date(year, 3, 8) if when == "spring" else dt.date(year, 11, 1)
    sunday = first + dt.timedelta(days=(6 - first.weekday()) % 7)

    response = desk.get(WEEK, {"clinic": world.clinic.slug, "date": sunday})

    # Eight to five on the clock is nine hours whichever night the clocks change.
    assert week_cell(response, world.alice, sunday)["free_label"] == "9 h free"


# --- Query counts with ten times the visits ---------------------------------------------------


def test_day_view_queries_stay_bounded_with_ten_times_the_visits(world, desk, django_assert_max_num_queries):
    url = day_url(world, local_day(world, 2))
    make_busy_day(world, specialists=1, per_specialist=7)
    few = queries(desk, url)
    Appointment.objects.all().delete()
    make_busy_day(world, specialists=10, per_specialist=7)
    Appointment.objects.filter(pk__in=Appointment.objects.values("pk")[:20]).update(status=Status.REQUESTED)

    with django_assert_max_num_queries(few):
        response = desk.get(url)
    assert response.content.decode().count("/cancel/?next=") == 70


@pytest.mark.clock(TEN_TEN)
def test_week_view_queries_stay_bounded_with_ten_times_the_visits(world, desk, django_assert_max_num_queries):
    def fill(per_day):
        Appointment.objects.all().delete()
        for n in range(7 * per_day):
            world.visit(n // per_day, 8 + n % per_day, specialist=[world.alice, world.bob][n % 2])

    url = f"{WEEK}?clinic={world.clinic.slug}&date={world.today()}"
    fill(1)
    few = queries(desk, url)
    fill(9)  # every hour of every day, both specialists

    with django_assert_max_num_queries(few):
        desk.get(url)
