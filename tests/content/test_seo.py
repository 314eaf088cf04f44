import datetime
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from clinics.models import Clinic, Specialist
from content.models import Guide
from content.structured_data import script_tag
from tests.content.pages import ld_nodes, ld_types
from tests.factories import GuideFactory

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client):
    """Every URL of every part the sitemap index names, with its last-modified date."""
    response = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200
    entries = {}
    for part in ET.fromstring(response.content):
        url = urlsplit(part.findtext("sm:loc", namespaces=NS))
        response = client.get(f"{url.path}?{url.query}", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        entries |= {u.findtext("sm:loc", namespaces=NS): u.findtext("sm:lastmod", namespaces=NS) for u in root}
    return entries


def test_sitemap_lists_every_public_page_with_absolute_urls_from_settings(demo, client):
    GuideFactory(slug="draft", is_published=False, published_at=None)
    GuideFactory(slug="later", published_at=timezone.now() + datetime.timedelta(days=3))
    Specialist.objects.filter(slug="hannah-lee").update(is_active=False)

    # The Host header is not where absolute URLs come from.
    entries = sitemap_entries(client)

    site = settings.SITE_URL
    expected = {
        site + path for path in ["/", "/guides/", "/team/", "/locations/", "/insurance/", "/questions/", "/book/"]
    }
    expected.add(site + "/back-pain/self-check/")
    expected |= {site + g.get_absolute_url() for g in Guide.objects.live(timezone.now())}
    expected |= {site + s.get_absolute_url() for s in Specialist.objects.active()}
    expected |= {site + c.get_absolute_url() for c in Clinic.objects.active()}
    expected |= {url.replace(site, site + "/es", 1) for url in expected}  # each page's Spanish twin
    assert set(entries) == expected
    assert site + "/guides/back-pain-exercises/" in entries
    assert site + "/team/hannah-lee/" not in entries


def test_sitemap_gives_guides_their_last_modified_date(demo, client):
    guide = Guide.objects.get(slug="back-pain-exercises")

    entries = sitemap_entries(client)

    lastmod = entries[settings.SITE_URL + "/guides/back-pain-exercises/"]
    assert lastmod == timezone.localdate(guide.updated_at).isoformat()


def test_robots_txt_points_at_the_sitemap_and_keeps_private_pages_out(db, client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines
    disallowed = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")}
    assert {"/admin/", "/book/done/", "/appointments/"} <= disallowed
    assert not disallowed & {"/", "/guides/", "/team/", "/locations/", "/book/"}


def test_home_describes_the_practice_and_its_clinics(demo, get_page):
    page = get_page("/")

    nodes = ld_nodes(page)
    organization = next(n for n in nodes if n["@type"] == "MedicalOrganization")
    clinics = [n for n in nodes if n["@type"] == "MedicalClinic"]
    assert organization["name"] == settings.PRACTICE["name"]
    assert len(clinics) == 5
    assert {c["@id"] for c in clinics} == {ref["@id"] for ref in organization["subOrganization"]}
    kalamazoo = next(c for c in clinics if c["name"] == "Armor PT Kalamazoo")
    assert kalamazoo["address"]["postalCode"] == "49008"
    assert kalamazoo["telephone"] == "+1 269-555-0101"
    monday = next(s for s in kalamazoo["openingHoursSpecification"] if s["dayOfWeek"].endswith("/Monday"))
    assert (monday["opens"], monday["closes"]) == ("07:00", "19:00")


def test_team_member_is_a_person_with_credentials(demo, get_page):
    page = get_page("/team/marcus-reed/")

    person = ld_nodes(page)[0]
    assert person["@type"] == "Person"
    assert person["jobTitle"] == "Physical therapist and clinical director"
    names = {c["alternateName"] for c in person["hasCredential"]}
    assert {"SCS", "OCS"} <= names
    assert all(c["@type"] == "EducationalOccupationalCredential" for c in person["hasCredential"])


@pytest.mark.parametrize(
    ("url", "types"),
    [
        ("/", {"MedicalOrganization", "MedicalClinic"}),
        ("/team/", {"Person"}),
        ("/locations/", {"MedicalOrganization", "MedicalClinic"}),
        ("/locations/kalamazoo/", {"MedicalClinic"}),
        ("/guides/back-pain-exercises/", {"Article"}),
    ],
)
def test_structured_data_names_the_right_types(demo, get_page, url, types):
    page = get_page(url)

    assert all(block["@context"] == "https://schema.org" for block in page.json_ld)
    assert types <= ld_types(page)


def test_guide_is_an_article_with_dates(demo, get_page):
    guide = Guide.objects.get(slug="back-pain-exercises")

    article = next(n for n in ld_nodes(get_page(guide.get_absolute_url())) if n["@type"] == "Article")

    assert article["headline"] == guide.title
    assert article["url"] == settings.SITE_URL + guide.get_absolute_url()
    assert datetime.datetime.fromisoformat(article["dateModified"]) == guide.updated_at.replace(microsecond=0)
    assert datetime.datetime.fromisoformat(article["datePublished"]) == guide.published_at.replace(microsecond=0)
    assert article["contributor"]["name"] == "Dana Whitfield"


def test_structured_data_cannot_break_out_of_its_script_element(db, get_page):
    title = "</script><script>alert(1)</script> & <!-- more"
    guide = GuideFactory(title=title)

    page = get_page(guide.get_absolute_url())

    scripts = page.find_all("script")
    assert [s.attrs["type"] for s in scripts] == ["application/ld+json"]
    assert ld_nodes(page)[0]["headline"] == title


def test_script_tag_escapes_markup_characters():
    html = str(script_tag({"name": "<b>&</b>"}))

    body = html.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == {"name": "<b>&</b>"}


def test_clinic_page_lists_closures_for_search_engines(demo, get_page):
    clinic = Clinic.objects.get(slug="portage")
    closure = clinic.closures.order_by("date").first()

    node = ld_nodes(get_page(clinic.get_absolute_url()))[0]

    special = node["specialOpeningHoursSpecification"]
    assert {"validFrom": closure.date.isoformat(), "opens": "00:00"}.items() <= special[0].items()
    assert {e["@id"] for e in node["employee"]} == {
        settings.SITE_URL + s.get_absolute_url() + "#person" for s in clinic.specialists.active()
    }


def test_og_tags_describe_an_article_for_guides(demo, get_page):
    page = get_page("/guides/back-pain-exercises/")

    assert page.meta("og:type") == "article"
    assert page.meta("og:title") == "Back pain exercises you can do at home"
