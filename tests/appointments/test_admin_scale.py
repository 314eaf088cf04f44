"""The admin with hundreds of clinics: choices by typing, filters from their own tables, no full
counts, a dashboard that stays readable and cheap, and no 500 from a NUL byte."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments import roles
from appointments.models import Appointment
from clinics.models import Clinic, Specialist
from tests.caches import empty_cache
from tests.factories import AppointmentFactory, ClinicFactory, SpecialistFactory
from tests.helpers import client_for, staff_user

pytestmark = pytest.mark.django_db

APPT = "/admin/appointments/appointment/"
AUTOCOMPLETE = "/admin/autocomplete/"


@pytest.fixture
def elsewhere(world):
    """A second clinic with its own specialist, that the front desk of the first does not work at."""
    clinic = ClinicFactory(slug="portage", name="Armor PT Portage")
    return clinic, SpecialistFactory(slug="zoe-hart", name="Zoe Hart", clinics=[clinic])


@pytest.fixture
def desk(world):
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))


def more_clinics(world, count):
    """`count` more clinics, each with a specialist and a visit tomorrow."""
    first = Clinic.objects.count()
    numbers = range(first, first + count)
    clinics = Clinic.objects.bulk_create(
        Clinic(name=f"Clinic {n:03}", slug=f"clinic-{n}", street_address="1 Main St", city="Town", postal_code="49000")
        for n in numbers
    )
    specialists = Specialist.objects.bulk_create(
        Specialist(name=f"Therapist {n:03}", slug=f"therapist-{n}", title="PT") for n in numbers
    )
    Specialist.clinics.through.objects.bulk_create(
        Specialist.clinics.through(specialist=s, clinic=c) for s, c in zip(specialists, clinics, strict=True)
    )
    start = world.local(1, 9)
    Appointment.objects.bulk_create(
        Appointment(
            clinic=c,
            specialist=s,
            appointment_type=world.visit_type,
            start=start,
            end=start + dt.timedelta(hours=1),
            first_name="Pat",
            last_name=f"Patient{n}",
        )
        for n, (s, c) in enumerate(zip(specialists, clinics, strict=True))
    )


def autocomplete(client, model, field, term=""):
    response = client.get(
        AUTOCOMPLETE, {"app_label": "appointments", "model_name": model, "field_name": field, "term": term}
    )
    assert response.status_code == 200
    return sorted(r["text"] for r in json.loads(response.content)["results"])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


# --- Choices by typing -----------------------------------------------------------------------


def test_the_front_desk_finds_only_their_own_clinics_and_specialists_by_typing(world, elsewhere, desk):
    assert autocomplete(desk, "workinghours", "clinic") == ["Armor PT Kalamazoo"]
    assert autocomplete(desk, "workinghours", "clinic", "portage") == []
    assert autocomplete(desk, "workinghours", "specialist") == ["Alice Park", "Bob Stone"]
    assert autocomplete(desk, "timeoff", "specialist", "zoe") == []


def test_the_owner_finds_any_clinic_or_specialist_by_typing(world, elsewhere, admin_client):
    assert autocomplete(admin_client, "workinghours", "clinic", "port") == ["Armor PT Portage"]
    assert autocomplete(admin_client, "appointment", "specialist", "zoe") == ["Zoe Hart"]


def test_the_phone_booking_form_loads_no_list_of_every_clinic_or_specialist(world, admin_client):
    more_clinics(world, 30)

    page = admin_client.get(f"{APPT}add/").content.decode()

    for name in ("clinic", "specialist"):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
        assert "admin-autocomplete" in select
        assert select.count("<option") <= 1
    assert "Clinic 007" not in page


def test_a_front_desk_cannot_book_at_another_clinic_by_sending_its_id(world, elsewhere, desk):
    clinic, specialist = elsewhere
    day = world.local(2, 10).astimezone(clinic.tz)

    response = desk.post(
        f"{APPT}add/",
        {
            "clinic": clinic.pk,
            "specialist": specialist.pk,
            "appointment_type": world.visit_type.pk,
            "day": day.date().isoformat(),
            "time": "10:00",
            "source": "phone",
            "first_name": "Ana",
            "last_name": "Lopez",
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Appointment.objects.filter(clinic=clinic).exists()


# --- The list --------------------------------------------------------------------------------


def test_the_list_costs_the_same_queries_at_ten_times_the_clinics(world, admin_client):
    more_clinics(world, 5)
    at_demo_size, _ = count_queries(admin_client, APPT)
    more_clinics(world, 50)

    at_ten_times, page = count_queries(admin_client, APPT)

    assert at_ten_times <= at_demo_size
    assert not re.search(r"\d+ total", page)  # no count of every visit ever booked
    assert "_facets" not in page  # no "Show counts": it would count every visit per filter choice


def test_the_clinic_filter_lists_only_the_users_clinics_and_filters_by_them(world, elsewhere, desk, admin_client):
    clinic, specialist = elsewhere
    AppointmentFactory(clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type)
    AppointmentFactory(clinic=clinic, specialist=specialist, appointment_type=world.visit_type, last_name="Hidden")

    assert "Armor PT Portage" not in desk.get(APPT).content.decode()
    assert "Hidden" not in desk.get(f"{APPT}?clinic__id__exact={clinic.pk}").content.decode()
    owner = admin_client.get(f"{APPT}?clinic__id__exact={clinic.pk}").content.decode()
    assert "Hidden" in owner
    # With a clinic chosen, the specialist filter offers that clinic's specialists.
    assert re.search(r'specialist__id__exact=\d+"[^>]*>Zoe Hart', owner)


def test_the_specialist_filter_waits_for_a_clinic_when_there_are_hundreds(world, admin_client):
    more_clinics(world, 30)

    page = admin_client.get(APPT).content.decode()

    filters = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S).group(0)
    assert "Therapist 007" not in filters


def test_past_a_dozen_clinics_the_clinic_filter_is_found_by_typing(world, admin_client):
    more_clinics(world, 30)
    clinic = Clinic.objects.get(name="Clinic 007")

    page = admin_client.get(APPT).content.decode()
    filters = re.search(r'<nav id="changelist-filter".*?</nav>', page, re.S).group(0)
    assert "Clinic 007" not in filters  # no list of every clinic
    box = re.search(r"<select[^>]*search-filter__select[^>]*>", filters).group(0)
    assert 'data-model-name="appointment"' in box and 'data-field-name="clinic"' in box
    assert "js/admin-search-filter.js" in page and "select2" in page

    chosen = admin_client.get(f"{APPT}?clinic__id__exact={clinic.pk}&when=all").content.decode()
    filters = re.search(r'<nav id="changelist-filter".*?</nav>', chosen, re.S).group(0)
    assert re.search(rf'<option value="{clinic.pk}" selected>Clinic 007</option>', filters)
    there = Appointment.objects.get(clinic=clinic).last_name
    assert there in chosen
    assert Appointment.objects.exclude(clinic=clinic).first().last_name not in chosen
    # The box finds clinics through the admin's own search, the user's clinics only.
    found = admin_client.get(
        AUTOCOMPLETE,
        {"app_label": "appointments", "model_name": "appointment", "field_name": "clinic", "term": "Clinic 007"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["Clinic 007"]


def test_the_time_off_and_specialist_lists_find_a_clinic_by_typing_too(world, admin_client):
    more_clinics(world, 30)

    for url in ("/admin/appointments/timeoff/", "/admin/clinics/specialist/"):
        page = admin_client.get(url).content.decode()
        box = re.search(r"<select[^>]*search-filter__select[^>]*>", page).group(0)
        assert 'data-model-name="specialist"' in box and 'data-field-name="clinics"' in box


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999"])
def test_a_clinic_filter_value_that_is_no_clinic_lists_nothing(world, admin_client, value):
    AppointmentFactory(clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, last_name="Seen")

    response = admin_client.get(f"{APPT}?clinic__id__exact={value}&specialist__id__exact={value}")

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Seen" not in response.content.decode()


def test_a_link_to_one_day_still_filters_the_list_without_the_date_hierarchy(world, admin_client):
    AppointmentFactory(
        clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type, start=world.local(1, 9)
    )
    AppointmentFactory(
        clinic=world.clinic,
        specialist=world.alice,
        appointment_type=world.visit_type,
        start=world.local(3, 9),
        last_name="Later",
    )
    day = world.local(1, 9)

    page = admin_client.get(
        f"{APPT}?when=all&start__year={day.year}&start__month={day.month}&start__day={day.day}"
    ).content.decode()

    assert "1 result" in page and "Later" not in page


# --- A NUL byte in a query --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{APPT}?source__exact=a%00b",
        f"{APPT}?q=a%00b",
        f"{APPT}?clinic__id__exact=1%00",
        "/admin/newsletter/subscriber/?q=%00",
        "/admin/armorpt/outboundemail/?kind__exact=%00",
        f"{AUTOCOMPLETE}?app_label=appointments&model_name=appointment&field_name=clinic&term=a%00b",
    ],
)
def test_a_nul_byte_in_an_admin_query_answers_400_not_500(world, admin_client, url):
    assert admin_client.get(url).status_code == 400


# --- Dashboard -------------------------------------------------------------------------------


def chart_series(html):
    section = re.search(r'<section class="module front-desk".*?</section>', html, re.S).group(0)
    return re.findall(r'<g class="chart-series', section), section


def test_the_dashboard_chart_draws_the_busiest_clinics_and_one_line_for_the_rest(world, admin_client):
    more_clinics(world, 30)

    lines, section = chart_series(admin_client.get("/admin/").content.decode())

    assert len(lines) == 6
    assert "The other 26 clinics" in section


def test_a_front_desk_sees_their_own_clinic_in_the_chart(world, elsewhere, desk):
    lines, section = chart_series(desk.get("/admin/").content.decode())

    assert len(lines) == 1 and world.clinic.name in section and "Portage" not in section


def test_the_dashboard_is_counted_once_a_minute(world, desk, clock):
    first, _ = count_queries(desk, "/admin/")
    AppointmentFactory(
        clinic=world.clinic,
        specialist=world.alice,
        appointment_type=world.visit_type,
        start=world.local(0, 0, 5),
        status=Appointment.Status.NO_SHOW,
    )

    cached, html = count_queries(desk, "/admin/")
    assert cached < first
    assert "no-show this week" not in html
    clock.shift(dt.timedelta(seconds=60))
    assert re.search(r"<strong>1</strong> no-show this week", desk.get("/admin/").content.decode())


def test_the_dashboard_of_one_user_is_not_shown_to_another(world, elsewhere, desk, admin_client):
    desk.get("/admin/")

    lines, section = chart_series(admin_client.get("/admin/").content.decode())

    assert len(lines) == 2 and "Portage" in section
    empty_cache()
