"""A reader who signed up on a Spanish page gets the newsletter's emails in Spanish, with Spanish links."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from newsletter import services
from newsletter.models import Subscriber
from tests.factories import IssueFactory, SubscriberFactory
from tests.helpers import as_a_person, emails

pytestmark = pytest.mark.django_db


def site_links(body):
    return re.findall(rf"{re.escape(settings.SITE_URL)}/[^\s\"<>)]*", body)


def test_signing_up_on_a_spanish_page_brings_a_spanish_confirmation(client):
    client.post("/es/newsletter/", {"email": "sofia@example.com", "first_name": "Sofía", **as_a_person()})

    assert Subscriber.objects.get(email="sofia@example.com").language == "es"
    (message,) = emails("newsletter.confirm")
    assert message.subject == "Confirme su suscripción al boletín de Armor PT"
    assert message.body_text.startswith("Hola:\n\nAlguien, probablemente usted, pidió recibir")
    assert "El enlace sirve durante 7 días." in message.body_text
    assert "Confirmar mi suscripción" in message.body_html and '<html lang="es">' in message.body_html
    (link,) = set(site_links(message.body_text))
    assert link.startswith(f"{settings.SITE_URL}/es/newsletter/confirm/")


def test_the_welcome_follows_the_language_of_the_sign_up_not_of_the_confirming_page(
    client, django_capture_on_commit_callbacks
):
    with translation.override("es"):
        services.sign_up(email="sofia@example.com", first_name="Sofía")
    confirm = site_links(emails("newsletter.confirm")[0].body_text)[0].removeprefix(settings.SITE_URL)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm.removeprefix("/es"))  # the English page

    (welcome,) = [m for m in mail.outbox if m.to == ["sofia@example.com"]]
    assert welcome.subject == "Le damos la bienvenida al boletín de Armor PT"
    assert welcome.body.startswith("Hola, Sofía:")
    assert f"{settings.SITE_URL}/es/guides/" in welcome.body
    assert welcome.extra_headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/es/newsletter/unsubscribe/")


def test_an_issue_wears_each_readers_language_around_the_same_text():
    issue = IssueFactory()
    renderer = services.IssueEmail(issue)
    spanish = renderer.message(SubscriberFactory(language="es"))
    english = renderer.message(SubscriberFactory(language="en"))

    assert spanish.subject == english.subject == issue.subject  # staff write the issue itself
    assert "Try the cat-camel stretch" in spanish.body
    assert "Cancele su suscripción con un solo clic: " in spanish.body and "Lea la guía:" in spanish.body
    assert spanish.extra_headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/es/newsletter/unsubscribe/")
    assert "Unsubscribe with one click: " in english.body and "/es/" not in english.body
