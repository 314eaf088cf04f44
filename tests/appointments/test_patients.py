"""Patient records: who is the same person, merging two records, the purge, and what the front desk
sees and finds in admin (its clinics' patients, anyone else only by exact phone or email)."""

import datetime as dt
import importlib
import json
import logging
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import patients, roles, services, waitlist
from appointments.models import Appointment, Patient, WaitlistEntry
from tests.factories import ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import client_for, patient, staff_user

pytestmark = pytest.mark.django_db

PATIENTS = "/admin/appointments/patient/"
APPT = "/admin/appointments/appointment/"


def book_online(world, days=2, hour=10, n=1, **changes):
    return services.book_appointment(
        clinic=world.clinic, start=world.local(days, hour), specialist=world.alice, patient=patient(n, **changes)
    )


def book_by_phone(world, days=2, hour=10, n=1, clinic=None, specialist=None, **changes):
    return services.book_appointment(
        clinic=clinic or world.clinic,
        start=world.local(days, hour),
        specialist=specialist or world.alice,
        patient=patient(n, **changes),
        source=Appointment.Source.PHONE,
    )


@pytest.fixture
def portage(world):
    """A second clinic, open every day, that the front desk of the first does not work at."""
    clinic = ClinicFactory(slug="portage", name="Armor PT Portage")
    zoe = SpecialistFactory(slug="zoe-hart", name="Zoe Hart", clinics=[clinic])
    for weekday in range(7):
        WorkingHoursFactory(specialist=zoe, clinic=clinic, weekday=weekday)
    return SimpleNamespace(clinic=clinic, zoe=zoe)


@pytest.fixture
def desk(world):
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))


# --- Who is the same person ---------------------------------------------------------------------


def test_the_same_birthday_and_email_is_the_same_patient(world):
    first = book_online(world, n=1)
    second = book_by_phone(world, days=3, n=1, phone="+12695559999")

    assert first.patient is not None
    assert second.patient == first.patient
    assert Patient.objects.count() == 1


def test_the_same_birthday_and_phone_is_the_same_patient(world):
    first = book_online(world, n=1)
    second = book_online(world, days=3, n=1, email="ana.new@example.com")

    assert second.patient == first.patient


def test_another_birthday_is_another_patient(world):
    parent = book_online(world, n=1, date_of_birth=dt.date(1960, 1, 1))
    child = book_online(world, days=3, n=1, first_name="Ana", date_of_birth=dt.date(2010, 3, 3))

    assert parent.patient != child.patient
    assert Patient.objects.count() == 2


def test_twins_booked_with_a_parents_phone_stay_two_patients(world):
    one = book_by_phone(world, n=1, first_name="Mia")
    other = book_by_phone(world, days=3, n=1, first_name="Leo")

    assert one.patient != other.patient


def test_without_a_birthday_the_whole_name_must_match(world):
    known = book_online(world, n=1)
    same = book_by_phone(world, days=3, n=1, date_of_birth=None, email="")
    someone_else = book_by_phone(world, days=4, n=1, date_of_birth=None, email="", last_name="Other")

    assert same.patient == known.patient
    assert someone_else.patient != known.patient


def test_the_record_keeps_the_fuller_details(world):
    by_phone = book_by_phone(world, n=1, email="", date_of_birth=dt.date(1985, 4, 2), payment="")
    record = by_phone.patient
    assert record.email == ""

    book_online(world, days=3, n=1, payment="Medicare")  # the same phone, birthday and name, and an email now
    book_by_phone(world, days=4, n=1, email="", payment="")  # blanks blank nothing

    record.refresh_from_db()
    assert record.email == "ana1@example.com"
    assert record.payment == "Medicare"
    assert str(record.phone) == "+12695550001"


def test_an_online_booking_does_not_overwrite_what_the_record_says(world):
    first = book_online(world, n=1, last_name="Lopez")
    book_online(world, days=3, n=1, last_name="Garcia")  # same email, birthday and first name

    first.patient.refresh_from_db()
    assert first.patient.last_name == "Lopez"
    assert Appointment.objects.get(last_name="Garcia").patient == first.patient  # the visit keeps its own copy


def test_a_waitlist_claim_links_the_patient(world):
    known = book_online(world, n=1)
    entry = WaitlistEntry.objects.create(
        clinic=world.clinic,
        first_name="Ana",
        last_name="Lopez1",
        email="ana1@example.com",
        first_day=world.today(),
        last_day=world.today() + dt.timedelta(days=5),
        consent_at=timezone.now(),
    )
    offer = entry.offers.create(
        start=world.local(4, 11),
        end=world.local(4, 12),
        specialist=world.bob,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )

    claimed = waitlist.claim(offer=offer)

    assert claimed.patient == known.patient


# --- Merging ------------------------------------------------------------------------------------


def test_merge_moves_the_visits_keeps_the_fuller_details_and_logs_ids_only(world, caplog):
    keep = book_by_phone(world, n=1, email="").patient
    other_visit = book_online(world, days=3, n=1, first_name="Anna", phone="", payment="Medicare")
    other = other_visit.patient
    assert other != keep

    with caplog.at_level(logging.INFO, logger="appointments.patients"):
        moved = patients.merge(keep=keep, other=other)

    assert moved == 1
    assert not Patient.objects.filter(pk=other.pk).exists()
    other_visit.refresh_from_db()
    assert other_visit.patient == keep
    keep.refresh_from_db()
    assert (keep.first_name, keep.email, keep.payment) == ("Ana", "ana1@example.com", "Medicare")
    assert f"merged patient {other.pk} into patient {keep.pk}" in caplog.text
    assert "Ana" not in caplog.text and "example.com" not in caplog.text


def test_merging_a_record_with_itself_is_refused(world):
    record = book_online(world).patient
    with pytest.raises(patients.MergeRefused):
        patients.merge(keep=record, other=record)


def test_the_merge_action_asks_first_then_merges_the_two(world, desk):
    keep = book_by_phone(world, n=1).patient
    other = book_by_phone(world, days=3, n=1, first_name="Anna", email="").patient
    selected = {"action": "merge_selected", "_selected_action": [keep.pk, other.pk]}

    page = desk.post(PATIENTS, selected)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Merge the two records" in text
    assert "Keep record #" in text and "ana1@example.com" in text

    done = desk.post(PATIENTS, {**selected, "apply": "1", "keep": keep.pk}, follow=True)

    assert "Merged the two records of Ana Lopez1" in done.content.decode()
    assert list(Patient.objects.all()) == [keep]
    assert keep.appointments.count() == 2


def test_the_merge_action_wants_exactly_two(world, desk):
    record = book_online(world).patient

    response = desk.post(PATIENTS, {"action": "merge_selected", "_selected_action": [record.pk]}, follow=True)

    assert "Select exactly two patients" in response.content.decode()


# --- Booking from the desk -------------------------------------------------------------------------


def phone_booking(world, **changes):
    start = world.local(3, 10).astimezone(world.clinic.tz)
    return {
        "clinic": world.clinic.pk,
        "specialist": world.alice.pk,
        "appointment_type": world.visit_type.pk,
        "day": start.date().isoformat(),
        "time": "10:00",
        "source": "phone",
        "first_name": "Ana",
        "last_name": "Lopez1",
        "phone": "(269) 555-0001",
        "email": "",
        "date_of_birth": "",
        "reason": "",
        "payment": "",
        "notes": "",
        **changes,
    }


def test_a_phone_booking_of_a_picked_patient_uses_that_record(world, desk):
    record = book_online(world, n=1).patient

    response = desk.post(APPT + "add/", phone_booking(world, patient=record.pk, first_name="Anita", payment="Medicaid"))

    assert response.status_code == 302
    visit = Appointment.objects.get(source="phone")
    assert visit.patient == record
    assert Patient.objects.count() == 1
    record.refresh_from_db()  # the desk has the person on the line: what they typed is the record's now
    assert (record.first_name, record.payment, record.email) == ("Anita", "Medicaid", "ana1@example.com")


def test_a_phone_booking_of_a_new_caller_makes_a_record(world, desk):
    response = desk.post(APPT + "add/", phone_booking(world, first_name="Rosa", last_name="Caller"))

    assert response.status_code == 302
    visit = Appointment.objects.get()
    assert visit.patient.name == "Rosa Caller"


def test_phone_is_required_for_a_phone_booking_not_a_walk_in(world, desk):
    response = desk.post(APPT + "add/", phone_booking(world, phone="", email="ana@example.com"))

    assert response.status_code == 200
    assert "A phone booking needs the caller’s phone number" in " ".join(response.context["form"].errors["phone"])
    assert not Appointment.objects.exists()

    walk_in = desk.post(APPT + "add/", phone_booking(world, source="walk_in", phone="", email="ana@example.com"))
    assert walk_in.status_code == 302


def test_book_again_opens_the_form_with_the_patient_picked_and_filled_in(world, desk):
    record = book_online(world, n=1).patient

    page = desk.get(APPT + "add/", {"patient": record.pk, "clinic": world.clinic.pk})

    form = page.context["form"]
    assert form.initial["patient"] == record.pk
    assert form.initial["first_name"] == "Ana" and form.initial["email"] == "ana1@example.com"
    assert f'<option value="{record.pk}" selected>' in page.content.decode()


def test_the_day_views_prefill_still_works_beside_the_patient_search(world, desk):
    day = world.local(3, 10).astimezone(world.clinic.tz).date()

    page = desk.get(APPT + "add/", {"clinic": world.clinic.pk, "specialist": world.bob.pk, "day": day, "time": "10:30"})

    initial = page.context["form"].initial
    assert (initial["specialist"], initial["time"]) == (str(world.bob.pk), "10:30")
    assert 'data-details-url="/admin/appointments/patient/{id}/details/"' in page.content.decode()


def test_the_visit_page_links_to_its_patient(world, desk):
    visit = book_online(world)

    page = desk.get(f"{APPT}{visit.pk}/change/").content.decode()

    assert f'href="{PATIENTS}{visit.patient_id}/change/"' in page


# --- Clinic scope ----------------------------------------------------------------------------------


@pytest.fixture
def elsewhere(world, portage):
    """A patient all of whose visits are at Portage."""
    return book_by_phone(world, n=7, clinic=portage.clinic, specialist=portage.zoe).patient


def autocomplete(client, term, url="/admin/autocomplete/"):
    params = {"app_label": "appointments", "model_name": "appointment", "field_name": "patient", "term": term}
    return client.get(url, params)


def found(response):
    assert response.status_code == 200
    return [int(r["id"]) for r in json.loads(response.content)["results"]]


def test_a_front_desk_does_not_see_another_clinics_patient(world, desk, elsewhere):
    own = book_online(world, n=1).patient

    assert list(desk.get(PATIENTS).context["cl"].result_list) == [own]
    assert desk.get(f"{PATIENTS}{elsewhere.pk}/change/").status_code == 404
    assert desk.get(f"{PATIENTS}{elsewhere.pk}/details/").status_code == 404
    assert found(autocomplete(desk, "Lopez")) == [own.pk]
    assert found(autocomplete(desk, "Lopez", PATIENTS + "autocomplete/")) == [own.pk]
    assert found(autocomplete(desk, "555-0007")) == []  # part of the number: not enough


def test_a_front_desk_finds_another_clinics_patient_by_exact_phone_or_email(world, desk, elsewhere):
    for term in ("(269) 555-0007", "269.555.0007", "ANA7@example.com"):
        assert found(autocomplete(desk, term)) == [elsewhere.pk], term
        assert found(autocomplete(desk, term, PATIENTS + "autocomplete/")) == [elsewhere.pk], term
        assert list(desk.get(PATIENTS, {"q": term}).context["cl"].result_list) == [elsewhere], term

    details = desk.get(f"{PATIENTS}{elsewhere.pk}/details/", {"term": "(269) 555-0007"})
    assert details.status_code == 200
    assert json.loads(details.content)["phone"] == "(269) 555-0007"
    assert desk.get(f"{PATIENTS}{elsewhere.pk}/details/", {"term": "(269) 555-0008"}).status_code == 404


def test_a_front_desk_books_another_clinics_patient_found_by_phone(world, desk, elsewhere):
    typed = phone_booking(world, patient=elsewhere.pk, first_name="Ana", last_name="Lopez7", phone="(269) 555-0007")

    guessed = desk.post(APPT + "add/", {**typed, "phone": "(269) 555-0009"})
    assert "has no visit at your clinics" in " ".join(guessed.context["form"].errors["patient"])

    assert desk.post(APPT + "add/", typed).status_code == 302
    assert Appointment.objects.get(clinic=world.clinic).patient == elsewhere
    assert desk.get(f"{PATIENTS}{elsewhere.pk}/change/").status_code == 200  # one of theirs now


def test_the_owner_sees_every_patient(world, admin_client, elsewhere):
    own = book_online(world, n=1).patient

    assert set(admin_client.get(PATIENTS).context["cl"].result_list) == {own, elsewhere}
    assert admin_client.get(f"{PATIENTS}{elsewhere.pk}/change/").status_code == 200


def test_search_by_name_part_of_a_phone_number_email_or_birthday(world, desk):
    ana = book_online(world, n=1).patient
    ben = book_online(world, days=3, n=2, first_name="Ben", date_of_birth=dt.date(1990, 12, 24)).patient

    def search(term):
        return set(desk.get(PATIENTS, {"q": term}).context["cl"].result_list)

    assert search("ben lopez2") == {ben}
    assert search("555-0001") == {ana}
    assert search("(269) 555") == {ana, ben}
    assert search("ana1@") == {ana}
    assert search("12/24/1990") == {ben}
    assert search("1985-04-02") == {ana}


@pytest.mark.parametrize(
    "url",
    [
        PATIENTS + "?q=a%00b",
        "/admin/autocomplete/?app_label=appointments&model_name=appointment&field_name=patient&term=a%00b",
        PATIENTS + "autocomplete/?app_label=appointments&model_name=appointment&field_name=patient&term=a%00b",
        PATIENTS + "1/details/?term=a%00b",
    ],
)
def test_a_nul_byte_in_a_patient_search_is_refused_not_a_500(world, desk, url):
    book_online(world)
    assert desk.get(url).status_code == 400


def test_the_search_service_finds_nothing_for_a_nul_byte(world):
    book_online(world)
    owner = SimpleNamespace(is_superuser=True)
    assert not patients.search(owner, "a\x00b").exists()


# --- A patient's page ----------------------------------------------------------------------------


def test_the_patient_page_shows_visits_no_shows_emails_and_book_again(world, desk, portage):
    record = book_online(world, n=1).patient
    missed = world.visit(-3, patient=record, status=Appointment.Status.NO_SHOW)
    book_by_phone(world, n=1, clinic=portage.clinic, specialist=portage.zoe, days=5)  # not shown here

    page = desk.get(f"{PATIENTS}{record.pk}/change/").content.decode()

    assert f'href="{APPT}{missed.pk}/change/"' in page
    assert "No-show" in page
    assert "2 visits" in page and "1 no-show" in page
    assert "1 more at other clinics" in page
    assert "Zoe Hart" not in page
    assert "ana1@example.com" in page and "Emails sent about these visits" in page
    book_again = re.search(r'href="([^"]*)"[^>]*>Book again', page).group(1)
    assert book_again.startswith(f"{APPT}add/?patient={record.pk}&amp;clinic={world.clinic.pk}")


def test_the_patient_page_names_a_possible_duplicate(world, desk):
    record = book_online(world, n=1).patient
    twin = book_online(world, days=3, n=1, first_name="Mia").patient

    page = desk.get(f"{PATIENTS}{record.pk}/change/").content.decode()

    assert "Perhaps the same person" in page and f"{PATIENTS}{twin.pk}/change/" in page


# --- The retention purge ------------------------------------------------------------------------


def test_the_purge_erases_a_patient_once_all_their_visits_are_erased(world, clock, settings):
    first = book_online(world, days=2, n=1)
    later = book_by_phone(world, days=40, n=1)
    record = first.patient

    clock.shift(dt.timedelta(days=2 + settings.RETENTION_PAST_DAYS + 1))
    services.erase_expired_patient_details()
    record.refresh_from_db()
    first.refresh_from_db()
    assert first.erased_at is not None
    assert record.erased_at is None and record.email == "ana1@example.com"  # the later visit still holds details

    clock.shift(dt.timedelta(days=40))
    services.erase_expired_patient_details()
    record.refresh_from_db()
    later.refresh_from_db()
    assert later.erased_at is not None
    assert record.erased_at is not None
    assert (record.first_name, record.last_name, record.email, str(record.phone), record.date_of_birth) == (
        "(erased)",
        "",
        "",
        "",
        None,
    )


def test_an_erased_patient_is_never_matched_again(world, clock, settings):
    old = book_online(world, n=1)
    clock.shift(dt.timedelta(days=2 + settings.RETENTION_PAST_DAYS + 1))
    services.erase_expired_patient_details()

    again = book_by_phone(world, n=1)

    assert again.patient != old.patient
    assert again.patient.erased_at is None


def test_erasing_patients_costs_the_same_queries_per_batch(world, django_assert_max_num_queries):
    def expired_patients(count, first):
        made = Patient.objects.bulk_create(
            Patient(first_name="Pat", last_name=f"P{n}", email=f"p{n}@example.com") for n in range(first, first + count)
        )
        start = timezone.now() - dt.timedelta(days=800)
        Appointment.objects.bulk_create(
            Appointment(
                patient=p,
                clinic=world.clinic,
                specialist=world.alice,
                appointment_type=world.visit_type,
                start=start + dt.timedelta(hours=first + n),
                end=start + dt.timedelta(hours=first + n, minutes=30),
                first_name="(erased)",
                erased_at=timezone.now(),
            )
            for n, p in enumerate(made)
        )

    expired_patients(5, 0)
    with django_assert_max_num_queries(20) as one_batch:
        assert patients.erase_expired(now=timezone.now(), batch_size=10) == 5
    expired_patients(50, 5)
    with django_assert_max_num_queries(5 * len(one_batch.captured_queries)):
        assert patients.erase_expired(now=timezone.now(), batch_size=10) == 50


# --- Query counts at ten times the patients and visits ----------------------------------------------


def crowd(world, count, first=0):
    """`count` patients, each with three visits at the clinic (one upcoming) and their emails."""
    made = Patient.objects.bulk_create(
        Patient(
            first_name="Pat",
            last_name=f"Crowd{n:04}",
            email=f"crowd{n}@example.com",
            phone=f"+1269556{n:04}",
            date_of_birth=dt.date(1970, 1, 1) + dt.timedelta(days=n),
        )
        for n in range(first, first + count)
    )
    visits = []
    for n, p in enumerate(made, start=first):
        for days in (-30, -10, 5):
            start = world.local(days, 0) + dt.timedelta(minutes=30 * n)  # one after the other: no overlap
            visits.append(
                Appointment(
                    patient=p,
                    clinic=world.clinic,
                    specialist=world.alice,
                    appointment_type=world.visit_type,
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    first_name=p.first_name,
                    last_name=p.last_name,
                    email=p.email,
                    phone=p.phone,
                    status=Appointment.Status.COMPLETED if days < 0 else Appointment.Status.CONFIRMED,
                )
            )
    Appointment.objects.bulk_create(visits)
    return made


@pytest.mark.parametrize(
    "url",
    [
        PATIENTS,
        PATIENTS + "?q=Crowd",
        PATIENTS + "?q=555",
        "{page}",
        "/admin/autocomplete/?app_label=appointments&model_name=appointment&field_name=patient&term=crowd",
        PATIENTS + "autocomplete/?app_label=appointments&model_name=appointment&field_name=patient&term=556",
    ],
)
def test_patient_pages_cost_no_more_queries_with_ten_times_the_patients(
    world, desk, url, django_assert_max_num_queries
):
    first = crowd(world, 5)[0]
    url = url.format(page=f"{PATIENTS}{first.pk}/change/")
    with django_assert_max_num_queries(100) as small:
        assert desk.get(url).status_code == 200

    crowd(world, 50, first=5)
    Appointment.objects.bulk_create(
        Appointment(
            patient=first,
            clinic=world.clinic,
            specialist=world.bob,
            appointment_type=world.visit_type,
            start=world.local(-60 - n, 9),
            end=world.local(-60 - n, 9) + dt.timedelta(minutes=30),
            first_name="Pat",
            last_name="Crowd0000",
        )
        for n in range(30)
    )

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert desk.get(url).status_code == 200


# --- The migration ------------------------------------------------------------------------------


def test_the_migration_groups_existing_visits_by_the_same_rule(world):
    def visit(days, **details):
        values = {"first_name": "Ana", "last_name": "Lopez", "email": "", "phone": "", "date_of_birth": None, **details}
        start = world.local(days, 9)
        return Appointment(
            clinic=world.clinic,
            specialist=world.alice,
            appointment_type=world.visit_type,
            start=start,
            end=start + dt.timedelta(minutes=30),
            **values,
        )

    born = dt.date(1985, 4, 2)
    Appointment.objects.bulk_create(
        [
            visit(1, email="ana@example.com", phone="+12695550001", date_of_birth=born),
            visit(2, email="ANA@example.com", date_of_birth=born, payment="Medicare"),
            visit(3, phone="+12695550001", date_of_birth=born),
            visit(4, first_name="Mia", phone="+12695550001", date_of_birth=born),  # her twin
            visit(5, email="ana@example.com", date_of_birth=dt.date(2011, 1, 1)),  # her daughter, named for her
            visit(6, first_name="(erased)", last_name="", erased_at=timezone.now()),
        ]
    )
    migration = importlib.import_module("appointments.migrations.0010_patients")

    for _ in range(2):  # a second run changes nothing
        migration.link_visits_to_patients(apps, SimpleNamespace(connection=connection))

    by_day = {v.start.astimezone(world.clinic.tz).date(): v.patient for v in Appointment.objects.order_by("start")}
    ana, _, _, mia, daughter, erased = by_day.values()
    assert by_day[world.local(2, 9).astimezone(world.clinic.tz).date()] == ana
    assert by_day[world.local(3, 9).astimezone(world.clinic.tz).date()] == ana
    assert len({ana.pk, mia.pk, daughter.pk}) == 3
    assert erased is None
    assert Patient.objects.count() == 3
    ana.refresh_from_db()
    assert (ana.email.lower(), str(ana.phone), ana.payment) == ("ana@example.com", "+12695550001", "Medicare")


def test_the_daily_purge_looks_only_at_the_patients_of_the_visits_it_erases(world, clock, settings):
    """Hundreds of thousands of records must not be walked every night to find the few to erase."""
    for n in range(1, 6):
        book_online(world, days=2 + n, n=n)  # records whose visits are far from expiring
    expiring = book_online(world, days=1, n=9)
    clock.shift(dt.timedelta(days=1 + settings.RETENTION_PAST_DAYS + 1))

    with CaptureQueriesContext(connection) as nothing_to_erase_yet:
        services.erase_expired_patient_details(now=timezone.now() - dt.timedelta(days=3))
    assert not [q for q in nothing_to_erase_yet.captured_queries if "appointments_patient" in q["sql"]]

    services.erase_expired_patient_details()
    expiring.patient.refresh_from_db()
    assert expiring.patient.erased_at is not None
    assert Patient.objects.filter(erased_at__isnull=True).count() == 5
