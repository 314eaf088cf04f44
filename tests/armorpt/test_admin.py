"""The email outbox in admin (see, resend), and admin login throttling."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from appointments import roles
from armorpt.models import OutboundEmail
from tests.helpers import book, client_for, staff_user

pytestmark = pytest.mark.django_db

EMAILS = "/admin/armorpt/outboundemail/"


@pytest.fixture
def desk(world):
    return client_for(staff_user("desk", roles.FRONT_DESK, [world.clinic]))


def confirmed_email(world):
    return book(world).emails.get(kind="appointment.confirmed")


def test_email_list_and_search_open(world, desk):
    email = confirmed_email(world)

    assert desk.get(EMAILS).status_code == 200
    assert list(desk.get(EMAILS, {"q": email.to}).context["cl"].result_list) == [email]
    assert desk.get(f"{EMAILS}{email.pk}/change/").status_code == 200
    assert f"{EMAILS}{email.pk}/resend/" in desk.get(f"{EMAILS}{email.pk}/change/").content.decode()


def test_resend_asks_first(world, desk):
    email = confirmed_email(world)

    page = desk.get(f"{EMAILS}{email.pk}/resend/")

    assert page.status_code == 200
    assert "Send it again" in page.content.decode()
    assert OutboundEmail.objects.count() == 1


def test_resending_a_sent_email_queues_a_copy_and_goes_back_to_the_appointment(world, desk):
    email = confirmed_email(world)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now())

    response = desk.post(f"{EMAILS}{email.pk}/resend/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/appointments/appointment/{email.object_id}/change/"
    copy = OutboundEmail.objects.exclude(pk=email.pk).get()
    assert (copy.subject, copy.to, copy.status) == (email.subject, email.to, OutboundEmail.Status.PENDING)
    assert copy.about == email.about


def test_resending_a_failed_email_tries_it_again(world, desk):
    email = confirmed_email(world)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED, attempts=6)

    desk.post(f"{EMAILS}{email.pk}/resend/")

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.PENDING, 0)
    assert OutboundEmail.objects.count() == 1


def test_send_again_action(world, desk):
    email = confirmed_email(world)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED)

    desk.post(EMAILS, {"action": "send_again", "_selected_action": [email.pk]})

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING


def test_resend_needs_the_change_permission(world):
    email = confirmed_email(world)
    viewer = staff_user("viewer", clinics=[world.clinic])
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))

    assert client_for(viewer).post(f"{EMAILS}{email.pk}/resend/").status_code == 403


def test_nobody_adds_an_email_by_hand(admin_client):
    assert admin_client.get(f"{EMAILS}add/").status_code == 403


# --- Login throttling (django-axes) -------------------------------------------------------------


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.fixture
def boss(db):
    return User.objects.create_superuser("boss", "boss@example.com", "the-right-password-1")


def test_five_wrong_passwords_lock_the_account(boss):
    client = Client()
    for _ in range(4):
        assert login(client, "boss", "wrong").status_code == 200  # The form again, with an error.

    locked = login(client, "boss", "wrong")
    after = login(client, "boss", "the-right-password-1")

    assert locked.status_code == 429
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock(boss):
    client = Client()
    for _ in range(4):
        login(client, "boss", "wrong")

    response = login(client, "boss", "the-right-password-1")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(boss.pk)


def test_the_lock_is_per_username_and_address(boss):
    User.objects.create_superuser("other", "other@example.com", "the-other-password-1")
    client = Client()
    for _ in range(5):
        login(client, "boss", "wrong")

    assert login(client, "other", "the-other-password-1").status_code == 302
    assert login(Client(REMOTE_ADDR="10.0.0.9"), "boss", "the-right-password-1").status_code == 302
