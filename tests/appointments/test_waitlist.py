"""The waitlist: joining and leaving, offers when a time frees up, claiming them, expiry, retention,
the front desk's pages, and twenty patients claiming one freed time at once on PostgreSQL."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from appointments import roles, services, waitlist
from appointments.models import Appointment, FreedTime, TimeOff, WaitlistEntry, WaitlistOffer, WorkingHours
from armorpt.models import OutboundEmail
from clinics.models import ClinicClosure
from tests.factories import ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import as_a_person, book, client_for, emails, patient, staff_user, without_random_ids

pytestmark = pytest.mark.django_db

Waiting = WaitlistEntry.Status
Outcome = WaitlistOffer.Outcome


def text(response):
    return response.content.decode()


def waiting(world, n=1, *, days=(1, 14), specialist=None, clinic=None, parts=(True, True, True), **changes):
    """Patient `n` put in line (through the service, as the join page does) for days `days` from today."""
    today = world.today()
    entry = WaitlistEntry(
        clinic=clinic or world.clinic,
        specialist=specialist,
        first_day=today + dt.timedelta(days=days[0]),
        last_day=today + dt.timedelta(days=days[1]),
        mornings=parts[0],
        afternoons=parts[1],
        evenings=parts[2],
        first_name="Wendy",
        last_name=f"Waiter{n}",
        email=f"wendy{n}@example.com",
        phone=f"+1269555{7000 + n:04d}",
        payment="Paying myself",
        consent_at=timezone.now(),
        **changes,
    )
    return waitlist.join(entry=entry)


def cancel(appointment, **options):
    return services.cancel_appointment(appointment=appointment, by_patient=False, **options)


def offers_to(entry):
    return list(WaitlistOffer.objects.filter(entry=entry))


def offer_link(message):
    """The site-relative "book this time" link in an offer email."""
    found = re.search(r"https://armorpt\.test(/waitlist/[^/\s\"<>]+/)", message.body_text)
    assert found, message.body_text
    return found.group(1)


FORM = {
    "specialist": "",
    "parts_of_day": ["morning", "afternoon"],
    "first_name": "Ana",
    "last_name": "O'Brien",
    "email": "ana@example.com",
    "phone": "(269) 555-0111",
    "payment": "Paying myself",
    "consent": "on",
}


def join_form(world, **changes):
    today = world.today()
    days = {"first_day": (today + dt.timedelta(days=1)).isoformat(), "last_day": (today + dt.timedelta(14)).isoformat()}
    return {**FORM, **days, **as_a_person(), **changes}


# --- Joining ----------------------------------------------------------------------------------


def test_a_patient_joins_from_the_form_and_gets_a_confirmation_with_a_leave_link(client, world):
    form = client.get(f"/book/kalamazoo/waitlist/?specialist={world.bob.slug}")
    assert form.status_code == 200
    assert re.search(rf'value="{world.bob.slug}"[^>]*checked', text(form))

    response = client.post("/book/kalamazoo/waitlist/", join_form(world, specialist=world.bob.slug))

    entry = WaitlistEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/waitlist/{entry.token}/"
    assert (entry.specialist, entry.mornings, entry.afternoons, entry.evenings) == (world.bob, True, True, False)
    assert (entry.phone, entry.payment, entry.source) == ("+12695550111", "Paying myself", "online")
    assert entry.first_day == world.today() + dt.timedelta(days=1) and entry.consent_at
    page = client.get(response["Location"])
    assert "You're on the waitlist" in text(page) or "You&#x27;re on the waitlist" in text(page)
    assert "Mornings and afternoons" in text(page)

    (confirmation,) = emails("waitlist.joined")
    assert confirmation.to == "ana@example.com"
    assert f"/waitlist/{entry.token}/leave/" in confirmation.body_text
    assert (
        world.clinic.phone_display in confirmation.body_text and world.clinic.street_address in confirmation.body_text
    )
    assert confirmation.headers["Reply-To"] == world.clinic.front_desk_email
    # Nothing about their health or their plan in any email.
    assert "Paying myself" not in confirmation.body_text + confirmation.body_html


def test_no_tick_means_any_time_of_day(client, world):
    client.post("/book/kalamazoo/waitlist/", join_form(world, parts_of_day=[]))

    entry = WaitlistEntry.objects.get()
    assert (entry.mornings, entry.afternoons, entry.evenings) == (True, True, True)
    assert entry.parts_of_day_display == "any time of day"


def days_from(today, n):
    return (today + dt.timedelta(days=n)).isoformat()


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("first_day", lambda today: {"first_day": "2000-01-01"}, "That day has passed"),
        ("last_day", lambda today: {"last_day": "not a date"}, "Enter a date"),
        ("last_day", lambda today: {"last_day": days_from(today, 40)}, "30 days or fewer"),
        ("last_day", lambda today: {"first_day": days_from(today, 3), "last_day": days_from(today, 2)}, "on or after"),
        ("phone", lambda today: {"phone": "12"}, "Enter a phone number we can call"),
        ("email", lambda today: {"email": "ana@"}, "Enter a valid email address"),
        ("consent", lambda today: {"consent": ""}, "Please tick this box"),
        ("specialist", lambda today: {"specialist": "nobody-here"}, "Please choose one of the options"),
        ("parts_of_day", lambda today: {"parts_of_day": ["midnight"]}, "Please choose from the parts of the day"),
        ("first_name", lambda today: {"first_name": "Ana\r\nBcc: x@evil.test"}, "on one line"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else None,
)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_what_was_typed(client, world, field, changes, message):
    response = client.post("/book/kalamazoo/waitlist/", join_form(world, **changes(world.today())))

    assert response.status_code == 200
    assert message in text(response)
    assert f'aria-describedby="id_{field}' in text(response) or f'id="id_{field}_0"' in text(response)
    assert "O&#x27;Brien" in text(response)  # what they typed stays
    assert not WaitlistEntry.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_the_honeypot_gets_a_quiet_answer_and_nothing_is_saved(client, world):
    response = client.post("/book/kalamazoo/waitlist/", join_form(world, website="http://spam.example"))

    assert response.status_code == 200
    assert "Request received" in text(response)
    assert not WaitlistEntry.objects.exists()


def test_a_form_sent_too_fast_is_shown_again(client, world):
    form = join_form(world)
    form["rendered_at"] = client.get("/book/kalamazoo/waitlist/").context["form"].initial["rendered_at"]

    response = client.post("/book/kalamazoo/waitlist/", form)

    assert "sent very quickly" in text(response)
    assert not WaitlistEntry.objects.exists()


def test_joining_is_rate_limited(client, world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "waitlist": "2/h"}
    for n in range(2):
        client.post("/book/kalamazoo/waitlist/", join_form(world, email=f"a{n}@example.com", phone=f"26955501{n}0"))

    third = client.post("/book/kalamazoo/waitlist/", join_form(world, email="c@example.com", phone="2695550199"))

    assert third.status_code == 429
    assert WaitlistEntry.objects.count() == 2


def test_one_person_waits_in_at_most_three_lines(client, world):
    second = ClinicFactory(slug="portage", name="Armor PT Portage")
    SpecialistFactory(slug="cara", clinics=[second])
    for n, (clinic, specialist) in enumerate([("kalamazoo", ""), ("kalamazoo", world.bob.slug), ("portage", "")]):
        assert client.post(f"/book/{clinic}/waitlist/", join_form(world, specialist=specialist)).status_code == 302, n

    fourth = client.post(
        "/book/kalamazoo/waitlist/", join_form(world, specialist=world.alice.slug, email="x@example.com")
    )

    assert fourth.status_code == 200
    assert "already on 3 waitlists" in text(fourth)  # the same phone number is the same person
    assert WaitlistEntry.objects.count() == 3
    waitlist.leave(entry=WaitlistEntry.objects.first())
    again = client.post("/book/kalamazoo/waitlist/", join_form(world, specialist=world.alice.slug))
    assert again.status_code == 302


def test_the_same_form_sent_twice_is_one_entry_and_one_email(client, world):
    form = join_form(world)

    first = client.post("/book/kalamazoo/waitlist/", form)
    second = client.post("/book/kalamazoo/waitlist/", form)

    assert first["Location"] == second["Location"]
    assert WaitlistEntry.objects.count() == 1
    assert len(emails("waitlist.joined")) == 1


def test_an_unknown_clinic_or_token_is_not_found(client, world):
    assert client.get("/book/nowhere/waitlist/").status_code == 404
    assert client.get("/waitlist/nonsense/").status_code == 404
    assert client.get("/waitlist/nonsense/leave/").status_code == 404
    entry = waiting(world)
    forged = entry.token[:-2] + ("AA" if not entry.token.endswith("AA") else "BB")
    assert client.get(f"/waitlist/{forged}/").status_code == 404


# --- Offers -----------------------------------------------------------------------------------


def test_a_cancelled_visit_reaches_the_first_patient_in_line_at_once(world, django_capture_on_commit_callbacks):
    visit = book(world, days=3, hour=10)
    first, second = waiting(world, 1), waiting(world, 2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel(visit)

    (offer,) = offers_to(first)
    assert (offer.start, offer.specialist, offer.outcome) == (visit.start, None, Outcome.OPEN)
    assert offer.expires_at == timezone.now() + dt.timedelta(minutes=30)
    # The next in line too (three per time by default), and the email went out in the same commit.
    assert offers_to(second)
    sent = [m for m in mail.outbox if m.to == ["wendy1@example.com"]]
    assert len(sent) == 1
    message = sent[0]
    assert message.subject.startswith(f"A time opened at {world.clinic.name}")
    local = visit.start.astimezone(world.clinic.tz)
    body = message.body
    assert f"{local:%A, %B} {local.day}, {local.year} at 10:00 AM {local.tzname()}" in body
    assert world.clinic.street_address in body and world.clinic.phone_display in body
    assert f"/waitlist/{offer.token}/" in body and f"/waitlist/{first.token}/leave/" in body
    assert "Alice Park" in body
    for private in ("Sore since the move", "back-pain", "back pain", "1985", "Paying myself"):
        assert private.lower() not in without_random_ids(body).lower() + message.alternatives[0][0].lower()


def test_offers_are_written_in_the_cancellations_transaction(world):
    visit = book(world, days=3, hour=10)
    entry = waiting(world)

    with pytest.raises(RuntimeError), transaction.atomic():
        cancel(visit)
        assert offers_to(entry) and emails("waitlist.offer")
        raise RuntimeError("the cancellation fails after all")

    assert not offers_to(entry) and not emails("waitlist.offer")


def test_a_freed_time_reaches_the_first_matching_patient_within_one_task_run(world, django_capture_on_commit_callbacks):
    from appointments.tasks import offer_freed_times

    TimeOff.objects.create(specialist=world.bob, start=world.local(3, 8), end=world.local(3, 17))
    away = TimeOff.objects.create(specialist=world.alice, start=world.local(3, 8), end=world.local(3, 17))
    evenings_only = waiting(world, 1, parts=(False, False, True))
    first_match = waiting(world, 2)
    away.delete()  # its task is not run here: the test runs it, once
    (row,) = FreedTime.objects.all()

    with django_capture_on_commit_callbacks(execute=True):
        offer_freed_times([row.pk])

    assert not offers_to(evenings_only)
    assert [o.start for o in offers_to(first_match)] == [world.local(3, 8)]
    assert [m.to for m in mail.outbox if "opened" in m.subject] == [["wendy2@example.com"]]


def test_offers_go_first_come_first_served_a_few_at_a_time(world):
    world.rules.waitlist_offers_per_time = 2
    world.rules.save()
    visit = book(world, days=3, hour=10)
    line = [waiting(world, n) for n in range(1, 5)]

    cancel(visit)

    assert [bool(offers_to(entry)) for entry in line] == [True, True, False, False]


def test_offers_respect_days_parts_of_day_clinic_and_specialist(world):
    other = ClinicFactory(slug="portage")
    WorkingHoursFactory(specialist=SpecialistFactory(clinics=[other]), clinic=other, weekday=0)
    visit = book(world, days=3, hour=10, specialist=world.alice)
    not_then = waiting(world, 1, days=(5, 10))
    afternoons = waiting(world, 2, parts=(False, True, True))
    with_bob = waiting(world, 3, specialist=world.bob)
    elsewhere = waiting(world, 4, clinic=other)
    with_alice = waiting(world, 5, specialist=world.alice)
    mornings = waiting(world, 6, parts=(True, False, False))

    cancel(visit)

    assert not any(offers_to(e) for e in (not_then, afternoons, with_bob, elsewhere))
    (offer,) = offers_to(with_alice)
    assert offer.specialist == world.alice
    assert offers_to(mornings)


def test_no_offer_inside_the_minimum_notice_and_never_past_it(world, clock):
    world.rules.waitlist_offer_minutes = 120
    world.rules.save()
    soon = book(world, days=0, hour=10)  # an hour away at 9:00: inside the two hours' notice
    later = book(world, days=0, hour=12)
    entry = waiting(world, 1, days=(0, 3))

    cancel(soon)
    assert not offers_to(entry)

    cancel(later)
    (offer,) = offers_to(entry)
    assert offer.expires_at == later.start - dt.timedelta(hours=2)  # 10:00, not 11:00: online booking ends then


def test_a_freed_hour_is_offered_as_the_one_visit_it_holds(world):
    visit = book(world, days=3, hour=10)
    line = [waiting(world, n) for n in range(1, 4)]

    cancel(visit)

    # 9:00, 9:30, 10:30 and 11:00 are free now too, but each overlaps 10:00: only 10:00 is offered.
    assert {o.start for o in WaitlistOffer.objects.all()} == {visit.start}
    assert WaitlistOffer.objects.count() == len(line)


def test_running_the_same_change_twice_offers_and_emails_once(world, django_capture_on_commit_callbacks):
    visit = book(world, days=3, hour=10)
    entry = waiting(world)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancel(visit)
        waitlist.visit_freed(visit)
        waitlist.offer_freed_time(clinic=world.clinic, specialist=None, start=visit.start, end=visit.end)

    assert len(offers_to(entry)) == 1
    assert len(emails("waitlist.offer")) == 1
    assert len([m for m in mail.outbox if "opened" in m.subject]) == 1


def test_one_open_offer_per_entry_and_never_two_overlapping_for_one_person(world):
    second = ClinicFactory(slug="portage", name="Armor PT Portage")
    cara = SpecialistFactory(slug="cara", clinics=[second])
    for weekday in range(7):
        WorkingHoursFactory(specialist=cara, clinic=second, weekday=weekday)
    here, there = waiting(world, 1), waiting(world, 1, clinic=second)  # the same person in two lines
    next_in_line = waiting(world, 2)
    at_ten = book(world, days=3, hour=10)
    at_two = book(world, days=4, hour=14)
    there_at_ten = services.book_appointment(
        clinic=second, start=at_ten.start, specialist=cara, patient=patient(9), source=Appointment.Source.PHONE
    )

    cancel(at_ten)
    cancel(at_two)
    cancel(there_at_ten)

    assert [o.start for o in offers_to(here)] == [at_ten.start]  # holds one open offer
    assert not offers_to(there)  # the same person, the same hour elsewhere
    assert {o.start for o in offers_to(next_in_line)} == {at_ten.start}
    # Once the first offer is answered, the entry can be offered the next freed time.
    waitlist.claim(offer=offers_to(here)[0])
    assert WaitlistEntry.objects.get(pk=here.pk).status == Waiting.BOOKED


def test_moving_a_visit_away_offers_its_old_time(world):
    visit = book(world, days=3, hour=10)
    entry = waiting(world)

    services.reschedule_appointment(appointment=visit, start=world.local(5, 14), by_patient=False)

    (offer,) = offers_to(entry)
    assert offer.start == world.local(3, 10)


def test_schedule_changes_offer_the_time_they_free_once_committed(world, django_capture_on_commit_callbacks):
    away = TimeOff.objects.create(specialist=world.alice, start=world.local(3, 8), end=world.local(3, 17))
    TimeOff.objects.create(specialist=world.bob, start=world.local(3, 8), end=world.local(3, 17))
    ClinicClosure.objects.create(clinic=world.clinic, date=world.today() + dt.timedelta(days=4), reason="Training")
    entry = waiting(world, 1, specialist=world.alice, days=(3, 3))
    anyone = waiting(world, 2, days=(4, 4))
    assert not WaitlistOffer.objects.exists()

    # Time off removed: the task runs after commit and offers the freed day.
    with django_capture_on_commit_callbacks(execute=True):
        away.delete()
    assert [o.start for o in offers_to(entry)] == [world.local(3, 8)]

    # A closure lifted.
    with django_capture_on_commit_callbacks(execute=True):
        ClinicClosure.objects.filter(clinic=world.clinic).delete()
    assert [o.start for o in offers_to(anyone)] == [world.local(4, 8)]
    assert not FreedTime.objects.filter(offered_at__isnull=True).exists()


def test_new_working_hours_offer_only_the_new_part(world, django_capture_on_commit_callbacks):
    day = world.today() + dt.timedelta(days=3)
    WorkingHours.objects.filter(specialist=world.bob).delete()
    WorkingHours.objects.filter(specialist=world.alice, weekday=day.weekday()).update(end_time=dt.time(12))
    entry = waiting(world, 1, days=(3, 3))

    with django_capture_on_commit_callbacks(execute=True):
        block = WorkingHours.objects.get(specialist=world.alice, weekday=day.weekday())
        block.end_time = dt.time(17)
        block.save()

    (offer,) = offers_to(entry)
    assert offer.start.astimezone(world.clinic.tz).time() == dt.time(12)  # the hour after the old end, first


def test_a_freed_time_whose_task_was_lost_is_offered_by_the_next_sweep(world, clock):
    entry = waiting(world)
    away = TimeOff.objects.create(specialist=world.alice, start=world.local(3, 8), end=world.local(3, 17))
    TimeOff.objects.create(specialist=world.bob, start=world.local(3, 8), end=world.local(3, 17))
    away.delete()  # on_commit never runs in this test: as if the broker had refused the task
    assert FreedTime.objects.filter(offered_at__isnull=True).count() == 1
    assert waitlist.refill() == 0  # not a minute old yet: its own task may still come

    clock.shift(dt.timedelta(minutes=2))
    assert waitlist.refill() == 1
    assert waitlist.refill() == 0  # worked once
    assert offers_to(entry)


def test_the_task_run_twice_sends_one_offer(world, django_capture_on_commit_callbacks):
    from appointments.tasks import offer_freed_times

    entry = waiting(world)
    TimeOff.objects.create(specialist=world.bob, start=world.local(3, 8), end=world.local(3, 17))
    away = TimeOff.objects.create(specialist=world.alice, start=world.local(3, 8), end=world.local(3, 17))
    away.delete()
    row = FreedTime.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        offer_freed_times([row.pk])
        offer_freed_times([row.pk])

    assert len(offers_to(entry)) == 1
    assert len(emails("waitlist.offer")) == 1


# --- Claiming ---------------------------------------------------------------------------------


def test_two_taps_book_the_offered_time_and_end_the_entry(client, world):
    visit = book(world, days=3, hour=10)
    entry = waiting(world)
    cancel(visit)
    (message,) = emails("waitlist.offer")

    page = client.get(offer_link(message))
    assert page.status_code == 200
    assert "A time opened for you" in text(page) and "Book this time" in text(page)
    booked = client.post(offer_link(message))

    appointment = Appointment.objects.active().get(start=visit.start)
    assert booked.status_code == 302 and booked["Location"] == f"/book/done/{appointment.token}/"
    assert (appointment.email, appointment.phone, appointment.payment) == (entry.email, entry.phone, "Paying myself")
    assert appointment.source == "online" and appointment.status == "confirmed"
    entry.refresh_from_db()
    assert entry.status == Waiting.BOOKED and entry.ended_at
    offer = WaitlistOffer.objects.get(entry=entry)
    assert (offer.outcome, offer.appointment) == (Outcome.BOOKED, appointment)
    assert emails("appointment.confirmed")[-1].to == entry.email
    # The link again: the confirmation, not a second booking.
    assert client.post(offer_link(message))["Location"] == f"/book/done/{appointment.token}/"
    assert Appointment.objects.active().filter(start=visit.start).count() == 1


def test_a_late_claimer_is_told_the_time_was_taken_and_stays_in_line(client, world):
    visit = book(world, days=3, hour=10, specialist=world.alice)
    book(world, days=3, hour=10, specialist=world.bob, n=2)  # bob is busy then: one person can take 10:00
    first, second = waiting(world, 1), waiting(world, 2)
    cancel(visit)
    (offer_1,), (offer_2,) = offers_to(first), offers_to(second)

    assert client.post(f"/waitlist/{offer_1.token}/").status_code == 302
    late = client.post(f"/waitlist/{offer_2.token}/")

    assert late.status_code == 200
    assert "This time was just taken" in text(late) and "You are still on the waitlist" in text(late)
    second.refresh_from_db()
    offer_2.refresh_from_db()
    assert second.status == Waiting.WAITING and offer_2.outcome == Outcome.TAKEN
    # Opening the link again says the same, and books nothing.
    assert "This time was just taken" in text(client.get(f"/waitlist/{offer_2.token}/"))
    assert Appointment.objects.active().filter(start=visit.start).count() == 2


def test_the_offer_page_says_taken_when_someone_booked_the_time_online(client, world):
    visit = book(world, days=3, hour=10, specialist=world.alice)
    entry = waiting(world, specialist=world.alice)
    cancel(visit)
    book(world, days=3, hour=10, specialist=world.alice, n=5)  # someone booked it on the site meanwhile

    page = client.get(f"/waitlist/{offers_to(entry)[0].token}/")

    assert "This time was just taken" in text(page)
    assert "Book this time" not in text(page)


def test_an_offer_not_answered_in_time_ends_and_goes_to_the_next_in_line(client, world, clock):
    world.rules.waitlist_offers_per_time = 1
    world.rules.save()
    visit = book(world, days=3, hour=10)
    first, second = waiting(world, 1), waiting(world, 2)
    cancel(visit)
    (offer,) = offers_to(first)
    assert not offers_to(second)

    clock.shift(dt.timedelta(minutes=31))
    late = client.post(f"/waitlist/{offer.token}/")

    assert "This offer has ended" in text(late) and "still on the waitlist" in text(late)
    assert not Appointment.objects.active().filter(start=visit.start).exists()
    assert waitlist.refill() == 1
    offer.refresh_from_db()
    assert offer.outcome == Outcome.EXPIRED
    assert [o.start for o in offers_to(second)] == [visit.start]
    assert waitlist.refill() == 0
    first.refresh_from_db()
    assert first.status == Waiting.WAITING


def test_a_patient_with_three_bookings_is_told_so_and_stays_in_line(client, world):
    visit = book(world, days=3, hour=10)
    entry = waiting(world)
    for n, hour in enumerate((9, 11, 13)):
        services.book_appointment(
            clinic=world.clinic, start=world.local(5, hour), patient=patient(30 + n, email=entry.email)
        )
    cancel(visit)

    response = client.post(f"/waitlist/{offers_to(entry)[0].token}/")

    assert "3 upcoming appointments" in text(response)
    entry.refresh_from_db()
    assert entry.status == Waiting.WAITING


# --- Leaving ----------------------------------------------------------------------------------


def test_leaving_asks_first_and_passes_an_open_offer_on(client, world):
    world.rules.waitlist_offers_per_time = 1
    world.rules.save()
    visit = book(world, days=3, hour=10)
    first, second = waiting(world, 1), waiting(world, 2)
    cancel(visit)
    (offer,) = offers_to(first)

    asked = client.get(f"/waitlist/{offer.token}/leave/")  # the link in the offer email works too
    assert "Leave the waitlist?" in text(asked)
    first.refresh_from_db()
    assert first.status == Waiting.WAITING  # a GET (a mail scanner) changes nothing

    left = client.post(f"/waitlist/{first.token}/leave/")

    assert "You left the waitlist" in text(left)
    first.refresh_from_db()
    offer.refresh_from_db()
    assert (first.status, offer.outcome) == (Waiting.LEFT, Outcome.CLOSED)
    assert [o.start for o in offers_to(second)] == [visit.start]
    assert "no longer on this waitlist" in text(client.post(f"/waitlist/{offer.token}/"))
    assert not Appointment.objects.active().filter(start=visit.start).exists()


# --- Expiry and retention ---------------------------------------------------------------------


def test_entries_past_their_days_expire_and_are_erased_later(world, clock, settings):
    settings.RETENTION_WAITLIST_DAYS = 7
    old = waiting(world, 1, days=(0, 2))
    current = waiting(world, 2, days=(0, 20))
    about_old = old.emails.get()

    clock.shift(dt.timedelta(days=4))
    services.erase_expired_patient_details()
    old.refresh_from_db()
    assert old.status == Waiting.EXPIRED and old.erased_at is None  # kept a while for the front desk

    clock.shift(dt.timedelta(days=8))
    services.erase_expired_patient_details()

    old.refresh_from_db()
    assert old.erased_at and (old.first_name, old.email, old.phone, old.payment) == ("(erased)", "", "", "")
    assert (old.clinic, old.first_day) == (world.clinic, world.today() - dt.timedelta(days=12))
    about_old.refresh_from_db()
    assert (about_old.to, about_old.body_text) == ("erased@invalid", "")
    current.refresh_from_db()
    assert current.status == Waiting.WAITING and current.email == "wendy2@example.com"
    client = Client()
    assert client.get(f"/waitlist/{old.token}/").status_code == 404


# --- The front desk ---------------------------------------------------------------------------


@pytest.fixture
def two_clinics(world):
    other = ClinicFactory(slug="portage", name="Armor PT Portage")
    cara = SpecialistFactory(slug="cara", name="Cara Day", clinics=[other])
    for weekday in range(7):
        WorkingHoursFactory(specialist=cara, clinic=other, weekday=weekday)
    desk = client_for(staff_user("desk", roles.FRONT_DESK, [world.clinic]))
    return {"world": world, "other": other, "cara": cara, "desk": desk}


ENTRIES = "/admin/appointments/waitlistentry/"


def test_the_front_desk_sees_only_their_clinics_waitlist(two_clinics):
    world, desk = two_clinics["world"], two_clinics["desk"]
    mine = waiting(world, 1)
    theirs = waiting(world, 2, clinic=two_clinics["other"])
    visit = book(world, days=3, hour=10)
    cancel(visit)

    listing = desk.get(ENTRIES)
    assert listing.status_code == 200
    assert [e.pk for e in listing.context["cl"].result_list] == [mine.pk]
    assert desk.get(f"{ENTRIES}{theirs.pk}/change/").status_code == 404
    page = desk.get(f"{ENTRIES}{mine.pk}/change/")
    assert page.status_code == 200
    assert "offers sent, and what came of them" in text(page).lower() or "offers sent" in text(page)
    assert "Sent" in text(page)  # the open offer's outcome
    offers = desk.get("/admin/appointments/waitlistoffer/")
    assert {o.entry_id for o in offers.context["cl"].result_list} == {mine.pk}
    # The add form offers only their clinic.
    add = desk.get(f"{ENTRIES}add/")
    assert "Armor PT Portage" not in text(add)


def test_the_front_desk_adds_a_caller(two_clinics):
    world, desk = two_clinics["world"], two_clinics["desk"]
    today = world.today()

    response = desk.post(
        f"{ENTRIES}add/",
        {
            "clinic": world.clinic.pk,
            "specialist": "",
            "first_day": today.isoformat(),
            "last_day": (today + dt.timedelta(days=10)).isoformat(),
            "mornings": "on",
            "first_name": "Carl",
            "last_name": "Caller",
            "phone": "269-555-0177",
            "email": "carl@example.com",
            "payment": "Medicare",
            "offers-TOTAL_FORMS": "0",
            "offers-INITIAL_FORMS": "0",
            "armorpt-outboundemail-content_type-object_id-TOTAL_FORMS": "0",
            "armorpt-outboundemail-content_type-object_id-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = WaitlistEntry.objects.get()
    assert (entry.source, entry.mornings, entry.afternoons, entry.status) == ("phone", True, False, Waiting.WAITING)
    assert emails("waitlist.joined")[0].to == "carl@example.com"


def test_the_front_desk_is_refused_more_than_thirty_days(two_clinics):
    world, desk = two_clinics["world"], two_clinics["desk"]
    today = world.today()
    form = {
        "clinic": world.clinic.pk,
        "first_day": today.isoformat(),
        "last_day": (today + dt.timedelta(days=45)).isoformat(),
        "first_name": "Carl",
        "last_name": "Caller",
        "email": "carl@example.com",
        "offers-TOTAL_FORMS": "0",
        "offers-INITIAL_FORMS": "0",
        "armorpt-outboundemail-content_type-object_id-TOTAL_FORMS": "0",
        "armorpt-outboundemail-content_type-object_id-INITIAL_FORMS": "0",
    }

    response = desk.post(f"{ENTRIES}add/", form)

    assert response.status_code == 200
    assert "30 days or fewer" in text(response)
    assert not WaitlistEntry.objects.exists()


def test_offer_this_time_from_the_day_view(two_clinics):
    world, desk = two_clinics["world"], two_clinics["desk"]
    day = world.today() + dt.timedelta(days=3)
    schedule = desk.get(f"/admin/appointments/appointment/day/?clinic=kalamazoo&date={day}")
    assert "Offer to the waitlist" not in text(schedule)  # nobody waits
    first, second = waiting(world, 1), waiting(world, 2, parts=(False, True, False))

    schedule = desk.get(f"/admin/appointments/appointment/day/?clinic=kalamazoo&date={day}")
    links = re.findall(r'href="(/admin/appointments/waitlistentry/offer/\?[^"]+)"', text(schedule))
    assert links, "no offer link in the day view's free blocks"
    url = links[0].replace("&amp;", "&")
    page = desk.get(url)
    assert page.status_code == 200
    assert "Wendy Waiter1" in text(page) and "Wendy Waiter2" in text(page)
    assert re.search(rf'name="entry" value="{first.pk}"[^>]*checked', text(page))
    assert not re.search(rf'name="entry" value="{second.pk}"[^>]*checked', text(page))  # asked for afternoons
    start = world.local(3, 9)

    response = desk.post(url, {"start": start.astimezone(world.clinic.tz).isoformat(), "entry": [first.pk, second.pk]})

    assert response.status_code == 302
    assert {o.entry_id for o in WaitlistOffer.objects.filter(start=start)} == {first.pk, second.pk}
    assert len(emails("waitlist.offer")) == 2
    # Another clinic's free block is not theirs to offer.
    other = url.replace(f"clinic={world.clinic.pk}", f"clinic={two_clinics['other'].pk}")
    assert desk.get(other).status_code == 404


# --- Twenty patients, one freed time, real PostgreSQL ------------------------------------------

RACERS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_waitlisted_patients_claiming_one_freed_time_get_one_booking(world, settings):
    # All twenty come from one test address; the rate limit is not what this test is about.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking_change": "1000/m"}
    world.rules.waitlist_offers_per_time = RACERS
    world.rules.save()
    visit = book(world, days=3, hour=10, specialist=world.alice)
    book(world, days=3, hour=10, specialist=world.bob, n=2)  # bob is busy then: one seat
    line = [waiting(world, n) for n in range(1, RACERS + 1)]
    cancel(visit)
    tokens = [offers_to(entry)[0].token for entry in line]
    assert len(tokens) == RACERS

    barrier = threading.Barrier(RACERS)
    results = [None] * RACERS

    def claim(n):
        try:
            client = Client()
            barrier.wait()
            response = client.post(f"/waitlist/{tokens[n]}/")
            results[n] = (response.status_code, response.get("Location") or response.content.decode())
        except Exception as exc:  # noqa: BLE001 -- recorded and asserted on below
            results[n] = (None, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [status for status, _ in results]
    assert statuses.count(302) == 1, results
    taken = [body for status, body in results if status == 200 and "This time was just taken" in body]
    assert len(taken) == RACERS - 1, [body[:300] for status, body in results if status != 302]
    assert Appointment.objects.active().filter(start=visit.start, specialist=world.alice).count() == 1
    assert WaitlistEntry.objects.filter(status=Waiting.BOOKED).count() == 1
    assert WaitlistEntry.objects.filter(status=Waiting.WAITING).count() == RACERS - 1
    assert WaitlistOffer.objects.filter(outcome=Outcome.TAKEN).count() == RACERS - 1
