"""The admin as the practice's own tool: its name, plain email kinds, phone numbers and times as the desk
reads them, a birth-date field without "Today", what changed since this morning, and the clinic told
when a patient moves or cancels online."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import roles, services
from appointments.admin import dashboard
from appointments.models import Appointment
from armorpt import email_kinds
from armorpt.models import OutboundEmail
from tests.caches import empty_cache
from tests.helpers import book, client_for, patient, staff_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LIST = "/admin/appointments/appointment/"
EMAILS = "/admin/armorpt/outboundemail/"


@pytest.fixture
def desk(world):
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))


def online(world, n=1, days=3, hour=10):
    """A visit a patient booked online (the clinic gets its new-booking notice)."""
    return services.book_appointment(
        clinic=world.clinic, start=world.local(days, hour), specialist=world.alice, patient=patient(n)
    )


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- The admin's name ----------------------------------------------------------------------------


def test_the_admin_says_armor_pt_front_desk_on_the_login_page_and_inside(world, client, desk):
    login = page(client, "/admin/login/")
    inside = page(desk, "/admin/")

    for html in (login, inside):
        assert "Armor PT front desk" in html
        assert "Django administration" not in html and "Django site admin" not in html
    assert "<title>Log in | Armor PT front desk</title>" in login


# --- Email kinds in plain words ------------------------------------------------------------------

# Strings that look like a kind and are something else.
NOT_KINDS = {"appointment.ics", "newsletter.unsubscribe", "newsletter.urls"}
KIND = re.compile(r"^(appointment|waitlist|newsletter)\.[a-z_]+$")


def kinds_in_the_code():
    found = set()
    for folder in ("appointments", "newsletter", "armorpt"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and KIND.match(node.value):
                    found.add(node.value)
    return found - NOT_KINDS


def test_every_kind_of_email_the_code_sends_has_a_plain_label():
    kinds = kinds_in_the_code()

    assert {"appointment.front_desk", "appointment.confirmed", "waitlist.offer", "newsletter.welcome"} <= kinds
    assert kinds <= email_kinds.LABELS.keys(), (
        f"name these kinds in armorpt/email_kinds.py: {kinds - email_kinds.LABELS.keys()}"
    )


def test_a_kind_without_a_label_still_reads_as_words():
    assert email_kinds.label("appointment.front_desk") == "Notice to the front desk: new online booking"
    assert email_kinds.label("appointment.something_new") == "Appointment: something new"


def test_the_outbox_and_a_visits_emails_show_the_kinds_by_their_labels(world, admin_client):
    appointment = online(world)

    listing = page(admin_client, EMAILS)
    visit = page(admin_client, f"{LIST}{appointment.pk}/change/")
    filtered = page(admin_client, EMAILS + "?kind=appointment.front_desk")

    for html in (listing, visit):
        assert "Notice to the front desk: new online booking" in html
        assert "Booking confirmation" in html
        assert "appointment.front_desk" not in html.replace("kind=appointment.front_desk", "")
    # The filter lists the kinds by their labels, and still filters by the code name.
    assert re.search(
        r'href="\?kind=appointment\.front_desk"[^>]*>Notice to the front desk: new online booking<', listing
    )
    assert "1 result" in filtered


# --- Phone numbers and times as the desk reads them ----------------------------------------------


def test_phone_numbers_show_as_the_desk_dials_them(world, desk):
    appointment = book(world, phone="+12695550188")

    html = page(desk, f"{LIST}{appointment.pk}/change/")

    assert 'value="(269) 555-0188"' in html
    assert "+12695550188" not in html


def test_the_clinic_list_and_page_show_the_clinics_number_as_dialled(world, admin_client):
    number = world.clinic.phone

    listing = page(admin_client, "/admin/clinics/clinic/")
    clinic = page(admin_client, f"/admin/clinics/clinic/{world.clinic.pk}/change/")

    assert f'<td class="field-phone_display">{number.as_national}</td>' in listing
    assert f'value="{number.as_national}"' in clinic
    assert number.as_e164 not in listing + clinic


def test_a_phone_number_typed_in_national_form_is_kept_whole(world, desk):
    appointment = book(world, phone="+12695550188")
    html = page(desk, f"{LIST}{appointment.pk}/change/")
    management = dict(re.findall(r'name="(armorpt-outboundemail-[^"]+)" value="([^"]*)"', html))
    data = {
        "first_name": "Ana",
        "last_name": "Lopez1",
        "phone": "(269) 555-0199",
        "email": "ana1@example.com",
        "payment": "",
        "notes": "",
        "reason": "back-pain",
        **management,
    }

    response = desk.post(f"{LIST}{appointment.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    appointment.refresh_from_db()
    assert appointment.phone.as_e164 == "+12695550199"


def test_admin_dates_and_times_read_like_the_rest_of_the_front_desk_pages(world, desk, clock):
    appointment = book(world)

    html = page(desk, f"{LIST}{appointment.pk}/change/")

    # Booked "now": Tuesday, June 15, 2027, 9:00 AM in Kalamazoo.
    assert "Tue, Jun 15, 2027 at 9:00 AM EDT" in html
    assert "a.m." not in html and "p.m." not in html
    # The visit itself, in the breadcrumbs and title, in the same words as the list.
    assert "Thu, Jun 17 at 10:00 AM EDT" in html


def test_the_outbox_list_shows_times_in_the_same_format(world, admin_client):
    online(world)

    assert "Tue, Jun 15, 2027 at 9:00 AM EDT" in page(admin_client, EMAILS)


# --- Date of birth: no "Today" -------------------------------------------------------------------


def date_of_birth_input(html):
    return re.search(r'<input[^>]*name="date_of_birth"[^>]*>', html).group(0)


def test_the_date_of_birth_field_has_no_today_shortcut(world, desk):
    appointment = book(world)

    for url in (f"{LIST}{appointment.pk}/change/", f"{LIST}add/"):
        field = date_of_birth_input(page(desk, url))
        # The admin's "Today | calendar" shortcuts attach to inputs of class vDateField.
        assert "vDateField" not in field, url
        assert 'type="date"' in field and 'max="2027-06-15"' in field, url
    assert 'value="1985-04-02"' in date_of_birth_input(page(desk, f"{LIST}{appointment.pk}/change/"))


# --- The clinic is told when a patient moves or cancels online -----------------------------------


def notices(appointment, kind):
    return list(OutboundEmail.objects.filter(kind=kind, object_id=appointment.pk))


def test_the_clinic_is_told_once_when_a_patient_moves_their_visit_online(world, django_capture_on_commit_callbacks):
    appointment = online(world)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_appointment(appointment=appointment, start=world.local(4, 14), by_patient=True)

    [notice] = notices(appointment, "appointment.front_desk_moved")
    assert notice.to == world.clinic.front_desk_email
    sent = [m for m in mail.outbox if m.to == [world.clinic.front_desk_email]]
    assert len(sent) == 1
    subject = sent[0].subject
    assert subject.startswith("Moved online: Ana Lopez1,")
    assert "Friday, June 18, 2027 at 10:00 AM EDT → Saturday, June 19, 2027 at 2:00 PM EDT" in subject
    assert appointment.reference_display in subject
    body = sent[0].body
    assert "Was:       Friday, June 18, 2027 at 10:00 AM EDT" in body
    assert "When:      Saturday, June 19, 2027 at 2:00 PM EDT" in body
    assert "/admin/appointments/appointment/" in body
    # No health details: not the reason, the notes or the date of birth.
    for text in (body, sent[0].alternatives[0][0]):
        assert "Sore since the move" not in text and "1985" not in text and "back-pain" not in text.lower()


def test_the_clinic_is_told_when_a_patient_cancels_online(world, django_capture_on_commit_callbacks):
    appointment = online(world)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_appointment(appointment=appointment, by_patient=True)

    [notice] = notices(appointment, "appointment.front_desk_cancelled")
    assert notice.subject == (
        f"Cancelled online: Ana Lopez1, Friday, June 18, 2027 at 10:00 AM EDT ({appointment.reference_display})"
    )
    assert "cancelled their visit at Armor PT Kalamazoo online" in notice.body_text


def test_the_clinic_is_not_told_of_what_the_desk_did_itself(world, desk):
    appointment = online(world)
    other = online(world, n=2, hour=13)

    desk.post(f"{LIST}{appointment.pk}/reschedule/", {"day": "2027-06-18", "time": "14:00", "specialist": ""})
    desk.post(f"{LIST}{other.pk}/cancel/", {"reason": "Therapist ill"})

    appointment.refresh_from_db()
    other.refresh_from_db()
    assert appointment.start == world.local(3, 14) and other.status == Appointment.Status.CANCELLED
    desk_kinds = {"appointment.front_desk_moved", "appointment.front_desk_cancelled"}
    assert not OutboundEmail.objects.filter(kind__in=desk_kinds).exists()


# --- Changes since this morning ------------------------------------------------------------------


def changes(client):
    html = page(client, "/admin/")
    found = re.search(r'<div class="front-desk-changes".*?</div>', html, re.S)
    assert found, "no changes section on the dashboard"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_the_dashboard_lists_online_and_staff_changes_since_this_morning_newest_first(world, desk, clock):
    cancelled = online(world, n=1)
    clock.shift(dt.timedelta(minutes=20))
    services.cancel_appointment(appointment=cancelled, by_patient=True)
    clock.shift(dt.timedelta(minutes=20))
    moved = online(world, n=2, hour=13)
    desk.post(f"{LIST}{moved.pk}/reschedule/", {"day": "2027-06-18", "time": "14:00", "specialist": ""})

    text = changes(desk)

    assert "Changes since this morning" in text and "Armor PT Kalamazoo" in text
    moved_line = "9:40 AM Moved by frontdesk (staff): Ana Lopez2, Fri, Jun 18 at 2:00 PM EDT"
    cancel_line = "9:20 AM Cancelled by the patient: Ana Lopez1, Fri, Jun 18 at 10:00 AM EDT"
    assert moved_line in text and cancel_line in text
    assert text.index(moved_line) < text.index(cancel_line)  # newest first
    assert "9:00 AM Booked online: Ana Lopez1" in text


def test_yesterdays_changes_are_not_listed(world, clock):
    online(world)
    clock.shift(dt.timedelta(days=1))
    desk = client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))

    assert "Nothing booked online, moved or cancelled since midnight." in changes(desk)


def test_a_busy_morning_shows_ten_changes_and_links_to_the_rest(world, desk):
    for n in range(12):
        online(world, n=n + 1, days=2 + n // 4, hour=8 + 2 * (n % 4))

    text = changes(desk)

    assert text.count("Booked online") == 10
    assert "and 2 more" in text
    more = re.search(r'<a href="([^"]+)">and 2 more</a>', page(desk, "/admin/")).group(1)
    listed = desk.get(more.replace("&amp;", "&"))
    assert listed.context["cl"].result_count == 12


def test_the_changes_list_makes_as_many_queries_with_ten_times_the_changes(world, desk):
    def queries_with(count):
        Appointment.objects.all().delete()
        for n in range(count):
            visit = online(world, n=n + 1, days=2 + n // 4, hour=8 + 2 * (n % 4))
            if n % 3 == 0:
                services.cancel_appointment(appointment=visit, by_patient=True)
            if n % 3 == 1:
                desk.post(f"{LIST}{visit.pk}/cancel/", {"reason": "Therapist ill"})
        visible = Appointment.objects.filter(clinic=world.clinic)
        with CaptureQueriesContext(connection) as queries:
            found = dashboard._changes_today(visible, [world.clinic], timezone.now())
        assert sum(len(row["changes"]) for row in found["clinics"]) == min(count + count // 3 * 2, 10)
        return len(queries)

    assert queries_with(30) == queries_with(3) <= 4


def test_the_whole_dashboard_stays_within_its_queries_with_ten_times_the_changes(world, desk):
    for n in range(30):
        visit = online(world, n=n + 1, days=2 + n // 4, hour=8 + 2 * (n % 4))
        if n % 3 == 0:
            services.cancel_appointment(appointment=visit, by_patient=True)
    page(desk, "/admin/")  # the chart stores the weeks it counted (appointments.weekly)
    empty_cache()

    with CaptureQueriesContext(connection) as queries:
        page(desk, "/admin/")

    assert len(queries) <= 20
