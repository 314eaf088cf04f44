"""Content pages answer from cache, make a bounded number of queries whatever the amount of
content, and change as soon as staff save."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinics.models import Clinic, ClinicClosure, Credential, OpeningHours, Specialist
from content.cache import bump_content_version
from content.models import Exercise, Guide
from content.selectors import TEAM_PAGE_SIZE
from tests.caches import empty_cache
from tests.content.pages import Page, form_data
from tests.factories import GuideFactory
from tests.helpers import more_clinics

PAGES = [
    "/",
    "/guides/",
    "/guides/back-pain-exercises/",
    "/team/",
    "/team/?clinic=kalamazoo&credential=OCS",
    "/team/?page=2",
    "/team/marcus-reed/",
    "/locations/",
    "/locations/kalamazoo/",
    "/sitemap.xml",
    "/sitemap-guides.xml",
    "/sitemap-locations.xml",
    "/sitemap-team.xml",
]


def multiply_content(times):
    """Make every kind of content `times` as plentiful: guides, exercises, specialists, clinics."""
    extra = times - 1
    now = timezone.now()
    credentials = list(Credential.objects.all())
    back_pain = Guide.objects.get(slug="back-pain-exercises")
    template_exercises = list(back_pain.exercises.all())
    Exercise.objects.bulk_create(
        Exercise(
            guide=back_pain,
            category=e.category,
            name=f"{e.name} {n}",
            steps=e.steps,
            dosage=e.dosage,
            caution=e.caution,
        )
        for n in range(extra)
        for e in template_exercises
    )
    guides = Guide.objects.bulk_create(
        Guide(title=f"Guide {n}", slug=f"guide-{n}", summary="More.", is_published=True, published_at=now)
        for n in range(extra * Guide.objects.count())
    )
    Exercise.objects.bulk_create(
        Exercise(guide=g, category=c, name=f"{c} {g.slug}", steps="Go.", dosage="10 times.", caution="Gently.")
        for g in guides
        for c in Exercise.Category
    )
    clinics = Clinic.objects.bulk_create(
        Clinic(
            name=f"Clinic {n}",
            slug=f"clinic-{n}",
            street_address="1 Main St",
            city=f"Town {n}",
            postal_code="49000",
            phone="+12695550199",
            front_desk_email=f"c{n}@armorpt.test",
            display_order=10 + n,
        )
        for n in range(extra * Clinic.objects.count())
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=c, weekday=d, opens=datetime.time(8), closes=datetime.time(17))
        for c in clinics
        for d in range(7)
    )
    ClinicClosure.objects.bulk_create(
        ClinicClosure(clinic=c, date=timezone.localdate() + datetime.timedelta(days=d), reason="Closed")
        for c in clinics
        for d in (1, 30, 60)
    )
    all_clinics = list(Clinic.objects.all())
    specialists = Specialist.objects.bulk_create(
        Specialist(name=f"Therapist {n}", slug=f"therapist-{n}", title="Physical therapist", display_order=10 + n)
        for n in range(extra * Specialist.objects.count())
    )
    Specialist.credentials.through.objects.bulk_create(
        Specialist.credentials.through(specialist=s, credential=c) for s in specialists for c in credentials[:3]
    )
    Specialist.clinics.through.objects.bulk_create(
        Specialist.clinics.through(specialist=s, clinic=c)
        for s in specialists
        for c in all_clinics[:2] + [all_clinics[-1]]
    )
    # bulk_create sends no signals: say that content changed, as a save would.
    bump_content_version()


@pytest.mark.parametrize("url", PAGES)
def test_queries_do_not_grow_with_ten_times_the_content(demo, client, url, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    multiply_content(10)
    empty_cache()

    with django_assert_max_num_queries(len(first)):
        response = client.get(url)

    assert response.status_code == 200
    if url == "/team/":
        # One page of the 60, and the way to the next.
        page = Page(response.content.decode())
        assert len(page.find_all("li", cls="team-card")) == TEAM_PAGE_SIZE
        assert page.find("a", rel="next").text == "More team members"


@pytest.mark.parametrize("url", PAGES)
def test_content_pages_answer_from_cache(demo, client, url, django_assert_num_queries):
    client.get(url)

    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_saving_a_guide_in_admin_changes_the_page_at_once(demo, client, admin_client):
    guide = Guide.objects.get(slug="back-pain-exercises")
    bridge = guide.exercises.get(name="Bridge")
    assert "Bridge" in client.get(guide.get_absolute_url()).content.decode()  # now cached
    change_url = f"/admin/content/guide/{guide.pk}/change/"
    data = form_data(admin_client.get(change_url).content.decode(), "guide_form")
    data["title_en"] = "Exercises for a sore back"
    data["body_en"] = "A **new** introduction."
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == str(bridge.pk))
    data[f"exercises-{index}-name_en"] = "Glute bridge"

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    page = Page(client.get(guide.get_absolute_url()).content.decode())
    assert page.find("h1").text == "Exercises for a sore back"
    assert page.find("strong", inside=page.find("div", cls="guide__intro")).text == "new"
    assert page.find("h3", id=f"exercise-{bridge.pk}-title").text == "Glute bridge"
    assert "Exercises for a sore back" in client.get("/guides/").content.decode()


def test_publishing_a_guide_in_admin_shows_it_at_once(db, client, admin_client):
    draft = GuideFactory(slug="draft", title="Neck pain basics", is_published=False, published_at=None)
    assert client.get("/guides/draft/").status_code == 404
    assert "Neck pain basics" not in client.get("/guides/").content.decode()
    change_url = f"/admin/content/guide/{draft.pk}/change/"
    data = form_data(admin_client.get(change_url).content.decode(), "guide_form")
    data["is_published"] = "on"

    assert admin_client.post(change_url, data).status_code == 302

    assert client.get("/guides/draft/").status_code == 200
    assert "Neck pain basics" in client.get("/guides/").content.decode()
    assert "/guides/draft/" in client.get("/sitemap-guides.xml").content.decode()


def test_clinic_and_team_changes_show_at_once(demo, client):
    for url in ("/locations/kalamazoo/", "/team/?clinic=battle-creek"):
        client.get(url)

    clinic = Clinic.objects.get(slug="kalamazoo")
    clinic.directions = "Park behind the building."
    clinic.save()
    hours = clinic.opening_hours.get(weekday=0)
    hours.opens = datetime.time(6, 30)
    hours.save()
    Specialist.objects.get(slug="dana-whitfield").clinics.add(Clinic.objects.get(slug="battle-creek"))

    page = client.get("/locations/kalamazoo/").content.decode()
    assert "Park behind the building." in page and "6:30 AM" in page
    assert "Dana Whitfield" in client.get("/team/?clinic=battle-creek").content.decode()


def test_deleting_content_shows_at_once(demo, client):
    client.get("/locations/portage/")
    client.get("/guides/back-pain-exercises/")

    ClinicClosure.objects.filter(clinic__slug="portage").first().delete()
    Exercise.objects.get(name="Bird dog").delete()

    closures = ClinicClosure.objects.filter(clinic__slug="portage").count()
    page = Page(client.get("/locations/portage/").content.decode())
    assert len(page.find_all("li", inside=page.find("ul", cls="closure-list"))) == min(closures, 6)
    assert "Bird dog" not in client.get("/guides/back-pain-exercises/").content.decode()


# The pages that show clinics or people, as a patient searching many clinics meets them.
FINDER_PAGES = [
    "/",
    "/locations/",
    "/locations/?page=2",
    "/locations/?q=49008",
    "/locations/?q=Mattawan",
    "/locations/?lat=42.29&lng=-85.59",
    "/book/",
    "/book/?q=Portage",
    "/book/?specialist=marcus-reed",
    "/team/",
]


@pytest.mark.parametrize("url", FINDER_PAGES)
def test_pages_cost_no_more_with_a_hundred_clinics_than_with_fifteen(demo, client, url, django_assert_max_num_queries):
    more_clinics(10)
    empty_cache()
    with CaptureQueriesContext(connection) as fifteen:
        assert client.get(url).status_code == 200
    more_clinics(90, first=11)
    empty_cache()

    with django_assert_max_num_queries(len(fifteen)):
        response = client.get(url)

    assert response.status_code == 200
    shown = [h.text for h in Page(response.content.decode()).find_all(cls="card-title")]
    assert len(shown) <= 10 and "Armor PT Town 100" not in shown
