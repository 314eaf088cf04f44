"""Clinics, specialists and their schedules in admin: validation and clinic scope."""

import datetime as dt

import pytest
from django.contrib.auth.models import User

from appointments import roles
from appointments.models import WorkingHours
from clinics.models import Clinic, ClinicAccess, ClinicClosure
from tests.factories import ClinicFactory, SpecialistFactory, WorkingHoursFactory
from tests.helpers import book, client_for, detroit, staff_user

pytestmark = pytest.mark.django_db

INLINE = "working_hours"
TIME_OFF = "time_off"


def specialist_form(specialist, hours, *, clinics=None, time_off=()):
    """The POST of the specialist change page with `hours` as (id or None, clinic, weekday, start, end, delete)."""
    data = {
        "name": specialist.name,
        "slug": specialist.slug,
        "title_en": specialist.title,
        "clinics": [c.pk for c in (clinics if clinics is not None else specialist.clinics.all())],
        "accepts_new_patients": "on",
        "is_active": "on",
        "display_order": "0",
        "bio_en": "",
        "treats_en": "",
        f"{INLINE}-TOTAL_FORMS": str(len(hours)),
        f"{INLINE}-INITIAL_FORMS": str(sum(1 for row in hours if row[0])),
        f"{TIME_OFF}-TOTAL_FORMS": str(len(time_off)),
        f"{TIME_OFF}-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    for i, (pk, clinic, weekday, start, end, *delete) in enumerate(hours):
        data.update(
            {
                f"{INLINE}-{i}-id": pk or "",
                f"{INLINE}-{i}-specialist": specialist.pk,
                f"{INLINE}-{i}-clinic": clinic.pk,
                f"{INLINE}-{i}-weekday": weekday,
                f"{INLINE}-{i}-start_time": start,
                f"{INLINE}-{i}-end_time": end,
            }
        )
        if delete:
            data[f"{INLINE}-{i}-DELETE"] = "on"
    for i, (start, end, reason) in enumerate(time_off):  # new rows: local datetimes
        data.update(
            {
                f"{TIME_OFF}-{i}-specialist": specialist.pk,
                f"{TIME_OFF}-{i}-start_0": start.date().isoformat(),
                f"{TIME_OFF}-{i}-start_1": f"{start:%H:%M}",
                f"{TIME_OFF}-{i}-end_0": end.date().isoformat(),
                f"{TIME_OFF}-{i}-end_1": f"{end:%H:%M}",
                f"{TIME_OFF}-{i}-reason": reason,
            }
        )
    return data


def post_specialist(client, specialist, hours, **kwargs):
    return client.post(
        f"/admin/clinics/specialist/{specialist.pk}/change/", specialist_form(specialist, hours, **kwargs)
    )


def inline_errors(response):
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == INLINE).formset
    return [str(e) for form in formset.forms for errors in form.errors.values() for e in errors]


@pytest.fixture
def empty_alice(world):
    WorkingHours.objects.filter(specialist=world.alice).delete()
    return world.alice


# --- Working hours on the specialist ----------------------------------------------------------


def test_several_blocks_a_day_are_saved(world, admin_client, empty_alice):
    response = post_specialist(
        admin_client,
        empty_alice,
        [(None, world.clinic, 0, "08:00", "12:00"), (None, world.clinic, 0, "13:00", "17:00")],
    )

    assert response.status_code == 302
    assert empty_alice.working_hours.count() == 2


def test_overlapping_blocks_in_one_submit_are_refused(world, admin_client, empty_alice):
    response = post_specialist(
        admin_client,
        empty_alice,
        [(None, world.clinic, 0, "08:00", "12:00"), (None, world.clinic, 0, "11:00", "14:00")],
    )

    assert response.status_code == 200
    assert any("overlaps another one on Monday (08:00–12:00)" in e for e in inline_errors(response))
    assert not empty_alice.working_hours.exists()


def test_blocks_on_different_days_may_share_times(world, admin_client, empty_alice):
    response = post_specialist(
        admin_client,
        empty_alice,
        [(None, world.clinic, 0, "08:00", "12:00"), (None, world.clinic, 1, "08:00", "12:00")],
    )

    assert response.status_code == 302


def test_a_block_can_be_shortened_and_a_new_one_added_after_it_in_one_save(world, admin_client, empty_alice):
    monday = WorkingHoursFactory(
        specialist=empty_alice, clinic=world.clinic, weekday=0, start_time=dt.time(8), end_time=dt.time(12)
    )

    response = post_specialist(
        admin_client,
        empty_alice,
        [(monday.pk, world.clinic, 0, "08:00", "10:00"), (None, world.clinic, 0, "10:00", "12:00")],
    )

    assert response.status_code == 302, inline_errors(response)
    assert sorted(empty_alice.working_hours.values_list("start_time", "end_time")) == [
        (dt.time(8), dt.time(10)),
        (dt.time(10), dt.time(12)),
    ]


def test_a_block_can_be_deleted_and_an_overlapping_one_added_in_one_save(world, admin_client, empty_alice):
    monday = WorkingHoursFactory(
        specialist=empty_alice, clinic=world.clinic, weekday=0, start_time=dt.time(8), end_time=dt.time(12)
    )

    response = post_specialist(
        admin_client,
        empty_alice,
        [(monday.pk, world.clinic, 0, "08:00", "12:00", "delete"), (None, world.clinic, 0, "09:00", "13:00")],
    )

    assert response.status_code == 302, inline_errors(response)
    assert list(empty_alice.working_hours.values_list("start_time", "end_time")) == [(dt.time(9), dt.time(13))]


def test_a_new_block_over_a_kept_one_is_still_refused(world, admin_client, empty_alice):
    monday = WorkingHoursFactory(
        specialist=empty_alice, clinic=world.clinic, weekday=0, start_time=dt.time(8), end_time=dt.time(12)
    )

    response = post_specialist(
        admin_client,
        empty_alice,
        [(monday.pk, world.clinic, 0, "08:00", "12:00"), (None, world.clinic, 0, "11:00", "13:00")],
    )

    assert response.status_code == 200
    assert any("overlaps another one on Monday (08:00–12:00)" in e for e in inline_errors(response))
    assert empty_alice.working_hours.count() == 1


def test_an_overlap_with_another_clinic_is_refused(world, admin_client, empty_alice):
    portage = ClinicFactory(slug="portage")
    empty_alice.clinics.add(portage)
    WorkingHoursFactory(specialist=empty_alice, clinic=portage, weekday=2, start_time=dt.time(9), end_time=dt.time(12))

    response = admin_client.post(
        "/admin/appointments/workinghours/add/",
        {
            "specialist": empty_alice.pk,
            "clinic": world.clinic.pk,
            "weekday": 2,
            "start_time": "11:00",
            "end_time": "15:00",
        },
    )

    assert response.status_code == 200
    assert "already works at that time on Wednesday" in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("12:00", "09:00", "The block must end after it starts."),
        ("09:00", "09:00", "The block must end after it starts."),
    ],
)
def test_a_block_must_end_after_it_starts(world, admin_client, empty_alice, start, end, message):
    response = post_specialist(admin_client, empty_alice, [(None, world.clinic, 0, start, end)])

    assert message in inline_errors(response)


def test_hours_only_at_the_specialists_clinics(world, admin_client, empty_alice):
    elsewhere = ClinicFactory(slug="elsewhere")

    response = post_specialist(admin_client, empty_alice, [(None, elsewhere, 0, "08:00", "12:00")])

    assert any("does not work at this clinic" in e for e in inline_errors(response))


def test_a_manager_edits_hours_at_their_clinic_and_keeps_the_others(world):
    portage = ClinicFactory(slug="portage")
    world.alice.clinics.add(portage)
    theirs = WorkingHoursFactory(
        specialist=world.alice, clinic=portage, weekday=6, start_time=dt.time(18), end_time=dt.time(20)
    )
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))
    ours = list(world.alice.working_hours.filter(clinic=world.clinic))

    page = manager.get(f"/admin/clinics/specialist/{world.alice.pk}/change/")
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == INLINE).formset
    rows = [(h.pk, h.clinic, h.weekday, "08:00", "16:00") for h in ours]
    response = post_specialist(manager, world.alice, rows, clinics=[world.clinic])

    assert theirs not in formset.queryset
    assert list(formset.forms[0].fields["clinic"].queryset) == [world.clinic]
    assert response.status_code == 302, inline_errors(response)
    assert set(world.alice.clinics.all()) == {world.clinic, portage}  # Their clinic stays.
    assert WorkingHours.objects.filter(pk=theirs.pk).exists()
    assert {h.end_time for h in world.alice.working_hours.filter(clinic=world.clinic)} == {dt.time(16)}


def test_a_manager_cannot_put_hours_over_a_block_at_a_clinic_they_do_not_see(world, empty_alice):
    portage = ClinicFactory(slug="portage")
    empty_alice.clinics.add(portage)
    WorkingHoursFactory(specialist=empty_alice, clinic=portage, weekday=6, start_time=dt.time(9), end_time=dt.time(12))
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))

    response = post_specialist(
        manager, empty_alice, [(None, world.clinic, 6, "11:00", "14:00")], clinics=[world.clinic]
    )

    assert response.status_code == 200
    assert any("already works at that time on Sunday" in e for e in inline_errors(response))
    assert not empty_alice.working_hours.filter(clinic=world.clinic).exists()


# --- Specialists and clinics by role ----------------------------------------------------------


def test_front_desk_sees_their_clinics_specialists_without_editing(world):
    stranger = SpecialistFactory(slug="stranger", clinics=[ClinicFactory(slug="elsewhere")])
    desk = client_for(staff_user("desk", roles.FRONT_DESK, [world.clinic]))

    listed = set(desk.get("/admin/clinics/specialist/").context["cl"].result_list)
    response = desk.post(f"/admin/clinics/specialist/{world.alice.pk}/change/", specialist_form(world.alice, []))

    assert listed == {world.alice, world.bob}
    assert stranger not in listed
    assert response.status_code == 403


def test_a_manager_must_put_a_new_specialist_at_one_of_their_clinics(world):
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))
    form = manager.get("/admin/clinics/specialist/add/").context["adminform"].form

    assert form.fields["clinics"].required
    assert list(form.fields["clinics"].queryset) == [world.clinic]


def test_a_manager_changes_their_clinic_but_adds_none(world):
    other = ClinicFactory(slug="elsewhere")
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))

    assert list(manager.get("/admin/clinics/clinic/").context["cl"].result_list) == [world.clinic]
    assert 'name="_save"' in manager.get(f"/admin/clinics/clinic/{world.clinic.pk}/change/").content.decode()
    assert manager.get(f"/admin/clinics/clinic/{other.pk}/change/").status_code == 404
    assert manager.get("/admin/clinics/clinic/add/").status_code == 403


def test_the_user_page_ties_a_user_to_clinics(world, admin_client):
    user = staff_user("newdesk", roles.FRONT_DESK)
    page = admin_client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()

    assert "Clinics this person works at" in page
    assert 'name="clinic_access-0-clinic"' in page
    assert admin_client.get(f"/admin/auth/user/?clinic_access__clinic__id__exact={world.clinic.pk}").status_code == 200


def test_one_access_row_per_user_and_clinic(world):
    user = User.objects.create_user("x")
    ClinicAccess.objects.create(user=user, clinic=world.clinic)

    with pytest.raises(Exception, match="UNIQUE|unique|duplicate"):
        ClinicAccess.objects.create(user=user, clinic=world.clinic)


# --- Time off and closures --------------------------------------------------------------------


def test_time_off_must_end_after_it_starts(world, admin_client):
    response = admin_client.post(
        "/admin/appointments/timeoff/add/",
        {
            "specialist": world.alice.pk,
            "start_0": "2030-01-02",
            "start_1": "12:00",
            "end_0": "2030-01-02",
            "end_1": "09:00",
            "reason": "",
        },
    )

    assert response.status_code == 200
    assert "Time off must end after it starts." in response.content.decode()


def test_time_off_on_the_clock_change_nights(world, admin_client):
    def add(day, start, end):
        return admin_client.post(
            "/admin/appointments/timeoff/add/",
            {"specialist": world.alice.pk, "start_0": day, "start_1": start, "end_0": day, "end_1": end, "reason": ""},
        )

    # Fall-back night: 1:00-2:00 happens twice; "1:30" is the first one (still daylight time).
    assert add("2026-11-01", "01:30", "09:00").status_code == 302
    assert world.alice.time_off.get().start == detroit(2026, 11, 1, 1, 30, fold=0)
    # Spring-forward night: 2:30 does not exist, and the form says so instead of saving a guess.
    refused = add("2027-03-14", "02:30", "09:00").content.decode()
    assert "2:30 AM does not exist on March 14, 2027: the clocks go forward" in refused
    assert world.alice.time_off.count() == 1


def test_time_off_over_booked_visits_warns(world, admin_client):
    visit = book(world, days=2, hour=10)
    local = visit.start_local

    response = admin_client.post(
        "/admin/appointments/timeoff/add/",
        {
            "specialist": world.alice.pk,
            "start_0": local.date().isoformat(),
            "start_1": "09:00",
            "end_0": local.date().isoformat(),
            "end_1": "12:00",
            "reason": "Course",
        },
        follow=True,
    )

    warnings = [str(m) for m in response.context["messages"]]
    assert any(visit.reference_display in m and "still has visits booked" in m for m in warnings)


def test_a_closure_over_booked_visits_warns(world):
    desk = client_for(staff_user("desk", roles.FRONT_DESK, [world.clinic]))
    visit = book(world, days=2, hour=10)

    response = desk.post(
        "/admin/clinics/clinicclosure/add/",
        {"clinic": world.clinic.pk, "date": visit.start_local.date().isoformat(), "reason": "Ice storm"},
        follow=True,
    )

    assert ClinicClosure.objects.filter(reason="Ice storm").exists()
    assert any(visit.reference_display in str(m) for m in response.context["messages"])


def test_time_off_added_on_the_specialist_page_over_booked_visits_warns(world, admin_client):
    visit = book(world, days=2, hour=10)
    hours = [(h.pk, h.clinic, h.weekday, h.start_time, h.end_time) for h in world.alice.working_hours.all()]
    day = visit.start_local.replace(minute=0)

    response = admin_client.post(
        f"/admin/clinics/specialist/{world.alice.pk}/change/",
        specialist_form(world.alice, hours, time_off=[(day.replace(hour=9), day.replace(hour=12), "Course")]),
        follow=True,
    )

    assert world.alice.time_off.filter(reason="Course").exists()
    warnings = [str(m) for m in response.context["messages"]]
    assert any(visit.reference_display in m and "still has visits booked" in m for m in warnings)


def test_a_closure_added_on_the_clinic_page_over_booked_visits_warns(world, admin_client):
    from django.forms.models import model_to_dict

    visit = book(world, days=2, hour=10)
    clinic = model_to_dict(world.clinic, exclude=["id", "photo"])  # no file: a browser sends none
    data = {key: value for key, value in clinic.items() if value is not None and value is not False}
    data.update(
        {
            "opening_hours-TOTAL_FORMS": "0",
            "opening_hours-INITIAL_FORMS": "0",
            "closures-TOTAL_FORMS": "1",
            "closures-INITIAL_FORMS": "0",
            "closures-0-clinic": world.clinic.pk,
            "closures-0-date": visit.start_local.date().isoformat(),
            "closures-0-reason_en": "Ice storm",
            "_save": "Save",
        }
    )
    data = {key: ("on" if value is True else value) for key, value in data.items()}

    response = admin_client.post(f"/admin/clinics/clinic/{world.clinic.pk}/change/", data, follow=True)

    assert ClinicClosure.objects.filter(reason="Ice storm").exists(), (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    assert any(visit.reference_display in str(m) for m in response.context["messages"])


def test_one_closure_per_clinic_and_day(world, admin_client):
    ClinicClosure.objects.create(clinic=world.clinic, date=dt.date(2030, 1, 1), reason="New Year")

    response = admin_client.post(
        "/admin/clinics/clinicclosure/add/", {"clinic": world.clinic.pk, "date": "2030-01-01", "reason": "Again"}
    )

    assert response.status_code == 200
    assert Clinic.objects.get().closures.count() == 1
