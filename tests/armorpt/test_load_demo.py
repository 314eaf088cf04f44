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
