"""Staff are signed out after a working day without a request, and "Lock" signs out a shared desk at once."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from appointments import roles
from tests.helpers import client_for, staff_user

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
LOGIN = "/admin/login/"


@pytest.fixture
def desk(world):
    return client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))


def signed_in(client):
    response = client.get(ADMIN)
    return response.status_code == 200


def test_a_staff_session_ends_after_the_idle_minutes_without_a_request(desk, clock, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 480

    clock.shift(dt.timedelta(minutes=479))
    assert signed_in(desk)
    clock.shift(dt.timedelta(minutes=479))  # counted from the last request, not from signing in
    assert signed_in(desk)
    clock.shift(dt.timedelta(minutes=481))

    response = desk.get(ADMIN)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_session_itself_expires_after_the_idle_minutes(world, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    desk = client_for(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))

    desk.get(ADMIN)

    assert desk.session.get_expiry_age() == 30 * 60


def test_a_session_made_before_the_limit_existed_ends_too_and_says_why(desk, clock):
    """Sessions signed in before this setting (Django's two weeks) end after the idle minutes all the same."""
    session = desk.session
    session.set_expiry(14 * 24 * 60 * 60)
    session.save()

    clock.shift(dt.timedelta(hours=9))
    response = desk.get(ADMIN, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "You were signed out after 8 hours without activity." in response.content.decode()
    assert not signed_in(desk)


def test_a_busy_desk_writes_its_session_at_most_once_a_minute(desk, clock, django_assert_max_num_queries):
    signed_in(desk)
    with django_assert_max_num_queries(100) as first:
        signed_in(desk)
    clock.shift(dt.timedelta(seconds=30))
    with django_assert_max_num_queries(100) as again:
        signed_in(desk)

    assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in first.captured_queries)
    assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in again.captured_queries)


def test_patients_are_not_touched(world, client):
    response = client.get("/")

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


# --- Lock ------------------------------------------------------------------------------------------


def test_lock_is_in_the_admin_header_as_a_post_button(desk):
    html = desk.get(ADMIN).content.decode()

    assert '<form id="lock-form" method="post" action="/admin/lock/">' in html
    assert ">Lock</button>" in html and "Log out" in html


def test_lock_signs_out_at_once_and_keeps_the_username_for_the_sign_in_page(desk):
    response = desk.post("/admin/lock/", {"next": "/admin/appointments/appointment/"}, follow=True)

    assert response.redirect_chain == [("/admin/login/?next=%2Fadmin%2Fappointments%2Fappointment%2F", 302)]
    html = response.content.decode()
    assert 'name="username" value="frontdesk"' in html
    assert "Locked. Sign in to carry on." in html
    assert not signed_in(desk)


def test_lock_is_post_only_and_goes_nowhere_outside_the_site(desk):
    assert desk.get("/admin/lock/").status_code == 405
    assert signed_in(desk)

    response = desk.post("/admin/lock/", {"next": "https://evil.example/"})
    assert response["Location"] == LOGIN


def test_lock_needs_the_csrf_token(world):
    desk = Client(enforce_csrf_checks=True)
    desk.force_login(staff_user("frontdesk", roles.FRONT_DESK, [world.clinic]))

    assert desk.post("/admin/lock/").status_code == 403
    assert signed_in(desk)
