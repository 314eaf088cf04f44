"""The front desk logs in to admin, opens the day's schedule and confirms a patient's request."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.desk import PASSWORD, front_desk_user
from tests.helpers import book_directly

pytestmark = pytest.mark.e2e(needs=("chromium",))

DAY_VIEW = re.compile(r"\b(today|day view|day|schedule)\b", re.I)


def _find_day_view(page):
    """The day view's link, from the admin index or the appointments list (it is being built: found by name)."""
    for where in ("/admin/", "/admin/appointments/appointment/"):
        page.goto(where)
        links = page.get_by_role("main").get_by_role("link", name=DAY_VIEW)
        if links.count():
            return links.first
    return None


def test_the_front_desk_confirms_a_request_from_the_day_view(demo, journey, page, outbox):
    appointment = book_directly("battle-creek")  # Battle Creek confirms online requests by hand
    assert appointment.status == "requested"
    front_desk_user(appointment.clinic)

    page.goto("/admin/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("link", name=re.compile("Log out", re.I)).or_(
            page.get_by_role("button", name=re.compile("Log out", re.I))
        )
    ).to_be_visible()
    journey.step(page, "admin index")

    link = _find_day_view(page)
    if link is None:
        pytest.xfail("the front-desk day view is not in admin yet: no link named Today/Day/Schedule on /admin/")
    link.click()
    expect(page.get_by_role("heading", name=re.compile("Day schedule|day", re.I)).first).to_be_visible()
    journey.step(page, "day view")
    # The day view opens on today; the request is a few days ahead: page forward like a person.
    visit = page.get_by_role("main").get_by_role("link", name=re.compile(appointment.last_name))
    for _ in range(14):
        if visit.count():
            break
        page.get_by_role("link", name=re.compile("Next day", re.I)).first.click()
    journey.step(page, "day view on the day of the request")
    visit.first.click()
    page.get_by_role("button", name=re.compile("confirm", re.I)).first.click()
    expect(page.get_by_role("main").or_(page.locator("#content")).first).to_contain_text(re.compile("confirmed", re.I))
    journey.step(page, "confirmed")

    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    assert any(appointment.email in m.to and "onfirm" in m.subject for m in outbox), [m.subject for m in outbox]
