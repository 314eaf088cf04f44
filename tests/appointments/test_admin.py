"""The appointment admin: list, filters, search, actions, phone booking, reschedule, cancel, export, history."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import availability, roles, services
from appointments.models import Appointment
from armorpt.models import OutboundEmail
from tests.factories import AppointmentFactory, ClinicFactory, SpecialistFactory
from tests.helpers import book, client_for, staff_user

pytestmark = pytest.mark.django_db

LIST = "/admin/appointments/appointment/"
Status = Appointment.Status


@pytest.fixture
def desk(world):
    """A logged-in client of a front-desk user at the world's clinic."""
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))


def under_way(appointment):
    """The visit began ten minutes ago (arrived, completed and no-show only make sense from then)."""
    start = timezone.now() - dt.timedelta(minutes=10)
    Appointment.objects.filter(pk=appointment.pk).update(start=start, end=start + dt.timedelta(hours=1))
    appointment.refresh_from_db()
    return appointment


def requested(world, **kwargs):
    appointment = book(world, **kwargs)
    Appointment.objects.filter(pk=appointment.pk).update(status=Status.REQUESTED)
    appointment.refresh_from_db()
    return appointment


def kinds(appointment):
    return sorted(appointment.emails.values_list("kind", flat=True))


def history(appointment):
    return list(
        LogEntry.objects.filter(object_id=str(appointment.pk)).order_by("pk").values_list("change_message", flat=True)
    )


def action(client, name, *appointments, query="", **data):
    return client.post(
        LIST + query, {"action": name, "_selected_action": [a.pk for a in appointments], **data}, follow=True
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- The list --------------------------------------------------------------------------------


def test_list_shows_the_clinic_time_with_its_zone(world, desk):
    appointment = book(world, days=2, hour=10)

    html = desk.get(LIST).content.decode()

    local = appointment.start_local
    assert f"at 10:00 AM {local.tzname()}" in html
    assert appointment.reference_display in html
    assert 'class="appt-status appt-status-confirmed"' in html


def test_list_shows_upcoming_active_visits_by_default(world, desk):
    upcoming = book(world, n=1)
    cancelled = book(world, hour=12, n=2)
    services.cancel_appointment(appointment=cancelled, by_patient=False, reason="Called in")
    past = AppointmentFactory(
        clinic=world.clinic, specialist=world.bob, appointment_type=world.visit_type, start=world.local(-3, 9)
    )

    default = desk.get(LIST).context["cl"].result_list
    everything = desk.get(LIST + "?when=all&status=all").context["cl"].result_list
    only_past = desk.get(LIST + "?when=past").context["cl"].result_list

    assert list(default) == [upcoming]
    assert set(everything) == {upcoming, cancelled, past}
    assert list(only_past) == [past]


def test_today_and_this_week_filters(world, desk):
    today = AppointmentFactory(clinic=world.clinic, specialist=world.alice, appointment_type=world.visit_type)
    today.start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=1)
    today.end = today.start + dt.timedelta(hours=1)
    today.save()
    next_month = book(world, days=40)

    assert list(desk.get(LIST + "?when=today").context["cl"].result_list) == [today]
    assert next_month not in desk.get(LIST + "?when=week").context["cl"].result_list
    assert today in desk.get(LIST + "?when=week").context["cl"].result_list


@pytest.mark.parametrize(
    "term", ["{ref}", "{ref_dashed}", "(269) 555-0007", "269-555-0007", "ana7@example.com", "Lopez7"]
)
def test_search_by_reference_phone_email_or_name(world, desk, term):
    wanted = book(world, n=7)
    book(world, hour=13, n=8)
    term = term.format(ref=wanted.reference, ref_dashed=wanted.reference_display)

    found = desk.get(LIST, {"q": term}).context["cl"].result_list

    assert list(found) == [wanted]


def test_search_looks_beyond_the_default_filter(world, desk):
    cancelled = book(world, n=3)
    services.cancel_appointment(appointment=cancelled, by_patient=False)

    assert list(desk.get(LIST, {"q": "Lopez3"}).context["cl"].result_list) == [cancelled]


def test_list_query_count_does_not_grow_with_rows(world, desk):
    def queries_for(count):
        Appointment.objects.all().delete()
        for n in range(count):
            AppointmentFactory(
                clinic=world.clinic,
                specialist=[world.alice, world.bob][n % 2],
                appointment_type=world.visit_type,
                start=world.local(1 + n // 16, 8) + dt.timedelta(hours=n % 16 // 2),
            )
        with CaptureQueriesContext(connection) as queries:
            assert desk.get(LIST + "?when=all").status_code == 200
        return len(queries)

    assert queries_for(5) == queries_for(50)


# --- Actions ---------------------------------------------------------------------------------


def test_confirm_action_confirms_emails_and_logs(world, desk):
    appointment = requested(world)

    response = action(desk, "confirm", appointment)

    appointment.refresh_from_db()
    assert appointment.status == Status.CONFIRMED
    assert "appointment.confirmed" in kinds(appointment)
    assert "Marked 1 appointment(s) confirmed." in messages_of(response)
    assert history(appointment) == ["Status changed from Requested to Confirmed."]


@pytest.mark.parametrize(
    ("name", "status"),
    [("mark_arrived", Status.ARRIVED), ("mark_no_show", Status.NO_SHOW)],
)
def test_status_actions_change_the_status_and_log_it(world, desk, name, status):
    appointment = under_way(book(world))

    action(desk, name, appointment)

    appointment.refresh_from_db()
    assert appointment.status == status
    assert history(appointment) == [f"Status changed from Confirmed to {status.label}."]
    assert kinds(appointment) == ["appointment.confirmed"]  # No email for these.


def test_completed_after_arrived(world, desk):
    appointment = under_way(book(world))
    action(desk, "mark_arrived", appointment)

    action(desk, "mark_completed", appointment)

    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED


def test_a_refused_change_is_a_message_per_row_not_an_error_page(world, desk):
    ok = requested(world, n=1)
    refused = requested(world, hour=13, n=2)

    response = action(desk, "mark_completed", ok, refused)

    assert response.status_code == 200
    errors = [m for m in messages_of(response) if "cannot be marked completed" in m]
    assert len(errors) == 2
    assert refused.reference_display in " ".join(errors)
    assert Appointment.objects.filter(status=Status.COMPLETED).count() == 0
    assert history(refused) == []


def test_cancel_action_asks_for_a_reason_first(world, desk):
    appointment = book(world)

    page = desk.post(LIST, {"action": "cancel", "_selected_action": [appointment.pk]})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Cancel these appointments?" in html
    assert 'name="reason"' in html
    assert appointment.patient_name in html
    appointment.refresh_from_db()
    assert appointment.status == Status.CONFIRMED


def test_cancel_action_with_a_reason_cancels_emails_and_logs(world, desk):
    appointment = book(world)

    response = action(desk, "cancel", appointment, apply="1", reason="Patient called: feeling better")

    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == "Patient called: feeling better"
    assert "appointment.cancelled" in kinds(appointment)
    assert "Cancelled 1 appointment(s)." in messages_of(response)
    assert history(appointment) == [
        "Status changed from Confirmed to Cancelled. Reason: Patient called: feeling better"
    ]


def test_cancel_action_without_a_reason_asks_again(world, desk):
    appointment = book(world)

    response = desk.post(LIST, {"action": "cancel", "_selected_action": [appointment.pk], "apply": "1", "reason": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Status.CONFIRMED


def test_cancel_action_keeps_the_filters_of_the_list(world, desk):
    past = AppointmentFactory(
        clinic=world.clinic, specialist=world.bob, appointment_type=world.visit_type, start=world.local(-3, 9)
    )

    page = desk.post(LIST + "?when=past", {"action": "cancel", "_selected_action": [past.pk]})

    assert 'action="?when=past"' in page.content.decode()


def test_cancelling_a_completed_visit_is_refused_with_a_message(world, desk):
    appointment = under_way(book(world))
    action(desk, "mark_arrived", appointment)
    action(desk, "mark_completed", appointment)

    response = action(desk, "cancel", appointment, apply="1", reason="Oops", query="?status=all")

    assert any("cannot be cancelled" in m for m in messages_of(response))
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED


# --- Booking a caller ------------------------------------------------------------------------


def booking_data(world, **changes):
    start = world.local(3, 10).astimezone(world.clinic.tz)
    return {
        "clinic": world.clinic.pk,
        "specialist": world.alice.pk,
        "appointment_type": world.visit_type.pk,
        "day": start.date().isoformat(),
        "time": "10:00",
        "source": "phone",
        "first_name": "Rosa",
        "last_name": "Caller",
        "phone": "(269) 555-0142",
        "email": "rosa@example.com",
        "date_of_birth": "1970-01-31",
        "reason": "neck-pain",
        "notes": "Called at lunch",
        **changes,
    }


def test_add_form_is_prefilled_from_a_free_slot_of_the_day_view(world, desk):
    day = world.local(3, 10).astimezone(world.clinic.tz).date()

    html = desk.get(
        LIST + "add/", {"clinic": world.clinic.pk, "specialist": world.bob.pk, "day": day, "time": "14:30"}
    ).content.decode()

    assert f'value="{day.isoformat()}"' in html
    assert 'value="14:30"' in html
    assert f'<option value="{world.bob.pk}" selected>' in html


def test_booking_a_caller_goes_through_the_service(world, desk):
    response = desk.post(LIST + "add/", booking_data(world))

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{appointment.pk}/change/"
    assert appointment.source == Appointment.Source.PHONE
    assert appointment.status == Status.CONFIRMED
    assert appointment.start == world.local(3, 10)
    assert appointment.specialist == world.alice
    assert str(appointment.phone) == "+12695550142"
    assert appointment.notes == "Called at lunch"
    assert kinds(appointment) == ["appointment.confirmed"]  # No front-desk notice for their own booking.
    assert history(appointment) == ["Booked (phone)."]


def test_booking_without_email_sends_nothing(world, desk):
    desk.post(LIST + "add/", booking_data(world, email=""))

    assert Appointment.objects.get().email == ""
    assert OutboundEmail.objects.count() == 0


def test_booking_any_specialist_takes_whoever_is_free(world, desk):
    book(world, days=3, hour=10, specialist=world.alice)

    desk.post(LIST + "add/", booking_data(world, specialist=""))

    assert Appointment.objects.get(last_name="Caller").specialist == world.bob


def test_an_overlap_is_a_form_error_with_the_free_times(world, desk):
    book(world, days=3, hour=10, specialist=world.alice)

    response = desk.post(LIST + "add/", booking_data(world, time="10:30"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "already has a visit then" in form.errors["time"][0]
    html = response.content.decode()
    assert "Free start times that day" in html
    assert "Alice Park" in html and "11:15 AM to 4:00 PM" in html
    assert 'value="Rosa"' in html  # What was typed stays.
    assert Appointment.objects.count() == 1


@pytest.mark.postgres
def test_the_database_constraint_surfaces_as_a_form_error(world, desk, monkeypatch):
    """The service's own check is skipped: PostgreSQL's exclusion constraint still refuses the overlap."""
    book(world, days=3, hour=10, specialist=world.alice)
    monkeypatch.setattr(availability, "is_free", lambda **kwargs: True)

    response = desk.post(LIST + "add/", booking_data(world, time="10:30"))

    assert response.status_code == 200
    assert response.context["form"].errors["time"] == ["That time was just taken. Please choose another time."]
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"day": "2020-01-06"}, "time", "That time has passed"),
        ({"source": "walk_in", "phone": "", "email": ""}, "__all__", "Enter a phone number or an email address"),
        ({"phone": "", "email": "rosa@example.com"}, "phone", "A phone booking needs the caller’s phone number"),
        ({"phone": "12"}, "phone", "valid phone number"),
        ({"day": "not a day"}, "day", "Enter a valid date."),
    ],
)
def test_bad_input_is_a_form_error(world, desk, changes, field, message):
    response = desk.post(LIST + "add/", booking_data(world, **changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Appointment.objects.exists()


def test_a_time_the_clocks_skip_is_a_form_error(world, desk):
    # 2:30 AM on the second Sunday of March does not happen in Michigan.
    year = timezone.localdate().year + 1
    march = dt.date(year, 3, 8)
    spring_forward = march + dt.timedelta(days=(6 - march.weekday()) % 7)

    response = desk.post(LIST + "add/", booking_data(world, day=spring_forward.isoformat(), time="02:30"))

    assert "daylight saving" in response.context["form"].errors["time"][0]


def test_a_specialist_of_another_clinic_is_refused(world, desk):
    other = SpecialistFactory(name="Elsewhere", clinics=[ClinicFactory(slug="elsewhere")])

    response = desk.post(LIST + "add/", booking_data(world, specialist=other.pk))

    assert "specialist" in response.context["form"].errors
    assert not Appointment.objects.exists()


# --- The change page: reschedule, cancel, status buttons, emails -----------------------------


def test_change_page_offers_the_next_steps_and_the_emails(world, desk):
    appointment = requested(world)
    services.confirm_appointment(appointment=appointment)

    html = desk.get(f"{LIST}{appointment.pk}/change/").content.decode()

    assert f'action="{LIST}{appointment.pk}/status/"' in html
    assert 'value="arrived"' in html and 'value="no_show"' in html and 'value="confirmed"' not in html
    assert f"{LIST}{appointment.pk}/reschedule/" in html
    assert f"{LIST}{appointment.pk}/cancel/" in html
    assert "emails sent about this" in html.lower()
    email = appointment.emails.filter(kind="appointment.confirmed").latest("pk")
    assert f"/admin/armorpt/outboundemail/{email.pk}/resend/" in html


def test_status_and_time_are_not_editable_on_the_change_form(world, desk):
    appointment = book(world)
    data = {
        "first_name": "Anna",
        "last_name": appointment.last_name,
        "phone": str(appointment.phone),
        "email": appointment.email,
        "date_of_birth": "1985-04-02",
        "reason": "back-pain",
        "notes": "",
        "status": "cancelled",
        "start_0": "2030-01-01",
        "armorpt-outboundemail-content_type-object_id-TOTAL_FORMS": "0",
        "armorpt-outboundemail-content_type-object_id-INITIAL_FORMS": "0",
        "_save": "Save",
    }

    response = desk.post(f"{LIST}{appointment.pk}/change/", data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    updated = Appointment.objects.get(pk=appointment.pk)
    assert updated.first_name == "Anna"
    assert updated.status == Status.CONFIRMED
    assert updated.start == appointment.start


def test_status_button_changes_the_status(world, desk):
    appointment = under_way(book(world))

    response = desk.post(f"{LIST}{appointment.pk}/status/", {"status": "arrived"})

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.ARRIVED
    assert desk.get(f"{LIST}{appointment.pk}/status/").status_code == 405


def test_reschedule_moves_the_visit_through_the_service(world, desk):
    appointment = book(world)
    new_day = world.local(4, 14).astimezone(world.clinic.tz).date()

    response = desk.post(
        f"{LIST}{appointment.pk}/reschedule/", {"day": new_day.isoformat(), "time": "14:00", "specialist": ""}
    )

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == world.local(4, 14)
    assert appointment.specialist == world.alice  # "Any" keeps the same one when free.
    assert "appointment.rescheduled" in kinds(appointment)
    assert history(appointment)[-1].startswith("Rescheduled from ")


def test_reschedule_onto_a_taken_time_is_a_form_error(world, desk):
    appointment = book(world, n=1)
    book(world, days=4, hour=14, specialist=world.bob, n=2)
    new_day = world.local(4, 14).astimezone(world.clinic.tz).date()

    response = desk.post(
        f"{LIST}{appointment.pk}/reschedule/",
        {"day": new_day.isoformat(), "time": "14:00", "specialist": world.bob.pk},
    )

    assert response.status_code == 200
    assert "already has a visit then" in response.context["form"].errors["time"][0]
    appointment.refresh_from_db()
    assert appointment.start == world.local(2, 10)


def test_reschedule_of_a_finished_visit_is_refused(world, desk):
    appointment = under_way(book(world))
    services.change_status(appointment=appointment, status=Status.ARRIVED)
    day = world.local(4, 14).astimezone(world.clinic.tz).date()

    response = desk.post(f"{LIST}{appointment.pk}/reschedule/", {"day": day.isoformat(), "time": "14:00"})

    assert response.status_code == 200
    assert "Only a requested or confirmed visit can be moved." in response.content.decode()


def test_cancel_from_the_change_page(world, desk):
    appointment = book(world)

    page = desk.get(f"{LIST}{appointment.pk}/cancel/")
    response = desk.post(f"{LIST}{appointment.pk}/cancel/", {"reason": "Snowstorm"})

    assert "The patient gets an email that the visit is cancelled." in page.content.decode()
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert appointment.cancellation_reason == "Snowstorm"


def test_history_page_shows_who_changed_the_status(world, desk):
    appointment = requested(world)
    action(desk, "confirm", appointment)

    html = desk.get(f"{LIST}{appointment.pk}/history/").content.decode()

    assert "Status changed from Requested to Confirmed." in html
    assert "frontdesk" in html


# --- CSV export ------------------------------------------------------------------------------


def export(client, query=""):
    response = client.get(LIST + "export/" + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_follows_the_filters_of_the_list(world, desk):
    wanted = book(world, n=1)
    book(world, hour=13, n=2)

    rows = export(desk, f"?q={wanted.reference}")

    assert [row["Reference"] for row in rows] == [wanted.reference_display]
    assert rows[0]["Clinic"] == world.clinic.name
    assert rows[0]["Start"] == "10:00"
    assert rows[0]["Phone"] == "(269) 555-0001"


def test_export_leaves_out_health_details_without_the_permission(world, desk):
    book(world)

    row = export(desk)[0]

    assert not {"Notes", "Date of birth", "Reason for visit"} & row.keys()


def test_export_includes_health_details_with_the_permission(world):
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))
    book(world)

    row = export(manager)[0]

    assert row["Notes"] == "Sore since the move."
    assert row["Date of birth"] == "1985-04-02"
    assert row["Reason for visit"] == "Back pain"


def test_export_cannot_run_a_formula_in_a_spreadsheet(world, desk):
    book(world, first_name="=HYPERLINK(1)")

    assert export(desk)[0]["First name"] == "'=HYPERLINK(1)"


def test_export_without_permission_is_refused(world):
    marketing = client_for(staff_user("marketing", roles.MARKETING))

    assert marketing.get(LIST + "export/").status_code == 403
