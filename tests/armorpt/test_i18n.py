"""Spanish under /es/, English where it always was: the frame, the switch, search engines, the cache."""

import io
import re
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from appointments import timefmt
from tests import i18n_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(clock):
    call_command("load_demo", stdout=io.StringIO())


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _switch(html):
    return re.search(r'class="site-nav__language"><a href="([^"]+)" lang="(\w+)"[^>]*>([^<]+)</a>', html).groups()


def test_english_stays_at_its_addresses_and_spanish_is_under_es(demo):
    english = _html(Client().get("/guides/"))
    spanish = _html(Client().get("/es/guides/"))

    assert '<html lang="en">' in english and ">Exercise guides<" in english
    assert '<html lang="es">' in spanish and ">Guías de ejercicios<" in spanish
    assert "Saltar al contenido principal" in spanish and "Skip to main content" not in spanish


def test_a_spanish_page_links_to_spanish_pages(demo):
    spanish = _html(Client().get("/es/"))
    nav = re.search(r'<nav class="site-nav".*?</nav>', spanish, re.S).group(0)

    assert 'href="/es/guides/"' in nav and 'href="/es/team/"' in nav and 'href="/es/locations/"' in nav
    assert 'class="btn btn-book" href="/es/book/"' in spanish


def test_the_switch_keeps_the_patient_on_the_same_page_with_what_they_chose(demo):
    path, code, name = _switch(_html(Client().get("/book/kalamazoo/?day=2027-06-16")))
    assert (path, code, name) == ("/es/book/kalamazoo/?day=2027-06-16", "es", "Español")

    back = _switch(_html(Client().get(path)))
    assert back == ("/book/kalamazoo/?day=2027-06-16", "en", "English")


def test_every_page_names_its_twin_for_search_engines(demo, settings):
    html = _html(Client().get("/es/team/"))
    links = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))

    assert links == {
        "en": settings.SITE_URL + "/team/",
        "es": settings.SITE_URL + "/es/team/",
        "x-default": settings.SITE_URL + "/team/",
    }


def test_the_sitemap_lists_both_languages_each_with_its_alternates(demo, settings):
    xml = _html(Client().get("/sitemap-guides.xml"))
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    guide = settings.SITE_URL + "/guides/back-pain-exercises/"

    assert guide in locs and settings.SITE_URL + "/es/guides/back-pain-exercises/" in locs
    assert f'hreflang="es" href="{settings.SITE_URL}/es/guides/back-pain-exercises/"' in xml
    assert f'hreflang="x-default" href="{guide}"' in xml
    assert Client().get("/es/sitemap.xml").status_code == 404  # one sitemap, at the root


def test_cached_pages_are_kept_per_language(demo, django_assert_num_queries):
    for path in ("/", "/es/"):
        Client().get(path)  # fill the cache

    with django_assert_num_queries(0):
        english, spanish = Client().get("/"), Client().get("/es/")

    assert '<html lang="en">' in _html(english) and '<html lang="es">' in _html(spanish)
    assert ">Guías de ejercicios<" in _html(spanish) and ">Guías de ejercicios<" not in _html(english)


def test_a_spanish_browser_still_gets_english_at_the_english_address_and_in_the_admin(demo, admin_client):
    # The address alone says the language: a shared link reads the same for everyone.
    html = _html(Client(HTTP_ACCEPT_LANGUAGE="es").get("/guides/"))
    assert '<html lang="en">' in html

    admin = _html(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Armor PT front desk" in admin and "Sitio administrativo" not in admin


def test_dates_and_times_read_the_spanish_way():
    start = datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("America/Detroit"))

    with translation.override("es"):
        assert timefmt.format_day(start) == "martes, 1 de diciembre"
        assert timefmt.format_time(start) == "10:30"
        assert timefmt.format_when(start) == "martes, 1 de diciembre de 2026, 10:30 EST"
        assert timefmt.zone_label("America/Detroit", start) == "hora del Este (EST)"
    with translation.override("en"):
        assert timefmt.format_when(start) == "Tuesday, December 1, 2026 at 10:30 AM EST"


def test_the_compiled_spanish_catalog_matches_its_source():
    # The site reads the .mo; a .po edited without `msgfmt` would change nothing a patient sees.
    for source in i18n_catalog.catalogs():
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(source.with_suffix(".mo")))}
        written = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(source)) if e.translated()}
        assert written.items() <= compiled.items(), f"{source}: run msgfmt (make messages)"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_every_string_a_patient_reads_has_spanish():
    left = i18n_catalog.missing()
    assert not left, f"{len(left)} strings without Spanish, e.g. " + "; ".join(f"{w}: {m!r}" for _, m, w in left[:15])
