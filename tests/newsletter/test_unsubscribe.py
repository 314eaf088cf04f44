"""Unsubscribing: one click in the mail client, or one button on the page; a link never does it alone."""

import datetime as dt

import pytest
from django.test import Client

from newsletter import services, tokens
from newsletter.models import Subscriber
from tests.content.pages import Page
from tests.factories import SubscriberFactory
from tests.helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return SubscriberFactory(email="ana@example.com")


def url(subscriber):
    return f"/newsletter/unsubscribe/{tokens.unsubscribe_token(subscriber)}/"


def test_opening_the_link_shows_one_button_and_unsubscribes_nobody(client, reader):
    response = client.get(url(reader))

    assert response.status_code == 200
    page = Page(text(response))
    assert page.meta("robots") == "noindex"
    main_buttons = [b for b in page.find_all("button") if b.text == "Unsubscribe"]
    assert len(main_buttons) == 1
    assert "a•••@example.com" in text(response)
    reader.refresh_from_db()
    assert reader.status == "confirmed"


def test_pressing_the_button_unsubscribes_at_once(client, reader):
    response = client.post(url(reader))

    assert response.status_code == 200
    assert "unsubscribed" in text(response)
    reader.refresh_from_db()
    assert reader.status == "unsubscribed" and reader.unsubscribed_at


def test_one_click_unsubscribe_from_a_mail_client_without_cookies_or_csrf_token(reader):
    mail_client = Client(enforce_csrf_checks=True)  # no cookies, no token: as Gmail's servers post it

    response = mail_client.post(
        url(reader), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"


def test_one_click_with_a_bad_token_changes_nothing(reader):
    mail_client = Client(enforce_csrf_checks=True)
    good = tokens.unsubscribe_token(reader)

    for token in (good[:-2] + "xx", "nonsense", tokens.confirm_token(reader), "y" * 3000):
        response = mail_client.post(
            f"/newsletter/unsubscribe/{token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.status == "confirmed"


def test_the_link_still_works_months_after_the_issue_was_sent(client, reader, clock):
    token = tokens.unsubscribe_token(reader)

    clock.shift(dt.timedelta(days=400))
    response = client.post(f"/newsletter/unsubscribe/{token}/")

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"


def test_unsubscribing_twice_is_harmless(client, reader):
    client.post(url(reader))
    first = Subscriber.objects.get().unsubscribed_at

    again = client.post(url(reader))
    page = client.get(url(reader))

    assert again.status_code == page.status_code == 200
    assert "already off our list" in text(page)
    assert Subscriber.objects.get().unsubscribed_at == first


def test_the_test_link_in_previews_gets_a_helpful_page(client):
    response = client.get("/newsletter/unsubscribe/test/")

    assert response.status_code == 404
    assert "copy the whole link" in text(response)


def test_unsubscribing_retires_outstanding_confirmation_links(client, reader):
    confirm = tokens.confirm_token(reader)
    services.unsubscribe(reader)

    assert client.post(f"/newsletter/confirm/{confirm}/").status_code == 410
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"
