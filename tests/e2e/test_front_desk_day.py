"""Issue 16's day at the desk, in one go: a returning patient phones; the desk clicks a free
half-hour, finds her by typing part of her phone number, books her, confirms her online request
and marks her arrived from the day view, and opens her history."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments import services
from appointments.models import Appointment, AppointmentType
from clinics.models import Clinic
from tests.e2e.desk import front_desk_user
from tests.e2e.test_day_view_actions import _free_times, _label, _log_in

pytestmark = pytest.mark.e2e(needs=("chromium",))


def test_a_returning_caller_is_found_by_phone_booked_confirmed_and_arrived_from_the_day(demo, journey, page):
    clinic = Clinic.objects.get(slug="battle-creek")  # confirms online requests by hand
    visit_type = AppointmentType.objects.get(slug="initial-evaluation")
    now = timezone.now()
    times = _free_times(clinic, visit_type, now)
    specialist, request_at = times[0]
    caller_at = next(
        t for s, t in times if s == specialist and t >= request_at + visit_type.duration + visit_type.buffer_after
    )
    rosa = services.Patient(
        first_name="Rosa",
        last_name="Diaz",
        email="rosa@example.com",
        phone="+12695550177",
        date_of_birth=dt.date(1971, 3, 9),
        consented_at=now,
    )
    # An online request for this morning (booked through the service: it makes her patient record).
    request = services.book_appointment(
        clinic=clinic,
        start=request_at.astimezone(dt.UTC),
        patient=rosa,
        specialist=specialist,
        appointment_type=visit_type,
        source=Appointment.Source.PHONE,
    )
    Appointment.objects.filter(pk=request.pk).update(status="requested", source="online")
    record = request.patient
    front_desk_user(clinic)

    _log_in(page)
    page.goto("/admin/appointments/appointment/day/")
    expect(page.get_by_role("heading", name="Day schedule")).to_be_visible()

    # She phones for a second visit: a free half-hour opens "Book a caller" at that time.
    page.get_by_role(
        "link", name=re.compile(rf"^Free {re.escape(_label(caller_at))}–.*book with {specialist.name}")
    ).click()
    expect(page.get_by_label("Time")).to_have_value(f"{caller_at:%H:%M}")
    page.locator(".field-patient .select2-selection").click()
    page.locator(".select2-search__field").press_sequentially("0177", delay=40)
    pick = page.get_by_role("option", name="Rosa Diaz, born 03/09/1971, (269) 555-0177")
    expect(pick).to_be_visible(timeout=15_000)
    pick.click()
    expect(page.locator("#id_phone")).to_have_value("(269) 555-0177")
    journey.step(page, "found by part of her phone number")
    page.get_by_role("button", name="Book").or_(page.locator("input[type=submit][value=Book]")).first.click()

    # Back on the day, which now holds both her visits.
    expect(page.locator(".messagelist")).to_contain_text("Booked Rosa Diaz")
    expect(page.get_by_role("heading", name="Day schedule")).to_be_visible()
    expect(page.locator("td.slot-visit", has_text="Rosa Diaz")).to_have_count(2)
    day_url = page.url

    page.get_by_role("button", name="Confirm: Rosa Diaz").click()
    expect(page.locator(".messagelist")).to_contain_text("Rosa Diaz: marked confirmed.")
    # Both her visits are close enough to mark arrived: the morning one is first on the day.
    page.get_by_role("button", name="Arrived: Rosa Diaz").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Rosa Diaz: marked arrived.")
    assert page.url == day_url
    journey.step(page, "confirmed and arrived, on the same day")

    page.get_by_role("link", name="Visits of Rosa Diaz").first.click()
    expect(page.get_by_role("heading", name="Visits", exact=True)).to_be_visible()
    history = page.locator("#visits")
    expect(history).to_contain_text("Arrived")
    expect(history).to_contain_text(_label(caller_at))
    journey.step(page, "her history")

    request.refresh_from_db()
    assert request.status == "arrived"
    booked = record.appointments.exclude(pk=request.pk).get()
    assert (booked.status, booked.source, booked.start) == ("confirmed", "phone", caller_at.astimezone(dt.UTC))
