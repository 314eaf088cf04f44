"""Double opt-in: nothing but the confirmation email until the owner of the address clicks."""

import datetime as dt

import pytest
from django.core import mail

from newsletter import services, tokens
from newsletter.models import Subscriber
from tests.content.pages import Page, form_data
from tests.factories import SubscriberFactory
from tests.helpers import emails, newsletter_link, text

pytestmark = pytest.mark.django_db


def confirm_form(html):
    return form_data(html.replace('<form method="post">', '<form id="confirm" method="post">'), "confirm")


def test_double_opt_in_from_the_footer_to_the_welcome_email(csrf_client, django_capture_on_commit_callbacks, settings):
    settings.FORM_MIN_SECONDS = 0  # the test submits at once; a person would take longer
    home = csrf_client.get("/newsletter/")
    footer = form_data(text(home).replace('class="newsletter-form"', 'id="f" class="newsletter-form"'), "f")
    with django_capture_on_commit_callbacks(execute=True):
        csrf_client.post("/newsletter/", {**footer, "email": "ana@example.com", "first_name": "Ana"})

    # The confirmation went out through the outbox, and only that.
    [sent] = mail.outbox
    assert sent.to == ["ana@example.com"] and emails("newsletter.confirm")[0].status == "sent"
    assert Subscriber.objects.get().status == "pending"
    confirm_path = newsletter_link(sent.body, "confirm")
    assert confirm_path in sent.alternatives[0][0]

    # Opening the link (or a mail scanner following it) asks for a click; it does not subscribe.
    page = csrf_client.get(confirm_path)
    assert page.status_code == 200
    assert Page(text(page)).meta("robots") == "noindex"
    assert "Yes, subscribe me" in text(page)
    assert Subscriber.objects.get().status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        welcome_page = csrf_client.post(confirm_path, confirm_form(text(page)))

    assert welcome_page.status_code == 200
    assert "subscribed, Ana" in text(welcome_page)
    subscriber = Subscriber.objects.get()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at
    welcome = mail.outbox[1]
    assert welcome.to == ["ana@example.com"] and "Welcome" in welcome.subject
    unsubscribe = newsletter_link(welcome.body, "unsubscribe")
    assert welcome.extra_headers["List-Unsubscribe"] == f"<https://armorpt.test{unsubscribe}>"
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "100 Main Street, Kalamazoo" in welcome.body


def test_a_confirmation_link_works_once(client, django_capture_on_commit_callbacks):
    subscriber = services.sign_up(email="ana@example.com")
    path = newsletter_link(emails("newsletter.confirm")[0].body_text, "confirm")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)

    again = client.post(path)

    assert again.status_code == 200
    assert "already subscribed" in text(again)
    assert len(emails("newsletter.welcome")) == 1
    # Unsubscribed later, the old link does not sign them back up.
    services.unsubscribe(subscriber)
    stale = client.post(path)
    assert stale.status_code == 410 and "no longer works" in text(stale)
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"


def test_a_confirmation_link_expires_after_seven_days(client, clock):
    subscriber = SubscriberFactory(status="pending", confirmed_at=None)
    old = tokens.confirm_token(subscriber)
    clock.shift(dt.timedelta(days=2))
    recent = tokens.confirm_token(subscriber)
    clock.shift(dt.timedelta(days=6))  # the first link is eight days old now, the second six

    expired = client.post(f"/newsletter/confirm/{old}/")

    assert expired.status_code == 410
    assert "expired" in text(expired) and 'id="signup-email"' in text(expired)
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    assert client.post(f"/newsletter/confirm/{recent}/").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"


def test_a_second_confirmation_email_does_not_break_the_first(client):
    """Both emails carry a working link until one of them is used."""
    subscriber = SubscriberFactory(status="pending", confirmed_at=None)
    first, second = tokens.confirm_token(subscriber), tokens.confirm_token(subscriber)

    assert client.post(f"/newsletter/confirm/{first}/").status_code == 200
    assert "already subscribed" in text(client.post(f"/newsletter/confirm/{second}/"))


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "x" * 5000,
        "%00",
        "a.b:c:d",
        # A real-looking token signed for unsubscribing, not confirming.
        "UNSUBSCRIBE",
    ],
)
def test_a_tampered_or_foreign_token_gets_a_friendly_404(client, token):
    subscriber = SubscriberFactory(status="pending", confirmed_at=None)
    if token == "UNSUBSCRIBE":
        token = tokens.unsubscribe_token(subscriber)

    for response in (client.get(f"/newsletter/confirm/{token}/"), client.post(f"/newsletter/confirm/{token}/")):
        assert response.status_code == 404
        assert "doesn't work" in text(response) or "doesn&#x27;t work" in text(response)
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"


def test_a_token_with_the_signature_of_another_subscriber_fails(client):
    alice = SubscriberFactory(status="pending", confirmed_at=None)
    bob = SubscriberFactory(status="pending", confirmed_at=None)
    value, signature = tokens.confirm_token(alice).split(":", 1)
    forged = tokens.confirm_token(bob).split(":", 1)[0] + ":" + signature

    assert client.post(f"/newsletter/confirm/{forged}/").status_code == 404
    assert not Subscriber.objects.confirmed().exists()


def test_an_unsubscribed_reader_comes_back_only_by_confirming_again(client, sign_up):
    SubscriberFactory(email="ana@example.com", status="unsubscribed")

    sign_up("ana@example.com")
    assert Subscriber.objects.get().status == "unsubscribed"
    client.post(newsletter_link(emails("newsletter.confirm")[0].body_text, "confirm"))

    assert Subscriber.objects.get().status == "confirmed"
