"""Text staff write has a Spanish version (django-modeltranslation: an _es column beside the _en one).

A Spanish page shows the Spanish text, or the English one with a short note while the Spanish is
empty; the English pages never change. Staff write both in the (English) admin.
"""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from content.cache import bump_content_version
from practice.models import Question
from tests.content.pages import Page, form_data
from tests.factories import ExerciseFactory, GuideFactory, SpecialistFactory
from tests.helpers import text

NOTE = "Este texto todavía no está en español"


def english_parts(page):
    """The elements a Spanish page marks as English text (lang="en"), less the language switch."""
    return [e for e in page.find_all() if e.attrs.get("lang") == "en" and e.tag != "a"]


@pytest.fixture
def translated_guide(db):
    guide = GuideFactory(
        slug="back-pain",
        title="Back pain exercises",
        title_es="Ejercicios para el dolor de espalda",
        summary="Gentle exercises.",
        summary_es="Ejercicios suaves.",
        body="Move **gently**.",
        body_es="Muévase **con suavidad**.",
    )
    ExerciseFactory(
        guide=guide,
        name="Bridge",
        name_es="Puente",
        purpose="Stronger hips.",
        purpose_es="Caderas más fuertes.",
        steps="Lie down.\nLift.",
        steps_es="Acuéstese.\nLevante la cadera.",
        dosage="10 times.",
        dosage_es="10 veces.",
        caution="Stop if it hurts.",
        caution_es="Pare si le duele.",
    )
    return guide


@pytest.fixture
def english_only_guide(db):
    guide = GuideFactory(slug="desk", title="Sitting at a desk", summary="Set up your chair.", body="Sit **tall**.")
    ExerciseFactory(guide=guide, name="Seated twist")
    return guide


def test_a_guide_with_spanish_text_shows_it_on_the_spanish_page(client, translated_guide):
    spanish = text(client.get("/es/guides/back-pain/"))
    english = text(client.get("/guides/back-pain/"))

    for words in ("Ejercicios para el dolor de espalda", "Ejercicios suaves.", "<strong>con suavidad</strong>"):
        assert words in spanish
    for words in ("Puente", "Caderas más fuertes.", "Levante la cadera.", "10 veces.", "Pare si le duele."):
        assert words in spanish
    assert NOTE not in spanish and "Back pain exercises" not in spanish and "Bridge" not in spanish
    assert english_parts(Page(spanish)) == []

    for words in ("Back pain exercises", "Gentle exercises.", "<strong>gently</strong>", "Bridge", "Stop if it hurts."):
        assert words in english
    assert "Ejercicios" not in english and "Puente" not in english


def test_a_guide_without_spanish_shows_english_with_a_note_on_the_spanish_page_only(client, english_only_guide):
    spanish = text(client.get("/es/guides/desk/"))
    english = text(client.get("/guides/desk/"))

    assert "Sitting at a desk" in spanish and "<strong>tall</strong>" in spanish and "Seated twist" in spanish
    # Once, near the top: the exercises of an English guide do not repeat it.
    assert spanish.count(NOTE) == 1
    assert spanish.index(NOTE) < spanish.index("<strong>tall</strong>")
    page = Page(spanish)
    assert page.find("h1").attrs.get("lang") == "en"
    marked = " ".join(e.text for e in english_parts(page))
    assert "Sitting at a desk" in marked and "Seated twist" in marked

    assert NOTE not in english and 'lang="en"' not in english.split("<body", 1)[1].replace(
        '<a href="/guides/desk/" lang="en"', ""
    )


def test_an_exercise_without_spanish_in_a_spanish_guide_gets_its_own_note(client, translated_guide):
    ExerciseFactory(guide=translated_guide, name="Bird dog", order=5)

    spanish = text(client.get("/es/guides/back-pain/"))

    assert spanish.count(NOTE) == 1
    assert spanish.index("Puente") < spanish.index("Bird dog") < spanish.index(NOTE)


def test_half_written_spanish_is_not_shown_empty(client, db):
    # Staff saved the title in Spanish but not the introduction yet: each part falls back on its own.
    GuideFactory(slug="knee", title="Knee pain", title_es="Dolor de rodilla", body="Walk every day.")

    spanish = text(client.get("/es/guides/knee/"))

    assert "Dolor de rodilla" in spanish and "Walk every day." in spanish
    assert NOTE in spanish


def test_a_question_and_answer_in_spanish_and_one_without(client, db):
    Question.objects.create(
        topic="first_visit",
        question="How long does it take?",
        question_es="¿Cuánto tiempo dura?",
        answer="About an hour.",
        answer_es="Más o menos una hora.",
    )
    Question.objects.create(topic="getting_here", question="Where do I park?", answer="Next to the building.")

    # The page body, after the structured data (FAQPage) in the head.
    spanish = text(client.get("/es/questions/")).split("<h1", 1)[1]
    english = text(client.get("/questions/")).split("<h1", 1)[1]

    assert "¿Cuánto tiempo dura?" in spanish and "Más o menos una hora." in spanish
    assert "How long does it take?" not in spanish
    assert "Where do I park?" in spanish and "Next to the building." in spanish
    assert spanish.count(NOTE) == 1
    assert spanish.index("Más o menos una hora.") < spanish.index(NOTE) < spanish.index("Next to the building.")
    assert "How long does it take?" in english and "About an hour." in english
    assert NOTE not in english and "¿Cuánto" not in english


def test_a_bio_in_spanish_and_one_without(client, db):
    SpecialistFactory(
        slug="luis",
        name="Luis Moreno",
        title="Physical therapist",
        title_es="Fisioterapeuta",
        bio="Luis believes in strength.",
        bio_es="Luis cree en la fuerza.",
    )
    SpecialistFactory(slug="grace", name="Grace Kowalski", title="Physical therapist", bio="Grace works on balance.")

    luis = text(client.get("/es/team/luis/"))
    grace = text(client.get("/es/team/grace/"))

    assert "Luis cree en la fuerza." in luis and "Fisioterapeuta" in luis and NOTE not in luis
    assert "Luis Moreno" in luis  # names are never translated
    assert "Grace works on balance." in grace and grace.count(NOTE) == 1
    bio = next(e for e in english_parts(Page(grace)) if "Grace works on balance." in e.text)
    assert bio.tag == "div"
    english = text(client.get("/team/luis/"))
    assert "Luis believes in strength." in english and "Luis cree" not in english and NOTE not in english


def test_the_cached_guide_page_keeps_each_language(client, translated_guide):
    # The rendered introduction is cached per language: the English visit first must not feed the Spanish one.
    assert "<strong>gently</strong>" in text(client.get("/guides/back-pain/"))
    assert "<strong>con suavidad</strong>" in text(client.get("/es/guides/back-pain/"))
    assert "<strong>gently</strong>" in text(client.get("/guides/back-pain/"))


def test_the_guide_change_form_has_the_english_and_spanish_fields(admin_client, translated_guide):
    html = text(admin_client.get(f"/admin/content/guide/{translated_guide.pk}/change/"))
    page = Page(html)

    for name in ("title", "summary", "body"):
        assert page.find(None, name=f"{name}_en") is not None, name
        assert page.find(None, name=f"{name}_es") is not None, name
        assert page.find_all(None, name=name) == []
    for name in ("name", "steps", "caution"):
        assert page.find(None, name=f"exercises-0-{name}_es") is not None, name
    assert page.find(None, name="body_es").text == "Muévase **con suavidad**."
    assert "English text with a short note" in html


def test_staff_write_the_spanish_in_the_admin_and_the_page_shows_it(admin_client, client, english_only_guide):
    url = f"/admin/content/guide/{english_only_guide.pk}/change/"
    assert NOTE in text(client.get("/es/guides/desk/"))  # now cached
    data = form_data(text(admin_client.get(url)), "guide_form")

    response = admin_client.post(
        url,
        {
            **data,
            "title_es": "Sentado frente al escritorio",
            "summary_es": "Ajuste su silla.",
            "body_es": "Siéntese **derecho**.",
        },
    )

    assert response.status_code == 302, text(response)
    english_only_guide.refresh_from_db()
    assert english_only_guide.title_en == "Sitting at a desk"
    spanish = text(client.get("/es/guides/desk/"))
    assert "Sentado frente al escritorio" in spanish and "<strong>derecho</strong>" in spanish
    assert "Seated twist" in spanish and spanish.count(NOTE) == 1  # its exercise is still English only
    assert "Sitting at a desk" in text(client.get("/guides/desk/"))


def test_existing_content_survives_the_migration(transactional_db, client):
    """A site with guides, questions and bios before Spanish came: after migrating, the English is as it was."""
    executor = MigrationExecutor(connection)
    before = [
        ("content", "0002_pictures"),
        ("practice", "0001_initial"),
        ("clinics", "0004_clinic_coordinates"),
    ]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        old.get_model("content", "Guide").objects.create(
            title="Old guide",
            slug="old-guide",
            summary="Written before Spanish.",
            body="An **old** introduction.",
            booking_reason="back-pain",
            is_published=True,
            published_at=timezone.now() - datetime.timedelta(days=1),
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
        old.get_model("practice", "Question").objects.create(
            topic="getting_here", question="Where do I park?", answer="Behind the clinic.", display_order=0
        )
        old.get_model("clinics", "Specialist").objects.create(
            name="Old Hand", slug="old-hand", title="Physical therapist", bio="Here for years."
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    bump_content_version()

    guide = text(client.get("/guides/old-guide/"))
    assert "Old guide" in guide and "Written before Spanish." in guide and "<strong>old</strong>" in guide
    assert "Behind the clinic." in text(client.get("/questions/"))
    assert "Here for years." in text(client.get("/team/old-hand/"))
    spanish = text(client.get("/es/guides/old-guide/"))
    assert "Old guide" in spanish and NOTE in spanish
