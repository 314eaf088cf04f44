"""From `/`, every internal link leads somewhere: no 404, no 500, no missing static file, no dead #anchor.

Through Django's test client (no browser needed), so it runs everywhere `make test` runs.
"""

import re
from urllib.parse import urlsplit

from tests.e2e.crawl import crawl
from tests.helpers import seeds


def test_every_internal_link_and_static_file_resolves(demo_in_transaction, client):
    site = crawl(client, extra=seeds(client))

    assert not site.problems, "Broken links:\n" + "\n".join(site.problems)
    _reaches_every_kind_of_public_page(site)
    _serves_static_files_with_their_type(site)


def _reaches_every_kind_of_public_page(site):
    paths = {urlsplit(url).path for url in site.pages}
    for expected in [
        "/",
        "/guides/",
        "/guides/back-pain-exercises/",
        "/team/",
        "/locations/",
        "/book/",
        "/book/kalamazoo/",
        "/book/kalamazoo/details/",
        "/newsletter/",
    ]:
        assert expected in paths, f"{expected} is not reachable by links from / (found: {sorted(paths)})"
    assert any(path.startswith("/team/") and path != "/team/" for path in paths)
    assert sum(1 for path in paths if re.fullmatch(r"/locations/[\w-]+/", path)) == 5
    assert any(path.startswith("/static/") for path in paths)
    assert any(path.endswith("/calendar.ics") for path in paths)
    assert any(path.endswith("/reschedule/") for path in paths)


def _serves_static_files_with_their_type(site):
    for url, fetched in site.pages.items():
        if url.startswith("/static/") and fetched.status == 200:
            kind = fetched.content_type
            if url.endswith(".css"):
                assert kind.startswith("text/css"), (url, kind)
            elif url.endswith(".js"):
                assert "javascript" in kind, (url, kind)
            elif url.endswith(".svg"):
                assert kind.startswith("image/svg"), (url, kind)
