"""Whole content pages come from cache, yet each visitor gets their own form tokens."""

import io
import re
import time

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client

from armorpt.forms import BotTrapMixin
from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RENDERED_AT = re.compile(r'name="rendered_at" value="([^"]+)"')


@pytest.fixture
def demo(clock):
    call_command("load_demo", stdout=io.StringIO())


def test_a_cached_page_costs_no_query(demo, django_assert_num_queries):
    Client().get("/guides/back-pain-exercises/")

    with django_assert_num_queries(0):
        response = Client().get("/guides/back-pain-exercises/")

    assert response.status_code == 200 and "Pelvic tilt" in response.content.decode()


def test_each_visitor_gets_their_own_working_csrf_token_from_a_cached_page(demo, settings):
    settings.FORM_MIN_SECONDS = 0  # the test posts at once
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get("/").content.decode()
    page_two = second.get("/").content.decode()  # from cache

    token_one, token_two = CSRF.search(page_one).group(1), CSRF.search(page_two).group(1)
    assert token_one != token_two
    assert "__armorpt" not in page_two
    response = second.post(
        "/newsletter/",
        {"csrfmiddlewaretoken": token_two, "email": "ana@example.com", "rendered_at": RENDERED_AT.search(page_two)[1]},
    )
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    assert Subscriber.objects.filter(email="ana@example.com").exists()


def test_a_returning_visitor_keeps_their_csrf_cookie_and_each_cached_page_token_works(demo, settings):
    settings.FORM_MIN_SECONDS = 0
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/team/")  # rendered: the visitor gets their CSRF cookie here
    cookie = visitor.cookies[settings.CSRF_COOKIE_NAME].value

    pages = [visitor.get("/team/").content.decode() for _ in range(3)]  # from cache

    tokens = [CSRF.search(page)[1] for page in pages]
    assert len(set(tokens)) == 3  # masked afresh on every page
    assert visitor.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    for n, page in enumerate(pages):
        email = f"returning{n}@example.com"
        data = {"csrfmiddlewaretoken": tokens[n], "email": email, "rendered_at": RENDERED_AT.search(page)[1]}
        assert "Check your inbox" in visitor.post("/newsletter/", data).content.decode()
    assert Subscriber.objects.filter(email__startswith="returning").count() == 3


def test_a_forged_token_from_a_cached_page_is_refused(demo):
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/")
    page = visitor.get("/").content.decode()
    token = CSRF.search(page)[1]
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")

    response = visitor.post("/newsletter/", {"csrfmiddlewaretoken": forged, "email": "x@example.com"})

    assert response.status_code == 403
    assert not Subscriber.objects.filter(email="x@example.com").exists()


def test_the_bot_trap_time_is_fresh_on_every_cached_hit(demo, clock):
    Client().get("/team/")
    clock.shift(90)

    page = Client().get("/team/").content.decode()

    shown = signing.loads(RENDERED_AT.search(page).group(1), salt=BotTrapMixin.SALT)
    assert time.time() - shown < 1  # not the 90-second-old value of the first visit


def test_only_anonymous_reads_are_cached(admin_user, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from armorpt.pagecache import _cacheable

    def request(method="get", user=None):
        made = getattr(RequestFactory(), method)("/guides/")
        made.user = user or AnonymousUser()
        if user:  # a signed-in person always has a session cookie
            made.COOKIES[settings.SESSION_COOKIE_NAME] = "their-session"
        return made

    assert _cacheable(request())
    assert not _cacheable(request(user=admin_user))  # staff may be previewing a draft
    assert not _cacheable(request("post"))


def test_a_staff_preview_never_reaches_a_patient(demo, admin_user):
    from tests.factories import GuideFactory

    GuideFactory(slug="draft", title="Draft guide", is_published=False, published_at=None)
    staff = Client()
    staff.force_login(admin_user)

    assert "Draft guide" in staff.get("/guides/draft/").content.decode()
    assert Client().get("/guides/draft/").status_code == 404


# --- The short way in: PageCacheMiddleware ----------------------------------------------------------

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Vary",
)


def test_a_hit_at_the_door_carries_every_header_the_page_was_first_sent_with(demo, django_assert_num_queries):
    first = Client().get("/guides/back-pain-exercises/")
    with django_assert_num_queries(0):
        hit = Client().get("/guides/back-pain-exercises/")

    for name in SECURITY_HEADERS:
        assert hit.headers.get(name) == first.headers.get(name) and hit.headers.get(name), name
    assert hit.content.replace(b" ", b"")[:200] == first.content.replace(b" ", b"")[:200]
    assert int(hit["Content-Length"]) == len(hit.content)


def test_a_new_visitor_gets_a_csrf_cookie_from_a_hit_and_a_returning_one_keeps_theirs(demo, settings):
    Client().get("/")  # stored
    newcomer = Client()
    newcomer.get("/")
    returning = Client()
    returning.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32

    returning.get("/")

    assert len(newcomer.cookies[settings.CSRF_COOKIE_NAME].value) == 32
    assert returning.cookies[settings.CSRF_COOKIE_NAME].value == "a" * 32  # their secret stands


def test_plain_http_is_still_redirected_before_any_cached_page(demo, settings):
    Client().get("/team/")
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/team/")

    assert response.status_code == 301 and response["Location"] == "https://testserver/team/"


def test_a_secure_hit_keeps_hsts(demo, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    Client().get("/team/", secure=True)

    hit = Client().get("/team/", secure=True)

    assert hit["Strict-Transport-Security"].startswith("max-age=3600")


def test_a_visitor_with_a_session_is_served_the_long_way_and_still_from_cache(
    demo, settings, django_assert_max_num_queries
):
    Client().get("/guides/back-pain-exercises/")
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"

    with django_assert_max_num_queries(1):  # the session lookup, then the page from cache
        response = visitor.get("/guides/back-pain-exercises/")

    assert response.status_code == 200 and "Pelvic tilt" in response.content.decode()
    assert response["Content-Security-Policy"] and response["X-Frame-Options"] == "DENY"
