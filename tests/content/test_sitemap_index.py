"""/sitemap.xml is an index of parts, one per section, each a bounded page of URLs and cached."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.models import Clinic, Specialist
from content.cache import bump_content_version
from content.sitemaps import SiteUrlSitemap
from tests.caches import empty_cache

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locs(response):
    assert response.status_code == 200
    return [el.findtext("sm:loc", namespaces=NS) for el in ET.fromstring(response.content)]


def relative(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def more_of_everyone(times):
    """`times` as many clinics and specialists as the demo (bulk: no signals, so say content changed)."""
    extra = times - 1
    Clinic.objects.bulk_create(
        Clinic(name=f"Clinic {n}", slug=f"clinic-{n}", street_address="1 Main St", city="Town", postal_code="49000")
        for n in range(extra * Clinic.objects.count())
    )
    Specialist.objects.bulk_create(
        Specialist(name=f"Therapist {n}", slug=f"therapist-{n}", title="Physical therapist")
        for n in range(extra * Specialist.objects.count())
    )
    bump_content_version()


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of 4 URLs, so the demo's sections already take several pages."""
    monkeypatch.setattr(SiteUrlSitemap, "limit", 4)


def test_the_index_names_one_part_per_section_with_absolute_urls_from_settings(demo, client):
    parts = locs(client.get("/sitemap.xml", HTTP_HOST="127.0.0.1"))

    site = settings.SITE_URL
    assert parts == [f"{site}/sitemap-{s}.xml" for s in ("pages", "guides", "locations", "team")]
    team = locs(client.get("/sitemap-team.xml", HTTP_HOST="127.0.0.1"))
    assert f"{site}/team/marcus-reed/" in team
    assert f"{site}/es/team/marcus-reed/" in team
    assert all(url.startswith((site + "/team/", site + "/es/team/")) for url in team)


def test_robots_txt_still_points_at_the_index(db, client):
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_a_large_section_is_split_into_pages_the_index_lists(demo, client, small_parts):
    more_of_everyone(3)

    parts = locs(client.get("/sitemap.xml"))

    team_parts = [p for p in parts if "/sitemap-team.xml" in p]
    specialists = Specialist.objects.active().count()
    assert len(team_parts) == -(-specialists // 4) > 1
    listed = [url for part in team_parts for url in locs(client.get(relative(part)))]
    # Four specialists a part, each in English and in Spanish.
    assert all(len(locs(client.get(relative(part)))) <= 4 * 2 for part in team_parts)
    english = [settings.SITE_URL + s.get_absolute_url() for s in Specialist.objects.active()]
    spanish = [url.replace(settings.SITE_URL, settings.SITE_URL + "/es", 1) for url in english]
    assert sorted(listed) == sorted(english + spanish)


@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemap-guides.xml", "/sitemap-locations.xml", "/sitemap-team.xml"])
def test_queries_stay_the_same_at_ten_times_the_clinics_and_specialists(
    demo, client, url, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as at_demo_size:
        assert client.get(url).status_code == 200
    more_of_everyone(10)
    empty_cache()

    with django_assert_max_num_queries(len(at_demo_size)):
        response = client.get(url)

    assert response.status_code == 200
    # Still bounded by the part's size, not the practice's.
    assert len(locs(response)) <= SiteUrlSitemap.limit


def test_parts_answer_from_cache_and_a_save_shows_at_once(demo, client, django_assert_num_queries):
    client.get("/sitemap-locations.xml")
    with django_assert_num_queries(0):
        assert client.get("/sitemap-locations.xml").status_code == 200

    Clinic.objects.filter(slug="portage").get().delete()

    assert not any("/locations/portage/" in url for url in locs(client.get("/sitemap-locations.xml")))


@pytest.mark.parametrize(
    "url", ["/sitemap-nothing.xml", "/sitemap-team.xml?p=99", "/sitemap-team.xml?p=abc", "/sitemap-team.xml?p=1%00"]
)
def test_a_part_or_page_that_does_not_exist_is_not_found(demo, client, url):
    assert client.get(url).status_code == 404


def test_the_index_and_parts_are_kept_out_of_search_results(demo, client):
    for url in ("/sitemap.xml", "/sitemap-pages.xml"):
        response = client.get(url)
        client.get(url)  # the second answer comes from cache
        assert client.get(url)["X-Robots-Tag"] == "noindex, noodp, noarchive"
        assert response["Content-Type"] == "application/xml"
