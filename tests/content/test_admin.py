import json

import pytest
from django.utils import timezone

from content.models import Guide
from tests.content.pages import Page, form_data
from tests.factories import ExerciseFactory, GuideFactory
from tests.helpers import HARD_INSTANTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/content/guide/",
        "/admin/content/guide/?q=bridge",
        "/admin/content/guide/?live=yes",
        "/admin/content/guide/?live=scheduled",
        "/admin/content/guide/?live=no",
        "/admin/content/guide/?exercises__category=posture",
        "/admin/content/guide/add/",
        "/admin/content/exercise/",
        "/admin/content/exercise/?q=bridge",
        "/admin/content/exercise/add/",
    ],
)
def test_admin_pages_open_for_staff(demo, admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_guide_search_finds_guides_by_exercise_name(demo, admin_client):
    page = Page(admin_client.get("/admin/content/guide/?q=bird+dog").content.decode())

    assert [a.text for a in page.find_all("a") if "/change/" in a.attrs.get("href", "")] == [
        "Back pain exercises you can do at home"
    ]


@pytest.mark.parametrize(
    "clock", [HARD_INSTANTS["fall-back-first-1-30"], HARD_INSTANTS["fall-back-second-1-30"]], indirect=True
)
def test_a_guide_published_in_the_repeated_hour_of_the_fall_back_night_saves_again(clock, db, admin_client):
    guide = GuideFactory(title="Neck pain basics", published_at=timezone.now())
    change_url = f"/admin/content/guide/{guide.pk}/change/"
    data = form_data(admin_client.get(change_url).content.decode(), "guide_form")
    assert (data["published_at_0"], data["published_at_1"]) == ("2026-11-01", "01:30:00")
    data["title_en"] = "Neck pain: the basics"

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, Page(response.content.decode()).text
    guide.refresh_from_db()
    assert guide.title == "Neck pain: the basics"
    assert guide.published_at == HARD_INSTANTS["fall-back-first-1-30"]  # 1:30 read as the first 1:30


def test_draft_filter_lists_only_unpublished_guides(db, admin_client):
    GuideFactory(title="Live guide")
    GuideFactory(title="Draft guide", is_published=False, published_at=None)

    html = admin_client.get("/admin/content/guide/?live=no").content.decode()

    assert "Draft guide" in html and "Live guide" not in html


def test_guide_change_form_has_inline_exercises_and_a_preview_link(db, admin_client):
    exercise = ExerciseFactory(name="Wall slide", guide__slug="wall")
    guide = Guide.objects.get(slug="wall")

    page = Page(admin_client.get(f"/admin/content/guide/{guide.pk}/change/").content.decode())

    assert page.find("input", name="exercises-0-name_en").attrs["value"] == exercise.name
    assert page.find("a", href="/guides/wall/").text == "Open on the site"


def test_add_form_prepopulates_the_slug_from_the_title(db, admin_client):
    page = Page(admin_client.get("/admin/content/guide/add/").content.decode())

    holder = next(e for e in page.find_all() if "data-prepopulated-fields" in e.attrs)
    fields = json.loads(holder.attrs["data-prepopulated-fields"])
    assert {"id": "#id_slug", "dependency_ids": ["#id_title_en"]}.items() <= fields[0].items()
