"""Newsletter: sign up in the footer, confirm from the email (double opt-in), unsubscribe in one click."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import FormTimer, body_of, emails_to

pytestmark = pytest.mark.e2e(needs=("chromium",))

ADDRESS = "nia.walker@example.com"


def _link(pattern):
    for message in emails_to(ADDRESS):
        if found := re.search(rf"https?://[^\s\"'<>]+{pattern}[^/\s\"'<>]+/", body_of(message)):
            return urlsplit(found.group(0)).path
    raise AssertionError(f"no {pattern} link in {[m.subject for m in emails_to(ADDRESS)]}")


def _unsubscribe_header():
    for message in reversed(emails_to(ADDRESS)):
        headers = {name.lower(): value for name, value in message.extra_headers.items()}
        if "list-unsubscribe" in headers:
            return headers
    raise AssertionError("no email to the subscriber has a List-Unsubscribe header")


def _status():
    from newsletter.models import Subscriber

    return Subscriber.objects.get(email=ADDRESS).status


def test_sign_up_in_the_footer_confirm_by_email_and_unsubscribe_in_one_click(demo, journey, page):
    page.goto("/guides/")
    timer = FormTimer()
    footer = page.get_by_role("contentinfo")
    footer.get_by_label("Email").fill(ADDRESS)
    footer.get_by_label(re.compile("First name")).fill("Nia")
    journey.step(page, "footer form filled in")
    timer.wait()
    footer.get_by_role("button", name=re.compile("Sign up|Subscribe")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your inbox")
    journey.step(page, "check your inbox")
    assert _status() == "pending"

    # Double opt-in: the link shows a button (mail scanners follow links; consent takes a click).
    page.goto(_link("/newsletter/confirm/"))
    journey.step(page, "confirm page")
    assert _status() == "pending"
    page.get_by_role("button", name=re.compile("subscribe", re.I)).click()
    expect(page.get_by_role("main")).to_contain_text(re.compile("welcome|subscribed|confirmed", re.I))
    journey.step(page, "confirmed")
    assert _status() == "confirmed"

    # One click in the mail client: a POST with no cookies and no CSRF token (RFC 8058).
    headers = _unsubscribe_header()
    assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<(https?://[^>]+)>", headers["list-unsubscribe"]).group(1)
    path = urlsplit(url).path
    page.goto(path)
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert _status() == "confirmed", "opening the link must not unsubscribe (link scanners open links)"

    mail_client = journey.new_page().request
    response = mail_client.post(path, form={"List-Unsubscribe": "One-Click"}, max_redirects=0)
    assert response.status == 200, response.text()[:500]
    assert _status() == "unsubscribed"
    page.reload()
    expect(page.get_by_role("main")).to_contain_text(re.compile("unsubscribed", re.I))
    journey.step(page, "unsubscribed")


def test_unsubscribe_from_the_page_with_one_button(demo, journey, page):
    from newsletter import services

    subscriber = services.sign_up(email=ADDRESS, first_name="Nia")
    page.goto(_link("/newsletter/confirm/"))
    page.get_by_role("button", name=re.compile("subscribe", re.I)).click()
    page.goto(urlsplit(services.unsubscribe_url(subscriber)).path)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("main")).to_contain_text(re.compile("unsubscribed", re.I))
    journey.step(page, "unsubscribed by the button")
    assert _status() == "unsubscribed"
