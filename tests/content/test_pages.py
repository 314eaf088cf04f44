"""Every public page of the demo site renders, with its own title, description and canonical URL,
and follows the rules that keep it accessible and free of third-party requests."""

from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.template import loader
from django.test import RequestFactory, override_settings
from django.views.defaults import server_error

from tests.content.pages import Page

PAGES = [
    "/",
    "/guides/",
    "/guides/back-pain-exercises/",
    "/guides/desk-posture/",
    "/team/",
    "/team/?clinic=kalamazoo&credential=SCS",
    "/team/marcus-reed/",
    "/team/hannah-lee/",
    "/locations/",
    "/locations/kalamazoo/",
    "/locations/paw-paw/",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_with_search_and_sharing_tags(demo, get_page, url):
    page = get_page(url)

    path = urlsplit(url).path
    assert page.find("link", rel="canonical").attrs["href"] == settings.SITE_URL + path
    assert page.meta("og:url") == settings.SITE_URL + path
    assert page.meta("og:title") and page.meta("og:description")
    assert len(page.meta("description")) > 40
    assert page.title.endswith(settings.PRACTICE["name"]) or page.title.startswith(settings.PRACTICE["name"])


def test_every_page_has_its_own_title_and_description(demo, get_page):
    pages = [get_page(url) for url in PAGES if "?" not in url]

    assert len({p.title for p in pages}) == len(pages)
    assert len({p.meta("description") for p in pages}) == len(pages)


@pytest.mark.parametrize("url", PAGES)
def test_page_is_well_formed_for_assistive_technology(demo, get_page, url):
    page = get_page(url)

    duplicates = [i for i, n in Counter(e.attrs["id"] for e in page.find_all() if "id" in e.attrs).items() if n > 1]
    assert duplicates == []
    levels = [level for level, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    # No skipped levels on the way down (h2 straight to h4 loses screen-reader users).
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), page.headings
    assert all("alt" in img.attrs for img in page.find_all("img"))
    for element in page.find_all():
        if "aria-labelledby" in element.attrs:
            assert page.find_all(id=element.attrs["aria-labelledby"]), element.attrs["aria-labelledby"]
    for label in page.find_all("label"):
        assert page.find_all(id=label.attrs["for"]), label.attrs["for"]


@pytest.mark.parametrize("url", PAGES)
def test_page_has_no_inline_style_or_script_and_loads_nothing_from_elsewhere(demo, get_page, url):
    page = get_page(url)

    assert [e.tag for e in page.find_all() if "style" in e.attrs] == []
    assert [e.tag for e in page.find_all("style")] == []
    for script in page.find_all("script"):
        assert script.attrs.get("type") == "application/ld+json" or (script.attrs.get("src") and not script.text)
    assert not [e for e in page.find_all() if any(name.startswith("on") for name in e.attrs)]
    # What the browser fetches by itself: stylesheets, icons, scripts, images.
    fetched = [e.attrs["href"] for e in page.find_all("link") if e.attrs.get("rel") in ("stylesheet", "icon")]
    fetched += [e.attrs["src"] for e in page.find_all() if "src" in e.attrs]
    assert fetched and all(url.startswith("/") and not url.startswith("//") for url in fetched), fetched


def test_pages_that_do_not_exist_get_the_sites_404_page(demo, get_page):
    page = get_page("/no-such-page/", expected_status=404)

    assert page.title.startswith("Page not found")
    assert page.meta("robots") == "noindex"
    assert "/guides/back-pain-exercises/" in page.links()
    assert page.find_all("nav", aria_label="Main")


@pytest.mark.parametrize("url", ["/guides/no-such-guide/", "/team/nobody/", "/locations/atlantis/"])
def test_unknown_slugs_are_404(demo, client, url):
    assert client.get(url).status_code == 404


def test_500_page_needs_no_request_and_no_database():
    # Without the db fixture any query raises: the page renders with the database down.
    html = loader.get_template("500.html").render()

    page = Page(html)
    assert page.title.startswith("Something went wrong")
    assert page.find_all("nav", aria_label="Main")
    # A form posted without a CSRF token would fail; the 500 page links to the signup instead.
    assert page.find_all("form") == []
    assert "/newsletter/" in page.links()


@override_settings(DEBUG=False)
def test_500_handler_answers_with_the_sites_page(db):
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
