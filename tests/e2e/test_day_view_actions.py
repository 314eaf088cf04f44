"""The front desk works from today's day view: books a caller by clicking a free half-hour, then
confirms a request and marks the patient arrived without leaving the day.

Nothing is frozen for the browser: the data is laid out around the server's "now" (the live
server's clock runs), with times far enough ahead that the test's own seconds do not matter.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment, AppointmentType, WorkingHours
from clinics.models import Clinic
from tests.e2e.desk import PASSWORD, front_desk_user
from tests.factories import AppointmentFactory
from tests.helpers import emails

pytestmark = pytest.mark.e2e(needs=("chromium",))

PHONE = {"width": 390, "height": 844}


def _log_in(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("Site administration|front desk", re.I)).first).to_be_visible()


def _free_times(clinic, visit_type, now):
    """(specialist, start) for every half-hour today, at least twenty minutes from now, that a whole
    visit fits in before the end of that working block."""
    today = now.astimezone(clinic.tz).date()
    span = visit_type.duration
    times = []
    for hours in WorkingHours.objects.filter(clinic=clinic, weekday=today.weekday()).select_related("specialist"):
        start = dt.datetime.combine(today, hours.start_time, clinic.tz)
        end = dt.datetime.combine(today, hours.end_time, clinic.tz)
        while start + span <= end:
            if start >= now + dt.timedelta(minutes=20):
                times.append((hours.specialist, start))
            start += dt.timedelta(minutes=30)
    return sorted(times, key=lambda t: (t[1], t[0].pk))


def _label(local):
    return f"{local.strftime('%I').lstrip('0')}:{local:%M %p}"


def test_the_front_desk_books_confirms_and_marks_arrived_from_the_day_view(demo, journey, page, outbox):
    clinic = Clinic.objects.get(slug="battle-creek")  # confirms online requests by hand
    visit_type = AppointmentType.objects.get(slug="initial-evaluation")
    now = timezone.now()
    times = _free_times(clinic, visit_type, now)
    assert times, "nobody works at Battle Creek in the rest of today: the demo's hours changed"
    # Rosa's request is the first time ahead (so "arrived" may be pressed, from three hours before);
    # the caller is booked at a free half-hour after it.
    specialist, request_at = times[0]
    caller_at = next(
        t for s, t in times if s == specialist and t >= request_at + visit_type.duration + visit_type.buffer_after
    )
    AppointmentFactory(  # Rosa came a month ago, so she is "returning"
        clinic=clinic,
        specialist=specialist,
        appointment_type=visit_type,
        start=now - dt.timedelta(days=30),
        first_name="Rosa",
        last_name="Diaz",
        email="rosa@example.com",
        phone="+12695550177",
        status="completed",
    )
    request = AppointmentFactory(
        clinic=clinic,
        specialist=specialist,
        appointment_type=visit_type,
        start=request_at.astimezone(dt.UTC),
        first_name="Rosa",
        last_name="Diaz",
        email="rosa@example.com",
        phone="+12695550177",
        status="requested",
        reason="neck-pain",
        payment="Paying myself",
    )
    front_desk_user(clinic)

    _log_in(page)
    page.goto("/admin/appointments/appointment/day/")  # today, at the desk's one clinic
    expect(page.get_by_role("heading", name="Day schedule")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("it is now ")
    expect(page.locator(".now-line")).to_have_count(1)
    journey.step(page, "today's day view")

    # A free half-hour opens "Book a caller" filled in with that time.
    page.get_by_role(
        "link", name=re.compile(rf"^Free {re.escape(_label(caller_at))}–.*book with {specialist.name}")
    ).click()
    expect(page.get_by_label("Time")).to_have_value(f"{caller_at:%H:%M}")
    expect(page.get_by_label("Day")).to_have_value(caller_at.date().isoformat())
    page.get_by_label("First name").fill("Walter")
    page.get_by_label("Last name").fill("Nash")
    page.get_by_label("Phone").fill("269 555 0142")
    journey.step(page, "book a caller")
    page.get_by_role("button", name="Book").or_(page.locator("input[type=submit][value=Book]")).first.click()
    expect(page.locator(".messagelist")).to_contain_text("Booked Walter Nash")
    caller = Appointment.objects.get(last_name="Nash")
    assert caller.start == caller_at.astimezone(dt.UTC) and caller.specialist == specialist

    # Booked from the day, the desk is back on it: the caller is there with their phone number.
    expect(page.get_by_role("heading", name="Day schedule")).to_be_visible()
    caller_block = page.locator("td.slot-visit", has_text="Walter Nash")
    expect(caller_block).to_contain_text("(269) 555-0142")
    expect(caller_block).to_contain_text("Confirmed")
    request_block = page.locator("td.slot-visit", has_text="Rosa Diaz")
    expect(request_block).to_contain_text("Returning")
    expect(request_block).to_contain_text("Requested")
    journey.step(page, "the day with the caller")

    # Confirm Rosa's request, then mark her arrived: each time back on the same day.
    day_url = page.url
    page.get_by_role("button", name="Confirm: Rosa Diaz").click()
    expect(page.locator(".messagelist")).to_contain_text("Rosa Diaz: marked confirmed.")
    assert page.url == day_url
    expect(page.locator("td.slot-visit", has_text="Rosa Diaz")).to_contain_text("Confirmed")
    page.get_by_role("button", name="Arrived: Rosa Diaz").click()
    expect(page.locator(".messagelist")).to_contain_text("Rosa Diaz: marked arrived.")
    assert page.url == day_url
    expect(page.locator("td.slot-visit", has_text="Rosa Diaz")).to_contain_text("Arrived")
    journey.step(page, "confirmed and arrived")

    request.refresh_from_db()
    assert request.status == "arrived"
    assert [e.to for e in emails("appointment.confirmed")].count("rosa@example.com") == 1

    # The caller cancels after all: a reason, typed in the visit's block.
    caller_block.get_by_text("Cancel…").click()
    caller_block.get_by_label("Reason").fill("Patient called to cancel")
    caller_block.get_by_role("button", name=re.compile("Cancel the visit")).click()
    expect(page.locator(".messagelist")).to_contain_text("Cancelled the visit of Walter Nash.")
    assert page.url == day_url
    caller.refresh_from_db()
    assert caller.status == "cancelled" and caller.cancellation_reason == "Patient called to cancel"


def _violations(axe, page):
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})" for v in axe(page)]


@pytest.mark.e2e(needs=("chromium", "axe"))
def test_the_day_and_week_views_fit_a_phone_and_pass_axe(demo, journey, axe):
    clinic = Clinic.objects.get(slug="battle-creek")
    visit_type = AppointmentType.objects.get(slug="initial-evaluation")
    now = timezone.now()
    specialist, start = _free_times(clinic, visit_type, now)[0]
    AppointmentFactory(
        clinic=clinic,
        specialist=specialist,
        appointment_type=visit_type,
        start=start.astimezone(dt.UTC),
        status="requested",
        reason="back-pain",
        payment="Blue Cross Blue Shield of Michigan",
    )
    front_desk_user(clinic)
    page = journey.new_page(viewport=PHONE)

    _log_in(page)
    page.goto(f"/admin/appointments/appointment/day/?clinic={clinic.slug}")

    expect(page.get_by_role("button", name=re.compile("^Confirm:"))).to_be_visible()
    journey.step(page, "the day view on a phone")  # fails if the page scrolls sideways
    page.get_by_text("Cancel…").first.click()  # the inline cancel form, open
    assert _violations(axe, page) == []
    page.goto(f"/admin/appointments/appointment/week/?clinic={clinic.slug}")
    expect(page.locator(".week-free").first).to_be_visible()
    journey.step(page, "the week view on a phone")
    assert _violations(axe, page) == []


def test_the_now_line_moves_on_with_the_minutes(demo, journey, page):
    """The line is drawn by the server; our small script moves it each minute by the minutes that
    passed since the page came (the browser's own clock may be wrong: only its ticking is used)."""
    clinic = Clinic.objects.get(slug="battle-creek")
    front_desk_user(clinic)
    page.clock.install()  # the browser's timers run only when told to, below
    _log_in(page)
    page.goto(f"/admin/appointments/appointment/day/?clinic={clinic.slug}")
    line = page.locator(".now-line")
    expect(line).to_have_count(1)
    row_start = int(page.locator("tr.now-row").get_attribute("data-start"))
    label = line.inner_text()

    page.clock.run_for(45 * 60 * 1000)  # three quarters of an hour later

    later = int(page.locator("tr:has(.now-line)").get_attribute("data-start"))
    assert later > row_start  # a row or more further down
    assert line.inner_text() != label and re.fullmatch(r"Now \d{1,2}:\d\d [AP]M", line.inner_text())
    expect(page.locator(".now-line")).to_have_count(1)
    journey.step(page, "three quarters of an hour later")
