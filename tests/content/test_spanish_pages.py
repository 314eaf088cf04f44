"""The public pages in Spanish under /es/: the content pages, insurance and questions, the self-check,
the newsletter pages and the error pages. English stays as it was at the first addresses.

Text staff write (guides, bios, plans) is theirs to translate; these tests read the site's own words.
"""

import re

import pytest
from django.db import OperationalError
from django.template import loader
from django.test import Client, RequestFactory
from django.utils import translation

from armorpt import unavailable
from clinics import finder
from newsletter.models import Subscriber
from selfcheck.rules import QUESTIONS
from tests.content.pages import Page
from tests.helpers import as_a_person, more_clinics, text

pytestmark = pytest.mark.django_db

# (English address, a sentence of the Spanish page, the same sentence in English)
PAGES = [
    ("/", "Fisioterapia para que vuelva a moverse", "Physical therapy that gets you moving again"),
    ("/guides/", "Los ejercicios que nuestros fisioterapeutas enseñan", "Exercises our physical therapists teach"),
    ("/guides/back-pain-exercises/", "Primero, la seguridad", "Safety first"),
    ("/team/", "Fisioterapeutas y asistentes con licencia", "Licensed physical therapists and assistants"),
    ("/team/marcus-reed/", "Dónde encontrar a Marcus Reed", "Where to find Marcus Reed"),
    ("/locations/", "clínicas en el suroeste de Michigan", "clinics in southwest Michigan"),
    ("/locations/kalamazoo/", "Horario habitual, hora local.", "Regular hours, local time."),
    ("/insurance/", "¿Necesito un referido médico?", "Do I need a referral?"),
    ("/questions/", "Lo que más nos preguntan los pacientes", "What patients ask us most"),
    ("/back-pain/self-check/", "Sus respuestas no se guardan ni se envían", "Your answers are not saved or sent"),
    ("/newsletter/", "Nuestro boletín", "Our newsletter"),
]


def page_text(response):
    assert response.status_code in (200, 404), response.status_code
    return " ".join(Page(text(response)).find("main").text.split())


@pytest.mark.parametrize(("path", "spanish", "english"), PAGES)
def test_each_page_reads_in_spanish_under_es_and_in_english_where_it_was(demo, path, spanish, english):
    in_spanish = page_text(Client().get(f"/es{path}"))
    in_english = page_text(Client().get(path))

    assert spanish in in_spanish and english not in in_spanish
    assert english in in_english and spanish not in in_english


@pytest.mark.parametrize("path", [path for path, _, _ in PAGES])
def test_a_spanish_page_links_to_spanish_pages(demo, path):
    main = re.search(r"<main.*</main>", text(Client().get(f"/es{path}")), re.S).group(0)
    links = re.findall(r'(?:href|action)="(/[^"]*)"', main)

    english = [link for link in links if not link.startswith(("/es/", "/static/", "/media/"))]
    assert english == []


def test_spanish_pages_title_and_describe_themselves_in_spanish(demo):
    page = text(Client().get("/es/locations/"))

    assert "<title>Clínicas y horarios | Armor Physical Therapy</title>" in page
    assert 'content="Nuestras clínicas de fisioterapia en el suroeste de Michigan' in page


def test_opening_hours_read_the_spanish_way(demo):
    spanish = text(Client().get("/es/locations/kalamazoo/"))
    english = text(Client().get("/locations/kalamazoo/"))

    assert "<dt>Lunes</dt>" in spanish and "<dt>Monday</dt>" not in spanish
    assert re.search(r'de <span class="nowrap">\d{1,2}:\d\d</span> a <span class="nowrap">1\d:\d\d</span>', spanish)
    assert " AM<" not in spanish and " PM<" not in spanish
    assert "<dt>Monday</dt>" in english
    assert re.search(
        r'<span class="nowrap">\d{1,2}:\d\d AM</span> to <span class="nowrap">\d{1,2}:\d\d PM</span>', english
    )


def test_dates_read_the_spanish_way(demo):
    location = page_text(Client().get("/es/locations/kalamazoo/"))
    guide = page_text(Client().get("/es/guides/back-pain-exercises/"))

    # "jueves, 24 de diciembre de 2026": the demo's closures follow the test's clock.
    assert re.search(r"\b(lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d{1,2} de [a-z]+ de \d{4}", location)
    assert re.search(r"Actualizada el \d{1,2} de [a-z]+ de \d{4}\.", guide)
    assert re.search(r"Updated [A-Z][a-z]+ \d{1,2}, \d{4}\.", page_text(Client().get("/guides/back-pain-exercises/")))


def test_a_spanish_newsletter_signup_is_stored_in_spanish(db):
    response = Client().post("/es/newsletter/", {"email": "lucia@example.com", "first_name": "Lucía", **as_a_person()})

    assert "Revise su correo para confirmar" in page_text(response)
    assert Subscriber.objects.get(email="lucia@example.com").language == "es"


def test_an_english_newsletter_signup_is_stored_in_english(db):
    Client().post("/newsletter/", {"email": "ana@example.com", **as_a_person()})

    assert Subscriber.objects.get(email="ana@example.com").language == "en"


def test_the_newsletter_form_says_what_is_wrong_in_spanish(db):
    page = page_text(Client().post("/es/newsletter/", {"email": "not-an-address", **as_a_person()}))

    assert "Escriba un correo electrónico como nombre@ejemplo.com." in page
    assert "Please enter" not in page


def test_the_spanish_404_is_in_spanish_and_leads_to_spanish_pages(db):
    response = Client().get("/es/no-such-page/")

    assert response.status_code == 404
    page = text(response)
    assert "No encontramos esa página" in page and "We could not find that page" not in page
    assert 'href="/es/guides/back-pain-exercises/"' in page
    assert "We could not find that page" in text(Client().get("/no-such-page/"))


def test_the_500_page_renders_in_spanish_without_a_request():
    with translation.override("es"):
        page = loader.render_to_string("500.html")

    assert "Lo sentimos, algo salió mal de nuestro lado" in page
    assert 'href="/es/locations/"' in page


def test_the_503_page_follows_the_address_whatever_layer_failed(db):
    request = RequestFactory().get("/es/book/")
    request.resolver_match = None
    try:
        raise OperationalError("the database is restarting")
    except OperationalError:
        response = unavailable.server_error(request)

    assert response.status_code == 503
    page = text(response)
    assert '<html lang="es">' in page
    assert "No pudimos comunicarnos con nuestro sistema de citas por un momento" in page


def test_the_self_check_answers_in_spanish(demo):
    no_signs = dict.fromkeys(QUESTIONS, "no")
    physio = page_text(Client().post("/es/back-pain/self-check/", no_signs))
    emergency = text(Client().post("/es/back-pain/self-check/", {**no_signs, "leg_weakness": "yes"}))
    unanswered = page_text(Client().post("/es/back-pain/self-check/", {"fever": "no"}))

    assert "Elegir clínica y horario" in physio and "Choose a clinic and time" not in physio
    assert "Ejercicios para leer antes de su cita" in physio
    assert 'href="/es/book/?reason=back-pain"' in text(Client().post("/es/back-pain/self-check/", no_signs))
    assert ">Llame al 911</a>" in emergency and "Call 911" not in emergency
    assert re.search(r"Responda \d+ preguntas más, por favor, para que podamos decirle qué hacer\.", unanswered)


def test_the_finder_speaks_spanish_with_and_without_javascript(demo):
    more_clinics(20)
    page = text(Client().get("/es/locations/", {"q": "4900"}))

    assert "Escriba una ciudad, como Portage, o un código postal de cinco dígitos" in page
    assert 'data-say-no-location="No pudimos obtener su ubicación. Escriba su ciudad o su código postal."' in page
    assert ">Ver más clínicas<" in page
    with translation.override("es"):
        assert finder.FinderForm({"q": "x" * 61}).errors["q"] == [
            "Es más largo que cualquier nombre de ciudad. Escriba una ciudad, como Portage, "
            "o un código postal de cinco dígitos, como 49002."
        ]


def test_the_english_pages_keep_their_words(demo):
    home = page_text(Client().get("/"))
    location = text(Client().get("/locations/kalamazoo/"))

    assert "Before you book for back pain, our one-minute self-check looks for the rare warning signs" in home
    assert 'href="/book/kalamazoo/"' in location and ">Book at this clinic<" in location
