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
