"""Signing up: what a visitor sees, what lands in the outbox, and what a bot or a prober learns."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.core import mail
from django.test import Client

from newsletter import services
from newsletter.models import Subscriber
from tests.content.pages import Page, form_data
from tests.factories import SubscriberFactory
from tests.helpers import as_a_person, emails, text, without_csrf

pytestmark = pytest.mark.django_db


def test_the_newsletter_page_has_its_own_form_beside_the_footer_one(client):
    response = client.get("/newsletter/")

    assert response.status_code == 200
    page = Page(text(response))
    ids = [e.attrs["id"] for e in page.find_all() if "id" in e.attrs]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert page.find("input", id="signup-email").attrs["name"] == "email"
    assert page.find("input", id="signup-first_name").attrs["name"] == "first_name"
    assert page.find("input", id="footer-newsletter-email").attrs["name"] == "email"
    for label in page.find_all("label"):
        assert page.find_all(id=label.attrs["for"]), label.attrs["for"]
    assert [e.tag for e in page.find_all() if "style" in e.attrs] == []
    assert [level for level, _ in page.headings].count(1) == 1


def test_signing_up_asks_to_check_the_inbox_and_queues_one_confirmation(client, sign_up):
    response = sign_up("Ana@Example.COM", "Ana")

    assert response.status_code == 200
    assert "Check your inbox to confirm" in text(response)
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.first_name, subscriber.status) == ("Ana@example.com", "Ana", "pending")
    [confirmation] = emails("newsletter.confirm")
    assert confirmation.to == "Ana@example.com"
    assert "/newsletter/confirm/" in confirmation.body_text
    assert "100 Main Street, Kalamazoo" in confirmation.body_text
    # Whoever filled in the form may not own the address: their words are not mailed to it.
    assert "Ana" not in confirmation.body_text.replace("Ana@example.com", "")


def test_the_footer_form_posts_here_and_records_where_it_came_from(client):
    home = client.get("/newsletter/")
    footer = Page(text(home)).find("form", **{"class": "newsletter-form"})
    assert footer.attrs["action"] == "/newsletter/"

    client.post("/newsletter/", {"email": "sam@example.com", "first_name": "", **as_a_person(), "source": "footer"})
    client.post("/newsletter/", {"email": "kim@example.com", **as_a_person(), "source": "page"})
    client.post(
        "/newsletter/", {"email": "lee@example.com", **as_a_person(), "source": "staff"}
    )  # not for the public to choose

    sources = dict(Subscriber.objects.values_list("email", "source"))
    assert sources == {"sam@example.com": "footer", "kim@example.com": "page", "lee@example.com": "footer"}


@pytest.mark.parametrize("status", ["pending", "confirmed", "unsubscribed"])
def test_the_answer_is_the_same_whether_or_not_the_address_is_on_the_list(sign_up, status):
    fresh = sign_up("new@example.com", client=Client())
    SubscriberFactory(email="known@example.com", status=status)

    known = sign_up("KNOWN@example.com", client=Client())

    assert known.status_code == fresh.status_code == 200
    assert without_csrf(known) == without_csrf(fresh)
    assert Subscriber.objects.for_email("known@example.com").count() == 1


def test_a_confirmed_subscriber_signing_up_again_gets_no_email_and_stays_confirmed(sign_up):
    subscriber = SubscriberFactory(email="ana@example.com", status="confirmed")

    sign_up("ana@example.com", "Someone else")

    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.first_name == "Robin"
    assert emails("newsletter.confirm") == []


def test_at_most_one_confirmation_per_address_per_hour(sign_up, clock):
    for _ in range(3):
        sign_up("ana@example.com")
    assert len(emails("newsletter.confirm")) == 1

    clock.shift(dt.timedelta(minutes=59))
    sign_up("ana@example.com")
    assert len(emails("newsletter.confirm")) == 1

    clock.shift(dt.timedelta(minutes=2))
    sign_up("ANA@example.com")

    assert len(emails("newsletter.confirm")) == 2
    assert Subscriber.objects.count() == 1


def test_an_unsubscribed_address_signing_up_stays_unsubscribed_until_it_confirms(sign_up):
    SubscriberFactory(email="ana@example.com", status="unsubscribed")

    sign_up("ana@example.com")

    assert Subscriber.objects.get().status == "unsubscribed"
    assert len(emails("newsletter.confirm")) == 1


def test_a_filled_honeypot_gets_the_same_answer_and_nothing_is_saved_or_sent(
    sign_up, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bot = sign_up("bot@example.com", client=Client(), website="https://spam.example")

    assert Subscriber.objects.count() == 0
    assert emails("newsletter.confirm") == [] and mail.outbox == []
    person = sign_up("person@example.com", client=Client())
    assert bot.status_code == person.status_code
    assert without_csrf(bot) == without_csrf(person)


BAD_INPUT = [
    ({"email": ""}, "signup-email", "Please enter your email address."),
    ({"email": "ana@"}, "signup-email", "Please enter an email address like name@example.com."),
    ({"email": "a" * 5000 + "@example.com"}, "signup-email", "An email address has at most 254 characters"),
    ({"email": "ana\x00@example.com"}, "signup-email", "Please remove the special characters."),
    ({"first_name": "Ana\r\nBcc: x@example.com"}, "signup-first_name", "on one line"),
    ({"first_name": "Ana\x00"}, "signup-first_name", "without special characters"),
    ({"first_name": "A" * 300}, "signup-first_name", "Please shorten your first name to 60 characters"),
]


@pytest.mark.parametrize(("changes", "input_id", "message"), BAD_INPUT)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_what_was_typed(client, changes, input_id, message):
    data = {"email": "ana@example.com", "first_name": "Ana", **as_a_person(), **changes}

    response = client.post("/newsletter/", data)

    assert response.status_code == 200
    page = Page(text(response))
    field = page.find("input", id=input_id)
    error = page.find(id=f"{input_id}_error")
    assert message in error.text
    assert f"{input_id}_error" in field.attrs["aria-describedby"]
    assert "is-invalid" in field.attrs["class"]
    # What was typed, with line breaks and control characters (which an input cannot hold) as spaces.
    assert field.attrs.get("value", "") == re.sub(r"[\x00-\x1f]", " ", data[field.attrs["name"]])
    assert message in page.find(id="signup-errors").text
    assert Subscriber.objects.count() == 0


def test_what_the_page_form_submits_is_accepted(client, sign_up, settings):
    settings.FORM_MIN_SECONDS = 0  # the test submits at once; a person would take longer
    page = client.get("/newsletter/")
    data = form_data(text(page).replace("<form method", '<form id="page-form" method', 1), "page-form")
    data.update(email="kim@example.com")

    response = client.post("/newsletter/", data)

    assert "Check your inbox" in text(response)
    assert Subscriber.objects.get().source == "page"


def test_a_form_posted_without_its_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/newsletter/", {"email": "ana@example.com"})

    assert response.status_code == 403
    assert Subscriber.objects.count() == 0


def test_a_browser_posting_the_footer_form_with_its_token_gets_through(csrf_client, settings):
    settings.FORM_MIN_SECONDS = 0  # the test submits at once; a person would take longer
    page = csrf_client.get("/newsletter/")
    data = form_data(
        text(page).replace('class="newsletter-form"', 'id="footer-form" class="newsletter-form"'), "footer-form"
    )
    data.update(email="ana@example.com")

    response = csrf_client.post("/newsletter/", data)

    assert response.status_code == 200 and "Check your inbox" in text(response)
    assert Subscriber.objects.get().source == "footer"


def test_two_signups_for_one_address_make_one_subscriber():
    services.sign_up(email="ana@example.com")
    services.sign_up(email="ANA@EXAMPLE.COM")

    assert Subscriber.objects.count() == 1


def test_the_page_is_not_cached_by_the_browser(client):
    response = client.get("/newsletter/")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
