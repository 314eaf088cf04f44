"""Staff keep plans, prices and answers current; a manager changes only what their clinics take."""

import pytest

from appointments import roles
from clinics.models import Clinic
from practice.models import InsurancePlan, PracticeNote, Question, SelfPayPrice
from tests.helpers import client_for, staff_user

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/practice/insuranceplan/",
    "/admin/practice/insuranceplan/add/",
    "/admin/practice/selfpayprice/",
    "/admin/practice/question/",
    "/admin/practice/question/add/",
    "/admin/practice/practicenote/",
]


@pytest.mark.parametrize("url", PAGES)
def test_admin_pages_open(demo, admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_a_manager_changes_what_their_clinic_takes_and_keeps_the_others(demo):
    kalamazoo, portage = Clinic.objects.get(slug="kalamazoo"), Clinic.objects.get(slug="portage")
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [kalamazoo]))
    aetna = InsurancePlan.objects.get(name="Aetna")  # Kalamazoo, Portage, St. Joseph

    form = manager.get(f"/admin/practice/insuranceplan/{aetna.pk}/change/").content.decode()
    assert "Armor PT Kalamazoo" in form and "Armor PT Portage" not in form  # only their clinic to tick

    response = manager.post(
        f"/admin/practice/insuranceplan/{aetna.pk}/change/",
        {"name": "Aetna", "kind": "commercial", "notes_en": "", "clinics": [], "is_active": "on", "display_order": 4},
    )

    assert response.status_code == 302
    assert {c.slug for c in aetna.clinics.all()} == {"portage", "st-joseph"}
    assert portage in aetna.clinics.all()


def test_marketing_writes_answers_but_not_plans(demo):
    marketing = client_for(staff_user("writer", roles.MARKETING))
    question = Question.objects.first()

    assert marketing.get(f"/admin/practice/question/{question.pk}/change/").status_code == 200
    assert marketing.get("/admin/practice/insuranceplan/").status_code == 403


def test_the_front_desk_reads_nothing_here_to_change(demo):
    desk = client_for(staff_user("desk", roles.FRONT_DESK, [Clinic.objects.get(slug="kalamazoo")]))

    assert desk.get("/admin/practice/insuranceplan/").status_code == 403


def test_the_referral_text_is_edited_not_duplicated(demo, admin_client):
    note = PracticeNote.objects.get()

    assert admin_client.get("/admin/practice/practicenote/add/").status_code == 403
    response = admin_client.post(
        f"/admin/practice/practicenote/{note.pk}/change/",
        {"key": note.key, "title_en": "No referral needed", "summary_en": "Come straight to us.", "body_en": "Longer."},
    )

    assert response.status_code == 302
    assert "Come straight to us." in admin_client.get("/locations/kalamazoo/").content.decode()


def test_a_price_must_be_a_sum_of_money(demo, admin_client):
    price = SelfPayPrice.objects.get(appointment_type__slug="initial-evaluation")

    response = admin_client.post(
        f"/admin/practice/selfpayprice/{price.pk}/change/",
        {"appointment_type": price.appointment_type_id, "price": "-5", "notes": ""},
    )

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0" in response.content.decode()
    price.refresh_from_db()
    assert price.price > 0
