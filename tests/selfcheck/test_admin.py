"""Clinic managers edit the self-check's words in admin; no edit changes where an answer leads."""

import re

import pytest
from django.forms.models import model_to_dict

from appointments import roles
from selfcheck.models import Wording
from selfcheck.rules import DOCTOR_SIGNS, EMERGENCY_SIGNS, QUESTIONS
from tests.helpers import client_for, staff_user, text

pytestmark = pytest.mark.django_db

CHANGE = "/admin/selfcheck/wording/1/change/"
URL = "/back-pain/self-check/"


def form_data(wording, **changes):
    data = {k: v for k, v in model_to_dict(wording).items() if k not in ("id", "updated_at")}
    return {**data, **changes}


def test_the_wording_row_exists_after_migrating_with_the_texts_written_for_the_site():
    wording = Wording.objects.get(pk=1)

    assert wording.emergency_title == "Call 911 now"
    assert all(wording.question(q).endswith("?") for q in QUESTIONS)


def test_a_clinic_manager_edits_the_wording_and_patients_see_it(client, world):
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))
    page = text(manager.get(CHANGE))
    assert "Question 1: Numbness in the saddle area" in page
    assert "leads to “call 911 now”" in page

    response = manager.post(CHANGE, form_data(Wording.current(), fever_en="Do you feel hot, shivery or sick?"))

    assert response.status_code == 302
    assert "Do you feel hot, shivery or sick?" in text(client.get(URL))


def test_the_front_desk_and_marketing_may_not_edit_it_and_nobody_adds_or_deletes_one(world, admin_client):
    desk = client_for(staff_user("desk", roles.FRONT_DESK, [world.clinic]))
    marketing = client_for(staff_user("marketer", roles.MARKETING))
    manager = client_for(staff_user("manager", roles.CLINIC_MANAGER, [world.clinic]))

    assert desk.get(CHANGE).status_code == 403
    assert marketing.get(CHANGE).status_code == 403
    assert manager.get("/admin/selfcheck/wording/add/").status_code == 403
    assert admin_client.get("/admin/selfcheck/wording/add/").status_code == 403  # the one row exists
    assert admin_client.get("/admin/selfcheck/wording/1/delete/").status_code == 403


def test_no_wording_can_turn_an_emergency_into_a_booking(client, world):
    """The worst edits: every question and result says "book online", in text and in HTML."""
    wording = Wording.current()
    lure = '<a href="/book/">Book online now</a>'
    for field in ("emergency_title", "emergency_text", "doctor_title", "doctor_text", *QUESTIONS):
        setattr(wording, field, f"Everything is fine. {lure}")
    wording.save()

    for sign in EMERGENCY_SIGNS:
        page = text(client.post(URL, {sign: "yes"}))
        assert 'href="tel:911"' in page and "Call 911</a>" in page
        assert not re.search(r'href="/book/', page), sign
        assert "&lt;a href=&quot;/book/&quot;&gt;" in page  # shown as typed, never a link
    for sign in DOCTOR_SIGNS:
        page = text(client.post(URL, {**dict.fromkeys(QUESTIONS, "no"), sign: "yes"}))
        assert not re.search(r'href="/book/', page), sign
        assert 'href="tel:911"' in page
