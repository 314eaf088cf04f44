import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from clinics.models import Clinic, Weekday
from content import hours, selectors
from tests.content.pages import Page
from tests.factories import ClinicClosureFactory, ClinicFactory, OpeningHoursFactory

pytestmark = pytest.mark.django_db

# Monday 20:00 UTC: Monday afternoon in Michigan, already Tuesday morning on Kiritimati (UTC+14).
MONDAY_EVENING_UTC = datetime.datetime(2030, 11, 18, 20, 0, tzinfo=datetime.UTC)


def today_row(page):
    rows = page.find_all("div", aria_current="date")
    assert len(rows) == 1
    return rows[0]


def test_location_page_has_address_phone_map_link_and_booking(demo, get_page):
    clinic = Clinic.objects.get(slug="portage")

    page = get_page("/locations/portage/")

    assert page.find("h1").text == "Armor PT Portage"
    assert "7250 South Westnedge Avenue, Suite 3" in page.find("address").text
    assert page.find_all("a", href="tel:+12695550102")
    map_link = page.find("a", href=clinic.map_url)
    assert map_link.attrs["href"].startswith("https://www.openstreetmap.org/")
    assert page.find_all("iframe") == []
    assert page.find("a", href="/book/portage/").text == "Book at this clinic"
    team = page.find("section", aria_labelledby="clinic-team").text
    assert "Luis Moreno" in team and "Marcus Reed" in team and "Grace Kowalski" not in team


@pytest.mark.clock(MONDAY_EVENING_UTC)
def test_clinic_page_marks_today_in_the_clinics_time_zone(db, get_page, clock):
    clinic = ClinicFactory(slug="far-east", timezone="Pacific/Kiritimati")
    OpeningHoursFactory(clinic=clinic, weekday=Weekday.MONDAY, opens=datetime.time(8), closes=datetime.time(12))
    OpeningHoursFactory(clinic=clinic, weekday=Weekday.TUESDAY, opens=datetime.time(9), closes=datetime.time(17))

    page = get_page("/locations/far-east/")

    row = today_row(page)
    assert row.text.startswith("Tuesday Today")
    assert "9:00 AM to 5:00 PM" in row.text


def test_clinic_page_shows_upcoming_closures_and_marks_them_in_the_week(db, get_page, clock):
    clinic = ClinicFactory(slug="here")
    for weekday in range(5):
        OpeningHoursFactory(clinic=clinic, weekday=weekday)
    today = timezone.localdate()
    ClinicClosureFactory(clinic=clinic, date=today - datetime.timedelta(days=1), reason="Yesterday’s closure")
    ClinicClosureFactory(clinic=clinic, date=today + datetime.timedelta(days=2), reason="Staff training")
    ClinicClosureFactory(clinic=clinic, date=today + datetime.timedelta(days=40), reason="Inventory day")

    page = get_page("/locations/here/")

    closures = page.find("section", aria_labelledby="closures").text
    assert "Staff training" in closures and "Inventory day" in closures
    assert "Yesterday" not in closures
    soon = today + datetime.timedelta(days=2)
    row = next(r for r in page.find_all("div", cls="hours-list__day") if r.text.startswith(soon.strftime("%A")))
    assert "Closed" in row.text and "Staff training" in row.text


def test_today_row_says_closed_on_a_closure_day(db, get_page, clock):
    clinic = ClinicFactory(slug="shut")
    today = timezone.localdate()
    OpeningHoursFactory(clinic=clinic, weekday=today.weekday())
    ClinicClosureFactory(clinic=clinic, date=today, reason="Snow day")

    page = get_page("/locations/shut/")

    assert "Snow day" in today_row(page).text
    assert "8:00 AM" not in today_row(page).text


def test_location_list_shows_each_clinic_with_phone_and_hours_today(demo, get_page):
    page = get_page("/locations/")

    for clinic in Clinic.objects.active():
        card = page.find("article", aria_labelledby=f"clinic-{clinic.slug}")
        assert clinic.phone_display in card.text
        assert "Today:" in card.text
        assert page.find_all("a", href=f"/book/{clinic.slug}/", inside=card)


def test_inactive_clinic_is_hidden(demo, client):
    Clinic.objects.filter(slug="paw-paw").update(is_active=False)

    assert client.get("/locations/paw-paw/").status_code == 404
    assert "Armor PT Paw Paw" not in client.get("/locations/").content.decode()


@pytest.mark.parametrize(
    ("template", "openings", "expected"),
    [
        (
            "content/_next_opening.html",
            {"open": "Tue, Nov 24 at 9:00 AM EST"},
            "Next available appointment: Tue, Nov 24 at 9:00 AM EST",
        ),
        ("content/_next_opening.html", {}, "Call to book: (269) 555-0100"),
        (
            "content/_clinic_card.html",
            {"open": "Tue, Nov 24 at 9:00 AM EST"},
            "Next available: Tue, Nov 24 at 9:00 AM EST",
        ),
        ("content/_clinic_card.html", {}, None),
    ],
)
def test_next_opening_from_the_booking_app_or_a_call_to_book(db, clock, template, openings, expected):
    clinic = ClinicFactory(slug="open", phone="+12695550100")
    day = hours.week(selectors.clinic("open"), timezone.now())[0]

    html = render_to_string(template, {"clinic": clinic, "today": day, "openings": openings, "level": 2})

    found = [p.text for p in Page(html).find_all("p", cls="next-opening")]
    assert found == ([expected] if expected else [])
