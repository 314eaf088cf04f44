import datetime

import pytest
from django.utils import timezone

from content.models import Exercise, Guide
from tests.content.pages import Page
from tests.factories import ExerciseFactory, GuideFactory

pytestmark = pytest.mark.django_db


def test_back_pain_guide_groups_exercises_by_category_and_ends_with_booking(demo, get_page):
    page = get_page("/guides/back-pain-exercises/")

    sections = [page.find("section", id=c.value) for c in Exercise.Category]
    assert [s.text.split(" ")[0] for s in sections] == ["Muscle", "Posture", "Range"]
    guide = Guide.objects.get(slug="back-pain-exercises")
    for category, section in zip(Exercise.Category, sections, strict=True):
        for exercise in guide.exercises.filter(category=category):
            assert exercise.name in section.text
            assert exercise.dosage in section.text
    safety = page.find("aside", class_="safety-note").text
    assert "licensed physical therapist" in safety and "Stop if the pain gets sharper" in safety
    cta = page.find("a", href="/book/?reason=back-pain")
    assert cta.text == "Book an evaluation"
    # The booking button comes after the last exercise.
    assert page.elements.index(cta) > page.elements.index(page.find_all("article", class_="exercise")[-1])


def test_exercise_steps_show_as_a_numbered_list_without_typed_numbers(db, get_page):
    exercise = ExerciseFactory(steps="1. Lie on your back.\n2) Bend your knees.\n\n- Breathe out.")

    page = get_page(exercise.guide.get_absolute_url())

    article = page.find("article", id=f"exercise-{exercise.pk}")
    steps = page.find("ol", inside=article)
    assert [li.text for li in page.find_all("li", inside=steps)] == [
        "Lie on your back.",
        "Bend your knees.",
        "Breathe out.",
    ]
    assert "Stop if it hurts." in article.text


def test_unpublished_guide_is_404_for_patients_and_left_out_of_lists(db, client, clock):
    draft = GuideFactory(slug="draft", title="Draft guide", is_published=False, published_at=None)
    scheduled = GuideFactory(
        slug="later", title="Scheduled guide", published_at=timezone.now() + datetime.timedelta(days=2)
    )

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    listing = client.get("/guides/").content.decode()
    assert "Draft guide" not in listing and "Scheduled guide" not in listing
    assert "Draft guide" not in client.get("/").content.decode()


def test_a_scheduled_guide_appears_once_its_time_comes(db, client, clock):
    GuideFactory(slug="soon", published_at=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get("/guides/soon/").status_code == 404

    # Nothing is saved in between: the cached guide must not stay hidden.
    clock.shift(datetime.timedelta(minutes=6))
    assert client.get("/guides/soon/").status_code == 200


def test_staff_can_preview_an_unpublished_guide(db, client, admin_user):
    draft = GuideFactory(slug="draft", title="Draft guide", is_published=False, published_at=None)
    client.force_login(admin_user)

    page = Page(client.get(draft.get_absolute_url()).content.decode())

    assert page.find("h1").text == "Draft guide"
    assert "Preview" in page.find("p", role="status").text
    assert page.meta("robots") == "noindex"


def test_markdown_body_is_shown_as_html_and_scripts_are_inert(db, get_page):
    guide = GuideFactory(
        body="## Before you start\n\nRead **this**.\n\n<script>alert('x')</script>\n\n"
        '<img src="/media/a.png" alt="A mat" onerror="alert(1)">\n\n[Click](javascript:alert(1))'
    )

    page = get_page(guide.get_absolute_url())

    intro = page.find("div", class_="guide__intro")
    assert page.find("h2", inside=intro).text == "Before you start"
    assert page.find("strong", inside=intro).text == "this"
    assert [s for s in page.find_all("script") if s.attrs.get("type") != "application/ld+json"] == []
    assert "alert" not in intro.text
    image = page.find("img", alt="A mat")
    assert image.attrs == {"src": "/media/a.png", "alt": "A mat"}
    link = next(a for a in page.find_all("a") if a.text == "Click")
    assert "href" not in link.attrs


def test_guide_list_shows_live_guides_with_exercise_counts(demo, get_page):
    page = get_page("/guides/")

    titles = [h.text for h in page.find_all("h2")]
    assert "Back pain exercises you can do at home" in titles
    count = Exercise.objects.filter(guide__slug="back-pain-exercises").count()
    assert f"{count} exercises" in page.find("article", aria_labelledby="guide-back-pain-exercises").text


def test_demo_back_pain_guide_has_three_exercises_of_each_kind_with_everything_a_patient_needs(demo):
    guide = Guide.objects.get(slug="back-pain-exercises")

    assert guide.is_live(timezone.now())
    for category in Exercise.Category:
        exercises = guide.exercises.filter(category=category)
        assert exercises.count() >= 3, category
        for exercise in exercises:
            assert len(exercise.step_list) >= 2 and exercise.dosage and exercise.caution
