"""From the self-check to a booked visit: step 3's back-pain warning, and the one note the visit keeps."""

import datetime as dt
import re

import pytest
from django.core import signing

from appointments import roles, screening, services
from appointments.models import Appointment
from selfcheck.rules import QUESTIONS
from tests.helpers import as_a_person, client_for, patient, staff_user, text

pytestmark = pytest.mark.django_db

DETAILS = {
    "first_name": "Ana",
    "last_name": "Lopez",
    "email": "ana@example.com",
    "phone": "(269) 555-0142",
    "date_of_birth": "1985-04-02",
    "reason": "back-pain",
    "consent": "on",
}
WARNING = "if any of these, do not book:"


def no_warning_signs(client):
    response = client.post("/back-pain/self-check/", {**dict.fromkeys(QUESTIONS, "no"), "clinic": "kalamazoo"})
    assert screening.COOKIE in response.cookies
    return response


def step_3(world):
    start = world.local(2, 10).astimezone(world.clinic.tz).isoformat()
    return f"/book/{world.clinic.slug}/details/", start


def book(client, world, **changes):
    url, start = step_3(world)
    return client.post(url, {**DETAILS, **as_a_person(), "start": start, **changes})


def test_the_result_leads_to_step_2_and_step_3_with_back_pain_chosen_and_the_signs_shown(client, world):
    link = re.search(r'href="([^"]+)">Choose a time', text(no_warning_signs(client))).group(1).replace("&amp;", "&")
    times = text(client.get(link))
    details = re.search(r'href="(/book/kalamazoo/details/[^"]+)"', times).group(1).replace("&amp;", "&")

    page = text(client.get(details))

    assert "reason=back-pain" in details
    assert re.search(r'value="back-pain"[^>]*checked', page)
    assert 'class="back-pain-warning is-shown"' in page
    sentence = re.search(r"Back pain warning signs</strong>(.*?)</p>", page, re.S).group(1)
    assert sentence.count(".") == 1 and WARNING in sentence and "call 911" in sentence
    assert "numbness" in sentence and "bladder or bowels" in sentence and "both legs" in sentence
    assert "You did our back-pain self-check with no warning signs" in page


def test_step_3_for_another_reason_keeps_the_warning_hidden_until_back_pain_is_chosen(client, world):
    url, start = step_3(world)

    page = text(client.get(url, {"start": start, "reason": "neck-pain"}))

    assert 'class="back-pain-warning"' in page and "is-shown" not in page
    assert "You did our back-pain self-check" not in page


def test_the_warning_does_not_stop_a_back_pain_booking(client, world):
    response = book(client, world)

    assert response.status_code == 302
    assert Appointment.objects.get().reason == "back-pain"


def test_a_back_pain_visit_booked_after_no_warning_signs_says_so_and_uses_up_the_cookie(client, world):
    no_warning_signs(client)

    response = book(client, world)

    assert response.status_code == 302
    assert Appointment.objects.get().self_check_clear is True
    assert response.cookies[screening.COOKIE].value == ""  # the next booking starts afresh


@pytest.mark.parametrize(
    "how",
    ["no self-check", "another reason", "a cookie made up", "a cookie signed for something else", "two hours later"],
)
def test_the_note_needs_the_signed_cookie_and_back_pain(client, world, clock, how):
    changes = {}
    if how == "another reason":
        no_warning_signs(client)
        changes = {"reason": "neck-pain"}
    elif how == "a cookie made up":
        client.cookies[screening.COOKIE] = screening.VALUE
    elif how == "a cookie signed for something else":
        client.cookies[screening.COOKIE] = signing.get_cookie_signer(salt="other").sign(screening.VALUE)
    elif how == "two hours later":
        no_warning_signs(client)
        clock.shift(dt.timedelta(hours=2, minutes=1))

    assert book(client, world, **changes).status_code == 302
    assert Appointment.objects.get().self_check_clear is False


def test_the_front_desk_sees_the_note_on_the_visit_and_in_the_day_view(world):
    checked = services.book_appointment(
        clinic=world.clinic, start=world.local(1, 9), patient=patient(1, self_check_clear=True)
    )
    services.book_appointment(clinic=world.clinic, start=world.local(1, 11), patient=patient(2))
    desk = client_for(staff_user("desk", roles.FRONT_DESK, [world.clinic]))

    change_page = text(desk.get(f"/admin/appointments/appointment/{checked.pk}/change/"))
    tomorrow = (world.today() + dt.timedelta(days=1)).isoformat()
    day = text(desk.get("/admin/appointments/appointment/day/", {"clinic": world.clinic.slug, "date": tomorrow}))

    assert "Done online before booking: no warning signs" in change_page
    assert day.count("Self-check: no warning signs") == 1


def test_the_note_goes_with_the_other_details_when_they_are_erased(world, settings):
    settings.RETENTION_PAST_DAYS = 1
    visit = world.visit(-3, self_check_clear=True, reason="back-pain")

    services.erase_expired_patient_details()

    visit.refresh_from_db()
    assert visit.self_check_clear is False and visit.reason == ""
