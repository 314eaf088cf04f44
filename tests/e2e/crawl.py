"""Crawl the site from `/` through Django's test client, as a search engine or a patient clicking around would.

Every internal link, stylesheet, script, image and form target (GET forms) is requested once,
with one exception: links that differ only in their query values (one per free time: 400 of them,
each computing availability; and the reschedule ones are rate-limited) are sampled, `per_shape` of
each path and set of query keys. Static files referenced from CSS (`url(...)`) are requested too.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.conf import settings

SKIP_PREFIXES = ("/admin/",)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []  # (kind, url)
        self.ids = set()
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name) and (name == "id" or tag == "a"):
                self.ids.add(attrs[name])
        if tag == "a" and attrs.get("href"):
            self.links.append(("page", attrs["href"]))
        elif tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").split()
            self.links.append(("page" if rel == ["alternate"] else "asset", attrs["href"]))
        elif tag in ("script", "img", "source", "iframe") and attrs.get("src"):
            self.links.append(("asset", attrs["src"]))
        elif tag == "meta" and attrs.get("property") in ("og:image",) and attrs.get("content"):
            self.links.append(("asset", attrs["content"]))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self.links.append(("page", attrs.get("action") or ""))
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.links.append(("asset", candidate.split()[0]))


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes
    found_on: str
    ids: set = field(default_factory=set)

    @property
    def is_html(self):
        return self.content_type.startswith("text/html")


@dataclass
class Crawl:
    pages: dict  # url -> Fetched, in the order found
    problems: list  # human-readable lines
    html_pages: list  # the Fetched HTML pages, in the order found
    sampled_out: int = 0  # links not requested: more of a path and query shape already requested


def _internal_path(href, base):
    """The site-relative URL (path?query) of `href` on page `base`, or None for another site, mail, phone..."""
    absolute = urljoin(base, href.strip())
    parts = urlsplit(absolute)
    site = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https"):
        return None
    if parts.netloc not in ("testserver", site.netloc):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else ""), parts.fragment


def _shape(url):
    parts = urlsplit(url)
    return parts.path, tuple(sorted(key for key, _ in parse_qsl(parts.query, keep_blank_values=True)))


def crawl(client, start="/", *, extra=(), per_shape=3, limit=1500):
    pages, problems, parsed = {}, [], []
    queue = [(start, "(start)", "page")] + [(url, "(given)", "page") for url in extra]
    per_shape_seen = {}
    anchors = []  # (url, fragment, found_on)
    sampled_out = set()
    while queue:
        url, found_on, kind = queue.pop(0)
        if url in pages or url in sampled_out or url.startswith(SKIP_PREFIXES):
            continue
        shape = _shape(url)
        if shape[1]:
            if per_shape_seen.get(shape, 0) >= per_shape:
                sampled_out.add(url)
                continue
            per_shape_seen[shape] = per_shape_seen.get(shape, 0) + 1
        if len(pages) >= limit:
            problems.append(f"crawl stopped after {limit} URLs")
            break
        response = client.get(url)
        fetched = Fetched(
            url=url,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=b"".join(response.streaming_content) if response.streaming else response.content,
            found_on=found_on,
        )
        pages[url] = fetched
        if response.status_code in (301, 302, 303, 307, 308):
            target = _internal_path(response["Location"], "http://testserver" + url)
            if target:
                queue.append((target[0], url, kind))
            continue
        if response.status_code >= 400:
            problems.append(f"{response.status_code} {url}  (linked from {found_on})")
            continue
        if fetched.content_type.startswith("text/css"):
            for href in CSS_URL.findall(fetched.body.decode("utf-8", "replace")):
                if not href.startswith("data:") and (target := _internal_path(href, "http://testserver" + url)):
                    queue.append((target[0], url, "asset"))
            continue
        if not fetched.is_html:
            continue
        parser = LinkParser()
        parser.feed(fetched.body.decode("utf-8", "replace"))
        fetched.ids = parser.ids
        parsed.append(fetched)
        for link_kind, href in parser.links:
            target = _internal_path(href, "http://testserver" + url)
            if not target:
                continue
            path, fragment = target
            if fragment and link_kind == "page":
                anchors.append((path, fragment, url))
            queue.append((path, url, link_kind))
    for path, fragment, found_on in anchors:
        target = pages.get(path)
        if target and target.is_html and target.status == 200 and fragment not in target.ids:
            problems.append(f"#{fragment} is on no element of {path}  (linked from {found_on})")
    return Crawl(pages=pages, problems=problems, html_pages=parsed, sampled_out=len(sampled_out))


def one_per_path(pages):
    """The first page of each path (the other 48 free times, or other filters, render the same template)."""
    seen, kept = set(), []
    for page in pages:
        if page.status == 200 and (path := urlsplit(page.url).path) not in seen:
            seen.add(path)
            kept.append(page)
    return kept
