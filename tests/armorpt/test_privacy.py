"""No page makes the browser fetch anything from another site (fonts, scripts, maps, analytics)."""

import io
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# Attributes that make a browser load something, per tag.
LOADS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "input": ("src",),
}
# <link rel=…> values that fetch their href.
LOADING_RELS = {"stylesheet", "icon", "preload", "prefetch", "preconnect", "dns-prefetch", "manifest", "modulepreload"}


class Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.links = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in LOADS.get(tag, ()):
            if attrs.get(name):
                self.urls += [part.strip().split(" ")[0] for part in attrs[name].split(",")]
        if tag == "link" and LOADING_RELS & set((attrs.get("rel") or "").lower().split()):
            self.urls.append(attrs.get("href", ""))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("style") and "url(" in attrs["style"]:
            self.urls.append(attrs["style"])


def crawl(client, start="/", limit=150):
    """Every page reachable from `start` by internal links: {path: (status, parser)}."""
    seen, queue, pages = set(), [start], {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        # One of the hundreds of "book this time" links per clinic is enough.
        key = path.split("?")[0] if "/details/" in path else path
        if key in seen:
            continue
        seen.add(key)
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Resources()
        parser.feed(response.content.decode())
        pages[path] = (response.status_code, parser)
        for href in parser.links:
            target = urlsplit(urljoin("http://testserver" + path, href))
            if target.netloc == "testserver" and not target.path.startswith(("/admin", "/static", "/media")):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


def test_no_public_page_loads_anything_from_another_site(client):
    call_command("load_demo", stdout=io.StringIO())

    pages = crawl(client)

    assert len(pages) > 20, sorted(pages)
    assert "/book/kalamazoo/" in pages and "/guides/back-pain-exercises/" in pages
    for path, (status, parser) in pages.items():
        assert status < 500, path
        for url in parser.urls:
            parts = urlsplit(url)
            assert parts.scheme in ("", "data") and not parts.netloc, f"{path} loads {url}"
        assert "fonts.googleapis" not in str(parser.urls)
