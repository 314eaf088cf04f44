"""Roles and clinic scope in admin, and a smoke test of every admin page for every role."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import RequestFactory

from appointments import roles, services
from appointments.demo import load_staff
from appointments.models import Appointment, TimeOff, WorkingHours
from armorpt.models import OutboundEmail
from clinics.models import ClinicAccess, ClinicClosure, OpeningHours
from tests.factories import (
    ClinicFactory,
    CredentialFactory,
    ExerciseFactory,
    SpecialistFactory,
    WorkingHoursFactory,
)
from tests.helpers import client_for, make_world, patient, staff_user

pytestmark = pytest.mark.django_db

APPT = "/admin/appointments/appointment/"


def permissions(role):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


# --- The groups ------------------------------------------------------------------------------


def test_front_desk_works_appointments_schedules_and_emails():
    granted = permissions(roles.FRONT_DESK)

    assert {
        "appointments.add_appointment",
        "appointments.change_appointment",
        "appointments.change_workinghours",
        "appointments.add_timeoff",
        "clinics.add_clinicclosure",
        "armorpt.change_outboundemail",
    } <= granted
    assert "appointments.delete_appointment" not in granted
    assert "appointments.export_health_details" not in granted
    assert not {p for p in granted if p.startswith(("content.", "newsletter.", "auth."))}
    assert "clinics.change_specialist" not in granted


def test_clinic_manager_adds_specialists_clinics_and_guides():
    granted = permissions(roles.CLINIC_MANAGER)

    assert permissions(roles.FRONT_DESK) <= granted
    assert {
        "clinics.change_specialist",
        "clinics.change_clinic",
        "content.change_guide",
        "content.add_exercise",
        "appointments.export_health_details",
    } <= granted
    assert not {p for p in granted if p.startswith(("newsletter.", "auth."))}


def test_marketing_has_guides_the_newsletter_and_the_patients_questions_only():
    granted = permissions(roles.MARKETING)

    assert {"content.change_guide", "content.add_exercise", "newsletter.add_issue", "newsletter.view_subscriber"} <= (
        granted
    )
    assert {p.split(".")[0] for p in granted} == {"content", "newsletter", "practice"}
    assert {p for p in granted if p.startswith("practice.")} == {
        f"practice.{action}_question" for action in ("view", "add", "change", "delete")
    }


def test_granting_again_changes_nothing():
    before = {role: permissions(role) for role in roles.ROLES}

    roles.grant_roles()

    assert {role: permissions(role) for role in roles.ROLES} == before
    assert Group.objects.filter(name__in=roles.ROLES).count() == 3


def test_demo_staff_only_with_debug(settings):
    call_command("load_demo", stdout=io.StringIO())

    settings.DEBUG = False
    assert load_staff() == []
    assert not User.objects.filter(username="frontdesk-kalamazoo").exists()

    settings.DEBUG = True
    load_staff()
    load_staff()
    desk = User.objects.get(username="frontdesk-kalamazoo")
    assert desk.check_password("armor-local-demo") and desk.is_staff and not desk.is_superuser
    assert [a.clinic.slug for a in ClinicAccess.objects.filter(user=desk)] == ["kalamazoo"]
    assert desk.groups.get().name == roles.FRONT_DESK
    assert User.objects.get(username="manager-kalamazoo-portage").groups.get().name == roles.CLINIC_MANAGER


# --- A front desk sees their own clinic only --------------------------------------------------


@pytest.fixture
def two_clinics(clock, db):
    """Ours (the world's) and theirs, each with a booked visit, an email, hours, time off and a closure."""
    ours = make_world()
    theirs_clinic = ClinicFactory(slug="portage", name="Armor PT Portage")
    carol = SpecialistFactory(slug="carol", name="Carol Theirs", clinics=[theirs_clinic])
    for weekday in range(7):
        WorkingHoursFactory(specialist=carol, clinic=theirs_clinic, weekday=weekday)
    mine = services.book_appointment(
        clinic=ours.clinic, start=ours.local(2, 10), specialist=ours.alice, patient=patient(1)
    )
    other = services.book_appointment(
        clinic=theirs_clinic, start=ours.local(2, 10), specialist=carol, patient=patient(2)
    )
    TimeOff.objects.create(specialist=carol, start=ours.local(5, 9), end=ours.local(5, 12), reason="Theirs")
    TimeOff.objects.create(specialist=ours.bob, start=ours.local(5, 9), end=ours.local(5, 12), reason="Ours")
    ClinicClosure.objects.create(clinic=theirs_clinic, date=ours.local(9, 12).date(), reason="Their holiday")
    ClinicClosure.objects.create(clinic=ours.clinic, date=ours.local(9, 12).date(), reason="Our holiday")
    return {"world": ours, "theirs": theirs_clinic, "carol": carol, "mine": mine, "other": other}


@pytest.fixture
def desk(two_clinics):
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [two_clinics["world"].clinic]))


def ids(response):
    return {obj.pk for obj in response.context["cl"].result_list}


def test_lists_hold_only_our_clinic(two_clinics, desk):
    world, theirs = two_clinics["world"], two_clinics["theirs"]

    assert ids(desk.get(APPT)) == {two_clinics["mine"].pk}
    assert ids(desk.get("/admin/appointments/workinghours/")) == set(
        WorkingHours.objects.filter(clinic=world.clinic).values_list("pk", flat=True)
    )
    assert {t.reason for t in desk.get("/admin/appointments/timeoff/").context["cl"].result_list} == {"Ours"}
    assert {c.reason for c in desk.get("/admin/clinics/clinicclosure/").context["cl"].result_list} == {"Our holiday"}
    emails = desk.get("/admin/armorpt/outboundemail/").context["cl"].result_list
    assert {e.about.clinic for e in emails} == {world.clinic}
    assert ids(desk.get("/admin/clinics/clinic/")) == {world.clinic.pk}
    assert theirs.pk not in ids(desk.get("/admin/clinics/clinic/"))
    assert two_clinics["carol"].pk not in ids(desk.get("/admin/clinics/specialist/"))


def test_their_pages_are_not_found_by_direct_url(two_clinics, desk):
    other, carol, theirs = two_clinics["other"], two_clinics["carol"], two_clinics["theirs"]
    email = other.emails.first()
    urls = [
        f"{APPT}{other.pk}/change/",
        f"{APPT}{other.pk}/history/",
        f"{APPT}{other.pk}/reschedule/",
        f"{APPT}{other.pk}/cancel/",
        f"/admin/appointments/workinghours/{carol.working_hours.first().pk}/change/",
        f"/admin/appointments/timeoff/{TimeOff.objects.get(reason='Theirs').pk}/change/",
        f"/admin/clinics/clinicclosure/{ClinicClosure.objects.get(reason='Their holiday').pk}/change/",
        f"/admin/armorpt/outboundemail/{email.pk}/change/",
        f"/admin/armorpt/outboundemail/{email.pk}/resend/",
        f"/admin/clinics/specialist/{carol.pk}/change/",
        f"/admin/clinics/clinic/{theirs.pk}/change/",
        f"{APPT}day/?clinic={theirs.slug}",
        f"{APPT}week/?clinic={theirs.slug}",
    ]

    assert {url: desk.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
    assert desk.post(f"{APPT}{other.pk}/status/", {"status": "arrived"}).status_code == 404
    assert desk.post(f"{APPT}{other.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert desk.post(f"/admin/armorpt/outboundemail/{email.pk}/resend/").status_code == 404


def test_actions_never_touch_their_appointments(two_clinics, desk):
    other = two_clinics["other"]

    desk.post(APPT, {"action": "mark_no_show", "_selected_action": [other.pk]})
    desk.post(APPT, {"action": "cancel", "_selected_action": [other.pk], "apply": "1", "reason": "x"})

    other.refresh_from_db()
    assert other.status == Appointment.Status.CONFIRMED


def test_export_holds_only_our_clinic(two_clinics, desk):
    text = b"".join(desk.get(f"{APPT}export/?when=all").streaming_content).decode()

    assert two_clinics["mine"].reference_display in text
    assert two_clinics["other"].reference_display not in text


def test_phone_booking_offers_and_accepts_only_our_clinic(two_clinics, desk):
    world, theirs, carol = two_clinics["world"], two_clinics["theirs"], two_clinics["carol"]
    form = desk.get(f"{APPT}add/").context["form"]

    assert list(form.fields["clinic"].queryset) == [world.clinic]
    assert form["clinic"].value() == world.clinic.pk  # their one clinic, already chosen
    assert carol not in form.fields["specialist"].queryset
    response = desk.post(
        f"{APPT}add/",
        {
            "clinic": theirs.pk,
            "specialist": carol.pk,
            "appointment_type": world.visit_type.pk,
            "day": world.local(3, 10).astimezone(world.clinic.tz).date().isoformat(),
            "time": "10:00",
            "source": "phone",
            "first_name": "A",
            "last_name": "B",
            "phone": "2695550123",
        },
    )
    assert "clinic" in response.context["form"].errors
    assert Appointment.objects.filter(clinic=theirs).count() == 1


def test_schedule_forms_offer_only_our_clinics(two_clinics, desk):
    world = two_clinics["world"]

    hours_form = desk.get("/admin/appointments/workinghours/add/").context["adminform"].form
    closure_form = desk.get("/admin/clinics/clinicclosure/add/").context["adminform"].form
    time_off_form = desk.get("/admin/appointments/timeoff/add/").context["adminform"].form

    assert list(hours_form.fields["clinic"].queryset) == [world.clinic]
    assert set(hours_form.fields["specialist"].queryset) == {world.alice, world.bob}
    assert list(closure_form.fields["clinic"].queryset) == [world.clinic]
    assert set(time_off_form.fields["specialist"].queryset) == {world.alice, world.bob}


def test_dashboard_counts_only_our_clinic(two_clinics, desk):
    html = desk.get("/admin/").content.decode()

    assert two_clinics["world"].clinic.name in html
    assert "Armor PT Portage" not in html


def test_superusers_and_managers_of_both_see_both(two_clinics, admin_client):
    manager = client_for(
        staff_user("manager", roles.CLINIC_MANAGER, [two_clinics["world"].clinic, two_clinics["theirs"]])
    )
    both = {two_clinics["mine"].pk, two_clinics["other"].pk}

    assert ids(admin_client.get(APPT)) == both
    assert ids(manager.get(APPT)) == both
    assert manager.get(f"{APPT}day/?clinic=portage").status_code == 200


def test_a_staff_user_without_clinics_sees_no_appointments(two_clinics):
    loner = client_for(staff_user("loner", roles.FRONT_DESK))

    assert ids(loner.get(APPT)) == set()
    assert loner.get(f"{APPT}day/").status_code == 404


# --- Smoke: every admin page opens for everyone allowed, and is refused to the others ---------


def registered():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def everything(two_clinics):
    """At least one row of every model of ours, so that every change page can be opened."""
    world = two_clinics["world"]
    OpeningHours.objects.create(clinic=world.clinic, weekday=0, opens="08:00", closes="17:00")
    CredentialFactory(abbreviation="OCS")
    ExerciseFactory()
    staff_user("someone", roles.FRONT_DESK, [world.clinic])
    return two_clinics


def role_users(world):
    return {
        "superuser": User.objects.create_superuser("boss", "boss@example.com", "not-used-here-0"),
        "front desk": staff_user("desk", roles.FRONT_DESK, [world.clinic]),
        "clinic manager": staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]),
        "marketing": staff_user("marketer", roles.MARKETING),
    }


@pytest.mark.parametrize("model", registered(), ids=lambda model: model._meta.label)
def test_admin_pages_open_for_each_role_where_permitted(everything, model):
    model_admin = admin.site._registry[model]
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    for role, user in role_users(everything["world"]).items():
        client = client_for(user)
        request = RequestFactory().get(base)
        request.user = user
        can_view = model_admin.has_view_or_change_permission(request)
        can_add = model_admin.has_add_permission(request)

        assert client.get(base).status_code == (200 if can_view else 403), (role, "list")
        if model_admin.search_fields:
            assert client.get(base, {"q": "a"}).status_code == (200 if can_view else 403), (role, "search")
        assert client.get(base + "add/").status_code == (200 if can_add else 403), (role, "add")
        obj = model_admin.get_queryset(request).first() if can_view else model._default_manager.first()
        if obj is not None:
            expected = 200 if can_view else 403
            assert client.get(f"{base}{obj.pk}/change/").status_code == expected, (role, "change")
        User.objects.filter(pk=user.pk).delete()


def test_roles_can_reach_what_their_job_needs(everything):
    users = role_users(everything["world"])
    desk, manager, marketing = (client_for(users[r]) for r in ("front desk", "clinic manager", "marketing"))
    alice = everything["world"].alice

    assert desk.get(APPT).status_code == 200
    assert desk.get("/admin/content/guide/").status_code == 403
    assert desk.get(f"/admin/clinics/specialist/{alice.pk}/change/").status_code == 200  # to look, not to edit
    assert 'name="_save"' not in desk.get(f"/admin/clinics/specialist/{alice.pk}/change/").content.decode()
    assert manager.get(f"/admin/clinics/specialist/{alice.pk}/change/").status_code == 200
    assert 'name="_save"' in manager.get(f"/admin/clinics/specialist/{alice.pk}/change/").content.decode()
    assert manager.get("/admin/content/guide/add/").status_code == 200
    assert manager.get("/admin/newsletter/issue/").status_code == 403
    assert marketing.get(APPT).status_code == 403
    assert marketing.get("/admin/content/guide/add/").status_code == 200
    assert marketing.get("/admin/newsletter/issue/").status_code == 200
    assert marketing.get("/admin/armorpt/outboundemail/").status_code == 403


def test_emails_unrelated_to_appointments_are_for_superusers_only(everything):
    world = everything["world"]
    desk = client_for(staff_user("desk2", roles.FRONT_DESK, [world.clinic]))
    orphan = OutboundEmail.objects.create(
        kind="newsletter.confirm",
        to="x@example.com",
        subject="s",
        body_text="b",
        message_id="<2@x>",
        next_attempt_at=everything["mine"].created_at,
    )

    assert orphan.pk not in ids(desk.get("/admin/armorpt/outboundemail/"))
