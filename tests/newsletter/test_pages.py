"""Every newsletter page: well formed for assistive technology, no inline style or script, and the
pages reached through a personal link kept out of search engines."""

import datetime as dt
from collections import Counter

import pytest

from newsletter import services, tokens
from tests.content.pages import Page
from tests.factories import SubscriberFactory
from tests.helpers import as_a_person, text

pytestmark = pytest.mark.django_db


def _pages(client, clock):
    pending = SubscriberFactory(email="pending@example.com", status="pending", first_name="Pat")
    confirmed = SubscriberFactory(email="confirmed@example.com")
    gone = SubscriberFactory(email="gone@example.com")
    expired = tokens.confirm_token(pending)
    clock.shift(dt.timedelta(days=8))
    used = tokens.confirm_token(gone)
    services.unsubscribe(gone)  # an old link, from before they confirmed and then left
    return {
        "signup": (client.get("/newsletter/"), 200, False),
        "signup errors": (
            client.post("/newsletter/", {"email": "nope", "first_name": "A\nB", **as_a_person()}),
            200,
            False,
        ),
        "check your inbox": (client.post("/newsletter/", {"email": "new@example.com", **as_a_person()}), 200, True),
        "confirm": (client.get(f"/newsletter/confirm/{tokens.confirm_token(pending)}/"), 200, True),
        "welcome": (client.post(f"/newsletter/confirm/{tokens.confirm_token(pending)}/"), 200, True),
        "already confirmed": (client.get(f"/newsletter/confirm/{tokens.confirm_token(confirmed)}/"), 200, True),
        "expired": (client.get(f"/newsletter/confirm/{expired}/"), 410, True),
        "used": (client.get(f"/newsletter/confirm/{used}/"), 410, True),
        "bad confirm link": (client.get("/newsletter/confirm/bad/"), 404, True),
        "unsubscribe": (client.get(f"/newsletter/unsubscribe/{tokens.unsubscribe_token(confirmed)}/"), 200, True),
        "unsubscribed": (client.post(f"/newsletter/unsubscribe/{tokens.unsubscribe_token(confirmed)}/"), 200, True),
        "bad unsubscribe link": (client.get("/newsletter/unsubscribe/bad/"), 404, True),
    }


def test_every_page_is_well_formed_accessible_and_self_contained(client, clock):
    for name, (response, status, private) in _pages(client, clock).items():
        assert response.status_code == status, name
        page = Page(text(response))
        ids = [e.attrs["id"] for e in page.find_all() if "id" in e.attrs]
        assert [i for i, n in Counter(ids).items() if n > 1] == [], name
        levels = [level for level, _ in page.headings]
        assert levels.count(1) == 1 and levels[0] == 1, (name, page.headings)
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (name, page.headings)
        for label in page.find_all("label"):
            assert page.find_all(id=label.attrs["for"]), (name, label.attrs["for"])
        for element in page.find_all():
            for ref in element.attrs.get("aria-describedby", "").split():
                assert page.find_all(id=ref), (name, ref)
        assert [e.tag for e in page.find_all() if "style" in e.attrs] == [], name
        assert all(s.attrs.get("src") and not s.text for s in page.find_all("script")), name
        assert (page.meta("robots") == "noindex") == private, name
        assert page.title.endswith("Armor Physical Therapy"), name


def test_the_honeypots_are_hidden_from_people_and_screen_readers(client):
    page = Page(text(client.get("/newsletter/")))

    for input_id in ("signup-website", "footer-newsletter-website"):
        field = page.find("input", id=input_id)
        assert field.attrs["tabindex"] == "-1" and field.attrs["autocomplete"] == "off"
    wrappers = page.find_all("div", **{"class": "hp-field"})
    assert len(wrappers) == 2 and all(w.attrs["aria-hidden"] == "true" for w in wrappers)
