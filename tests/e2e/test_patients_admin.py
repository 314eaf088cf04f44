"""The front desk books a returning caller: finds them by typing part of their phone number, picks
them (the form fills in), books, and sees the visit in the patient's history."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.desk import PASSWORD, front_desk_user
from tests.helpers import book_directly, free_start

pytestmark = pytest.mark.e2e(needs=("chromium",))


def test_the_front_desk_finds_a_returning_caller_by_phone_books_them_and_sees_their_history(demo, journey, page):
    earlier = book_directly("kalamazoo", n=1)  # Ben Ortiz1, (269) 555-0001, booked online before
    record = earlier.patient
    front_desk_user(earlier.clinic)
    start = free_start("kalamazoo", skip=4).astimezone(earlier.clinic.tz)

    page.goto("/admin/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # "Book a caller" at a free time, as a free half-hour of the day view opens it.
    page.goto(
        f"/admin/appointments/appointment/add/?clinic={earlier.clinic.pk}&day={start.date().isoformat()}"
        f"&time={start:%H:%M}"
    )
    expect(page.get_by_role("heading", name=re.compile("Book a patient", re.I))).to_be_visible()
    journey.step(page, "book a caller")

    page.locator(".field-patient .select2-selection").click()
    page.locator(".select2-search__field").press_sequentially("555-0001", delay=40)
    pick = page.get_by_role("option", name="Ben Ortiz1, born 06/01/1979, (269) 555-0001")
    expect(pick).to_be_visible()
    journey.step(page, "found by part of the phone number")
    pick.click()

    expect(page.locator("#id_first_name")).to_have_value("Ben")
    expect(page.locator("#id_last_name")).to_have_value("Ortiz1")
    expect(page.locator("#id_phone")).to_have_value("(269) 555-0001")
    expect(page.locator("#id_email")).to_have_value("ben1@example.com")
    expect(page.locator("#id_date_of_birth")).to_have_value("1979-06-01")
    expect(page.get_by_role("status")).to_contain_text("Filled in from Ben Ortiz1")
    journey.step(page, "the form filled in from the pick")

    page.get_by_role("button", name="Book").click()
    expect(page.locator(".messagelist")).to_contain_text("Booked Ben Ortiz1")
    journey.step(page, "booked")

    page.get_by_role("link", name=re.compile("Ben Ortiz1")).first.click()
    expect(page.get_by_role("heading", name="Visits", exact=True)).to_be_visible()
    upcoming = page.locator("#visits table").first
    expect(upcoming).to_contain_text(f"{start:%b} {start.day}")
    expect(upcoming.get_by_role("link")).to_have_count(2)  # the visit booked online and the one just booked
    journey.step(page, "the patient's history")

    from appointments.models import Appointment

    booked = Appointment.objects.filter(source="phone").get()
    assert booked.patient_id == record.pk
    assert record.appointments.count() == 2
