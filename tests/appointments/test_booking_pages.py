"""The patient's booking journey through the pages, and what bad input gets."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from appointments.models import Appointment
from clinics.models import ClinicClosure
from tests.factories import ClinicFactory, SpecialistFactory
from tests.helpers import DEFAULT_NOW, HARD_INSTANTS, as_a_person, without_random_ids

pytestmark = pytest.mark.django_db

DETAILS = {
    "first_name": "Ana",
    "last_name": "O'Brien",
    "email": "ana@example.com",
    "phone": "(269) 555-0111",
    "date_of_birth": "1985-04-02",
    "reason": "back-pain",
    "notes": "Hurts when I lift my daughter.",
    "consent": "on",
}


def html(response):
    return response.content.decode()


def details_url(world, start, specialist=None):
    url = (
        f"/book/{world.clinic.slug}/details/?start={start.astimezone(world.clinic.tz).isoformat().replace('+', '%2B')}"
    )
    return url + (f"&specialist={specialist.slug}" if specialist else "")


def book(client, world, start, specialist=None, **changes):
    data = {**DETAILS, **as_a_person(), "start": start.astimezone(world.clinic.tz).isoformat(), **changes}
    if specialist:
        data["specialist"] = specialist.slug
    return client.post(f"/book/{world.clinic.slug}/details/", data)


@pytest.mark.parametrize(
    "clock", [DEFAULT_NOW, *HARD_INSTANTS.values()], ids=["default", *HARD_INSTANTS], indirect=True
)
def test_a_patient_books_through_the_three_steps(client, world, django_capture_on_commit_callbacks):
    step1 = client.get("/book/?reason=back-pain")
    assert step1.status_code == 200
    assert "Next opening:" in html(step1)
    step2_url = re.search(r'href="(/book/kalamazoo/\?reason=back-pain)"', html(step1)).group(1)

    step2 = client.get(step2_url)
    assert "Eastern time" in html(step2)
    first_time = re.search(r'href="(/book/kalamazoo/details/\?[^"]+)"', html(step2)).group(1).replace("&amp;", "&")
    assert "reason=back-pain" in first_time

    step3 = client.get(first_time)
    assert step3.status_code == 200
    assert re.search(r'value="back-pain"[^>]*checked', html(step3))
    start = parse_qs(urlsplit(first_time).query)["start"][0]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(first_time, {**DETAILS, **as_a_person(), "start": start})

    assert done.status_code == 302
    confirmation = client.get(done["Location"])
    appointment = Appointment.objects.get()
    assert appointment.reference_display in html(confirmation)
    assert "You're booked" in html(confirmation) or "You&#x27;re booked" in html(confirmation)
    assert appointment.clinic.phone_display in html(confirmation)
    assert f"/appointments/{appointment.token}/calendar.ics" in html(confirmation)
    assert appointment.phone == "+12695550111"
    assert appointment.reason == "back-pain"
    # The confirmation and the front desk's notice went out, once each.
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", world.clinic.front_desk_email]


def test_the_confirmation_email_has_time_place_calendar_and_manage_link(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(client, world, world.local(2, 10))
    appointment = Appointment.objects.get()

    email = next(m for m in mail.outbox if m.to == ["ana@example.com"])

    assert "10:00 AM E" in email.subject
    assert f"https://armorpt.test/appointments/{appointment.token}/" in email.body
    assert world.clinic.street_address in email.body and world.clinic.phone_display in email.body
    assert "O'Brien" not in email.subject and "&#x27;" not in email.body
    html_part = email.alternatives[0].content
    assert f"https://armorpt.test/appointments/{appointment.token}/" in html_part
    filename, ics, mimetype = email.attachments[0]
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert event.decoded("dtstart") == appointment.start
    assert world.clinic.street_address in str(event["location"])


def test_emails_never_carry_health_details(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book(client, world, world.local(2, 10), notes="Herniated disc L4 after a fall", reason="after-surgery")
    appointment = Appointment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/appointments/{appointment.token}/cancel/")

    # Booked, and the clinic's notice of it; cancelled, and the clinic's notice of that.
    assert len(mail.outbox) == 4
    for email in mail.outbox:
        everything = email.subject + email.body + "".join(a.content for a in email.alternatives)
        everything += "".join(str(a[1]) for a in email.attachments)
        everything = without_random_ids(everything)
        for secret in ("Herniated", "L4", "after-surgery", "Recovery after surgery", "1985", "04/02", "April 2"):
            assert secret not in everything, (email.subject, secret)


def test_a_time_taken_meanwhile_keeps_the_details_and_offers_the_nearest_times(client, world):
    start = world.local(2, 10)
    book(client, world, start, specialist=world.alice, email="first@example.com")

    response = book(client, world, start, specialist=world.alice)

    assert response.status_code == 200
    page = html(response)
    assert "That time is not available" in page or "just taken" in page
    assert 'value="O&#x27;Brien"' in page and 'value="ana@example.com"' in page
    offered = re.findall(r'name="start" id="alt-\d+" value="([^"]+)"', page)
    assert offered and all(dt.datetime.fromisoformat(v) != start for v in offered)
    assert Appointment.objects.count() == 1

    # Picking one of them books it, without typing anything again.
    chosen = book(client, world, dt.datetime.fromisoformat(offered[0]), specialist=world.alice)
    assert chosen.status_code == 302
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize("case", ["named specialist", "any, both free", "any, only one free"])
def test_sending_the_same_form_again_lands_on_the_same_booking(client, world, clock, case):
    """The answer to the first press was lost (no signal, a proxy timed out) or "Book" was pressed twice."""
    start = world.local(2, 10)
    specialist = world.alice if case == "named specialist" else None
    if case == "any, only one free":
        book(client, world, start, specialist=world.bob, email="someone.else@example.com", last_name="Else")

    first = book(client, world, start, specialist=specialist)
    clock.shift(dt.timedelta(minutes=3))  # they wait, then press again
    again = book(client, world, start, specialist=specialist)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    mine = Appointment.objects.get(email="ana@example.com")
    assert client.get(again["Location"]).status_code == 200 and mine.reference_display in html(
        client.get(again["Location"])
    )
    assert sorted(mine.emails.values_list("kind", flat=True)) == ["appointment.confirmed", "appointment.front_desk"]


def test_someone_else_with_the_same_email_and_time_is_not_shown_that_booking(client, world):
    start = world.local(2, 10)
    first = book(client, world, start, specialist=world.alice)

    other = book(client, world, start, specialist=world.alice, first_name="Eve", date_of_birth="1990-01-01")

    assert other.status_code == 200 and first["Location"] not in html(other)
    assert "That time is not available" in html(other)
    assert Appointment.objects.count() == 1


def _closure(world):
    ClinicClosure.objects.create(
        clinic=world.clinic, date=world.local(5, 10).astimezone(world.clinic.tz).date(), reason="Staff training"
    )
    return world.local(5, 10).astimezone(world.clinic.tz).isoformat()


BAD_STARTS = {
    "malformed": lambda w: "next tuesday-ish",
    "not on a slot boundary": lambda w: w.local(2, 10, 7).isoformat(),
    "in the past": lambda w: w.local(-1, 10).isoformat(),
    "inside minimum notice": lambda w: (timezone.now() + dt.timedelta(minutes=61)).replace(second=0).isoformat(),
    "beyond the horizon": lambda w: w.local(60, 10).isoformat(),
    "on a closure": _closure,
    "outside working hours": lambda w: w.local(2, 20).isoformat(),
    "year 9999": lambda w: "9999-12-31T10:00:00+00:00",
    "year 1": lambda w: "0001-01-01T00:00:00+05:00",
    "naive time in the DST gap": lambda w: "2027-03-14T02:30:00",
}


@pytest.mark.parametrize("case", BAD_STARTS)
def test_a_bad_start_is_a_message_next_to_the_time_never_a_booking(client, world, case):
    value = BAD_STARTS[case](world)

    response = client.post(f"/book/{world.clinic.slug}/details/", {**DETAILS, **as_a_person(), "start": value})

    assert response.status_code == 200
    assert 'id="start-problem"' in html(response)
    assert Appointment.objects.count() == 0


def test_the_details_page_says_at_once_when_the_chosen_time_is_no_good(client, world):
    response = client.get(f"/book/{world.clinic.slug}/details/?start=not-a-time")

    assert response.status_code == 200
    assert "That time is not one we offer" in html(response)
    assert 'name="start" id="alt-1"' in html(response)


def test_a_closure_names_the_reason(client, world):
    response = client.post(
        f"/book/{world.clinic.slug}/details/", {**DETAILS, **as_a_person(), "start": _closure(world)}
    )

    assert "closed on" in html(response) and "Staff training" in html(response)


BAD_FIELDS = {
    "date_of_birth": ("2999-01-01", "cannot be in the future"),
    "phone": ("12345", "Enter a phone number we can call"),
    "first_name": ("Ana\r\nBcc: x@example.com", "line breaks"),
    "notes": ("x" * 10_000, "at most 1000 characters"),
    "email": ("not-an-email", "valid email"),
    "consent": ("", "Please tick this box"),
    "reason": ("cure-everything", "choose one of the options"),
}


@pytest.mark.parametrize("field", BAD_FIELDS)
def test_bad_details_get_a_message_next_to_the_field_and_keep_the_rest(client, world, field):
    value, message = BAD_FIELDS[field]

    response = book(client, world, world.local(2, 10), **{field: value})

    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert f'id="error_1_id_{field}"' in page or f"id_{field}_error" in page or 'class="invalid-feedback' in page
    assert 'value="ana@example.com"' in page or field == "email"
    assert Appointment.objects.count() == 0


def test_a_date_of_birth_more_than_120_years_ago_is_refused(client, world):
    response = book(client, world, world.local(2, 10), date_of_birth="1890-01-01")

    assert "Please check the year" in html(response)
    assert Appointment.objects.count() == 0


def test_unknown_clinic_or_specialist_is_404(client, world):
    assert client.get("/book/atlantis/").status_code == 404
    assert client.get("/book/kalamazoo/?specialist=nobody").status_code == 404
    assert client.get("/book/?specialist=nobody").status_code == 404
    assert book(client, world, world.local(2, 10), specialist=SpecialistFactory.build(slug="ghost")).status_code == 404


def test_a_specialist_who_does_not_work_at_the_clinic_is_pointed_elsewhere(client, world):
    elsewhere = ClinicFactory(slug="portage", name="Armor PT Portage")
    carol = SpecialistFactory(slug="carol-diaz", name="Carol Diaz", clinics=[elsewhere])
    from tests.factories import WorkingHoursFactory

    WorkingHoursFactory(specialist=carol, clinic=elsewhere, weekday=0)

    response = client.get(f"/book/{world.clinic.slug}/?specialist=carol-diaz")

    assert response.status_code == 404
    assert "/book/portage/?specialist=carol-diaz" in html(response)
    posted = book(client, world, world.local(2, 10), specialist=carol)
    assert posted.status_code == 302 and Appointment.objects.count() == 0


def _strip(page):
    """The day strip as a patient reads it: [(date link, 'Wed Jun 16', '14 times' or 'Full'...)]."""
    cells = re.findall(r'<a class="day-cell[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', page, re.S)
    return [(href.replace("&amp;", "&"), " ".join(re.sub(r"<[^>]+>", " ", body).split())) for href, body in cells]


def _times(page):
    """The chosen day's times: [(ISO start, 'with Bob Stone' or 'Alice Park or Bob Stone')]."""
    return re.findall(r'<time datetime="([^"]+)">[^<]*</time><span class="slot__who">([^<]*)</span>', page)


def test_step_two_is_a_strip_of_days_and_one_days_times_with_who_you_would_see(client, world):
    # 60-minute visits with a 15-minute buffer fill Alice's 08:00-17:00 tomorrow.
    for n, (hour, minute) in enumerate([(8, 0), (9, 30), (11, 0), (12, 30), (14, 0), (15, 30)]):
        start = world.local(1, hour, minute)
        booked = book(client, world, start, specialist=world.alice, email=f"p{n}@example.com", phone=f"269555010{n}")
        assert booked.status_code == 302
    tomorrow = world.today() + dt.timedelta(days=1)

    first_visit = html(client.get("/book/kalamazoo/"))
    anyone = html(client.get(f"/book/kalamazoo/?day={tomorrow}"))
    alice = html(client.get(f"/book/kalamazoo/?day={tomorrow}&specialist=alice-park"))

    strip = _strip(first_visit)
    assert len(strip) == 14 and strip[0][1] == "Tue Jun 15 11 times"  # it is 9:00 AM: 11:00 to 4:00 PM
    assert strip[1] == (f"?day={tomorrow}", "Wed Jun 16 17 times")  # 8:00 to 4:00 PM: Bob is free all day
    assert _times(first_visit)[0] == (
        world.local(0, 11).astimezone(world.clinic.tz).isoformat(),
        "Alice Park or Bob Stone",
    )
    assert (world.local(1, 9).astimezone(world.clinic.tz).isoformat(), "with Bob Stone") in _times(anyone)
    assert _strip(alice)[1] == (f"?day={tomorrow}&specialist=alice-park", "Wed Jun 16 Full")
    assert _times(alice) == [] and "No free times with Alice Park on this day" in alice
    assert "See Thursday, June 17" in alice  # the next day she has times
    # Choosing a person keeps the day; "first available" is one tap back.
    assert f'href="?specialist=bob-stone&amp;day={tomorrow}"' in anyone
    assert f'href="?day={tomorrow}" aria-current="true"' not in alice and f'href="?day={tomorrow}"' in alice


def test_the_strip_pages_through_the_booking_horizon(client, world):
    later = re.search(r'href="(\?day=[^"]+)">Later dates', html(client.get("/book/kalamazoo/"))).group(1)
    second = html(client.get("/book/kalamazoo/" + later))
    third = html(client.get("/book/kalamazoo/" + re.search(r'href="(\?day=[^"]+)">Later dates', second).group(1)))

    assert _strip(second)[0][1].startswith("Tue Jun 29")
    assert [cell for _, cell in _strip(third)] == ["Tue Jul 13 17 times", "Wed Jul 14 17 times", "Thu Jul 15 3 times"]
    assert "Later dates" not in third and "Earlier dates" in third  # 30 days ahead, to 9:00 AM: no further


def test_cancel_asks_first_and_a_get_never_cancels(client, world):
    book(client, world, world.local(3, 10), specialist=world.alice)
    appointment = Appointment.objects.get()

    page = client.get(f"/appointments/{appointment.token}/cancel/")
    appointment.refresh_from_db()
    assert "Yes, cancel my appointment" in html(page)
    assert appointment.status == Appointment.Status.CONFIRMED

    response = client.post(f"/appointments/{appointment.token}/cancel/")
    appointment.refresh_from_db()
    assert response.status_code == 302
    assert appointment.status == Appointment.Status.CANCELLED
    slots = client.get(f"/api/slots/?clinic=kalamazoo&date={world.local(3, 10).astimezone(world.clinic.tz).date()}")
    freed = [s for s in slots.json()["slots"] if dt.datetime.fromisoformat(s["start"]) == world.local(3, 10)]
    assert {p["slug"] for p in freed[0]["specialists"]} == {"alice-park", "bob-stone"}


def test_inside_the_cut_off_the_patient_is_asked_to_call(client, world):
    book(client, world, world.local(3, 10))
    appointment = Appointment.objects.get()
    Appointment.objects.update(start=timezone.now() + dt.timedelta(hours=3), end=timezone.now() + dt.timedelta(hours=4))

    manage = client.get(f"/appointments/{appointment.token}/")
    post = client.post(f"/appointments/{appointment.token}/cancel/")

    assert "please call" in html(manage) and world.clinic.phone_display in html(manage)
    assert post.status_code == 200 and "please call" in html(post)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_reschedule_through_the_manage_link(client, world, django_capture_on_commit_callbacks):
    book(client, world, world.local(3, 10), specialist=world.alice)
    appointment = Appointment.objects.get()

    choose = client.get(f"/appointments/{appointment.token}/reschedule/")
    link = re.findall(r'href="(\?start=[^"]+)"', html(choose))[3].replace("&amp;", "&")
    confirm = client.get(f"/appointments/{appointment.token}/reschedule/{link}")
    assert "Move your appointment?" in html(confirm)
    new_start = parse_qs(link[1:])["start"][0]
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(
            f"/appointments/{appointment.token}/reschedule/", {"start": new_start, "specialist": "alice-park"}
        )

    appointment.refresh_from_db()
    assert moved.status_code == 302
    assert appointment.start == dt.datetime.fromisoformat(new_start)
    rescheduled = [m for m in mail.outbox if "New time" in m.subject]
    assert len(rescheduled) == 1 and "Old time" in rescheduled[0].body


def test_moving_into_the_last_24_hours_is_said_before_the_patient_confirms(client, world):
    book(client, world, world.local(3, 10), specialist=world.alice)
    appointment = Appointment.objects.get()
    manage = html(client.get(f"/appointments/{appointment.token}/"))
    assert "change or cancel online until Thursday, June 17 at 10:00 AM EDT" in manage.replace(", 2027", "")

    soon = world.local(0, 15).astimezone(world.clinic.tz).isoformat()  # today, five hours from now
    later = world.local(4, 15).astimezone(world.clinic.tz).isoformat()
    near = html(client.get(f"/appointments/{appointment.token}/reschedule/", {"start": soon}))
    far = html(client.get(f"/appointments/{appointment.token}/reschedule/", {"start": later}))

    assert "Move your appointment?" in near and "Move your appointment?" in far
    assert "you can no longer change or cancel it online: only by calling Armor PT Kalamazoo" in near
    assert "no longer change or cancel it online" not in far


def test_a_tampered_or_unknown_token_is_404(client, world):
    book(client, world, world.local(3, 10))
    token = Appointment.objects.get().token

    assert client.get(f"/appointments/{token[:-2]}xx/").status_code == 404
    assert client.get("/appointments/abc/").status_code == 404
    assert client.get(f"/book/done/{token}x/").status_code == 404


def test_a_past_visit_no_longer_answers_its_link(client, world):
    book(client, world, world.local(3, 10))
    appointment = Appointment.objects.get()
    Appointment.objects.update(start=world.local(-2, 10), end=world.local(-2, 11))

    assert client.get(f"/appointments/{appointment.token}/").status_code == 410
    assert client.post(f"/appointments/{appointment.token}/cancel/").status_code == 410
    assert client.get(f"/appointments/{appointment.token}/calendar.ics").status_code == 410


def test_calendar_file_is_valid_and_stable(client, world):
    book(client, world, world.local(3, 10))
    appointment = Appointment.objects.get()

    first = client.get(f"/appointments/{appointment.token}/calendar.ics")
    second = client.get(f"/appointments/{appointment.token}/calendar.ics")

    assert first["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(first.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == world.local(3, 10)
    assert event.decoded("dtstart").tzinfo is not None
    assert str(event["uid"]) == str(icalendar.Calendar.from_ical(second.content).walk("VEVENT")[0]["uid"])
    assert world.clinic.city in str(event["location"])


def test_slot_api_answers_json_and_refuses_bad_parameters_with_400(client, world):
    day = world.local(2, 10).astimezone(world.clinic.tz).date()

    ok = client.get(f"/api/slots/?clinic=kalamazoo&date={day}&specialist=alice-park")
    assert ok.status_code == 200
    body = ok.json()
    assert body["timezone"] == "America/Detroit"
    assert body["slots"][0]["start"].endswith(("-05:00", "-04:00"))
    assert body["slots"][0]["specialists"] == [{"slug": "alice-park", "name": "Alice Park"}]

    for query in ("", "clinic=kalamazoo", "clinic=kalamazoo&date=2026-13-45", "date=2026-12-01"):
        response = client.get(f"/api/slots/?{query}")
        assert response.status_code == 400 and "error" in response.json()
    assert client.get(f"/api/slots/?clinic=nowhere&date={day}").status_code == 404
    assert client.get(f"/api/slots/?clinic=kalamazoo&date={day}&specialist=nobody").status_code == 404
    assert client.get("/api/slots/?clinic=kalamazoo&date=1999-01-01").json()["slots"] == []


def test_slot_queries_do_not_grow_with_specialists_or_appointments(world, django_assert_num_queries):
    from appointments import availability
    from tests.factories import AppointmentFactory, WorkingHoursFactory

    def compute():
        availability.slots_for_clinics(
            [world.clinic], now=timezone.now(), days=14, appointment_type=availability.online_type()
        )

    with django_assert_num_queries(6) as small:
        compute()
    for n in range(20):
        person = SpecialistFactory(slug=f"extra-{n}", clinics=[world.clinic])
        WorkingHoursFactory(specialist=person, clinic=world.clinic, weekday=n % 7)
        AppointmentFactory(clinic=world.clinic, specialist=person, appointment_type=world.visit_type)
    with django_assert_num_queries(len(small.captured_queries)):
        compute()


def test_booking_pages_make_as_many_queries_with_many_bookings_as_with_none(
    client, world, django_assert_max_num_queries
):
    """Computed, not cached: each page's query count, then again with 24 more people and 72 visits."""
    from tests.caches import empty_cache
    from tests.factories import AppointmentFactory, WorkingHoursFactory

    day = world.today() + dt.timedelta(days=2)
    pages = [
        "/book/",
        "/book/kalamazoo/",
        f"/book/kalamazoo/?day={day}&specialist=alice-park",
        details_url(world, world.local(2, 10)),
        f"/api/slots/?clinic=kalamazoo&date={day}",
    ]

    def counts():
        found = {}
        for url in pages:
            empty_cache()
            with django_assert_max_num_queries(100) as queries:
                assert client.get(url).status_code == 200, url
            found[url] = len(queries.captured_queries)
        return found

    few = counts()
    for n in range(24):
        person = SpecialistFactory(slug=f"extra-{n}", clinics=[world.clinic])
        for weekday in range(7):
            WorkingHoursFactory(specialist=person, clinic=world.clinic, weekday=weekday)
        for hour in (8, 11, 14):
            AppointmentFactory(
                clinic=world.clinic, specialist=person, appointment_type=world.visit_type, start=world.local(2, hour)
            )
    for url, count in few.items():
        empty_cache()
        with django_assert_max_num_queries(count):
            client.get(url)


def test_a_time_taken_between_the_form_check_and_the_booking_is_a_message_not_a_500(client, world, monkeypatch):
    from appointments import availability

    start = world.local(2, 10)
    book(client, world, start, specialist=world.alice, email="first@example.com")
    # The form's own check ran before the other patient's booking committed.
    monkeypatch.setattr(availability, "check_start", lambda value, **kw: (start, None))

    response = book(client, world, start, specialist=world.alice)

    assert response.status_code == 200
    assert "That time was just taken" in html(response)
    assert re.findall(r'name="start" id="alt-\d+"', html(response))
    assert Appointment.objects.count() == 1
