"""Every public page is valid HTML, says the Nu Html Checker (npm vnu-jar, run with Java): the pages a
crawl from `/` finds, and each form's error states."""

import pytest

from tests.e2e.crawl import crawl, one_per_path
from tests.e2e.helpers import error_states, run_vnu
from tests.e2e.known_violations import check_known
from tests.helpers import seeds

pytestmark = pytest.mark.e2e(needs=("vnu",))


def test_every_public_page_and_error_state_is_valid_html(demo_in_transaction, client, tmp_path):
    site = crawl(client, extra=seeds(client))
    documents = [(page.url, page.body.decode()) for page in one_per_path(site.html_pages)]
    documents += [(f"{url}  ({name})", html) for name, (url, html) in error_states(client).items()]
    files = {}
    for number, (label, html) in enumerate(documents):
        path = tmp_path / f"page-{number:03d}.html"
        path.write_text(html)
        files[str(path)] = label

    errors = run_vnu(files)

    assert len(files) > 30
    lines = [f"{files[path]}: {message}" for path, messages in sorted(errors.items()) for message in messages]
    check_known("vnu", lines, what=f"the Nu Html Checker on {len(files)} pages")
