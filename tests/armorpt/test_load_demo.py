import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.forms.models import model_to_dict

from clinics.models import Clinic, Credential, Specialist


def snapshot():
    """Every row of every model of ours, as plain values."""
    rows = {}
    for app_label in ("clinics", "appointments", "content", "newsletter"):
        for model in apps.get_app_config(app_label).get_models():
            rows[model._meta.label] = sorted(
                (repr(sorted(model_to_dict(obj).items())) for obj in model.objects.all()), key=str
            )
    return rows


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_rows():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert snapshot() == first
    assert Clinic.objects.count() == 5


@pytest.mark.django_db
def test_load_demo_never_overwrites_what_staff_edited():
    call_command("load_demo", stdout=io.StringIO())
    Clinic.objects.filter(slug="portage").update(phone="+12695550177")

    call_command("load_demo", stdout=io.StringIO())

    assert Clinic.objects.get(slug="portage").phone == "+12695550177"


@pytest.mark.django_db
def test_demo_team_has_a_specialist_board_certified_in_sports_and_orthopaedics():
    call_command("load_demo", stdout=io.StringIO())

    both = Specialist.objects.filter(credentials__abbreviation="SCS").filter(credentials__abbreviation="OCS")

    assert both.exists()
    assert Credential.objects.get(abbreviation="OCS").name.startswith("Board-certified")


@pytest.mark.django_db
def test_demo_admin_account_is_not_created_with_debug_off(settings):
    settings.DEBUG = False

    call_command("load_demo", stdout=io.StringIO())

    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_a_local_demo_has_phone_bookings_for_the_front_desk_and_sends_nothing(settings, admin_client):
    from appointments.models import Appointment
    from armorpt.models import OutboundEmail

    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    assert not Appointment.objects.exists()  # only when asked for, as `make run` does

    call_command("load_demo", "--sample-visits", stdout=io.StringIO())
    call_command("load_demo", "--sample-visits", stdout=io.StringIO())  # adds no more

    visits = list(Appointment.objects.order_by("start"))
    assert len(visits) == 5 * 6  # six at each clinic
    assert {v.source for v in visits} == {"phone"} and {v.status for v in visits} == {"confirmed"}
    assert not OutboundEmail.objects.exists()
    first = visits[0]
    day = first.start.astimezone(first.clinic.tz).date()
    page = admin_client.get(
        "/admin/appointments/appointment/day/", {"clinic": first.clinic.slug, "date": day.isoformat()}
    )
    assert first.patient_name in page.content.decode()
