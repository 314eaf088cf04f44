"""The admin at desk-screen widths: the appointment list fits beside its filters, a visit's buttons
never cover its title, and "Lock" signs a shared computer out in one click."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.desk import PASSWORD, front_desk_user
from tests.helpers import book_directly

pytestmark = pytest.mark.e2e(needs=("chromium",))

WIDE = {"width": 1440, "height": 900}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _sign_in(page):
    page.goto("/admin/login/")
    expect(page).to_have_title(re.compile("Armor PT front desk"))
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_have_text("Armor PT front desk")


def _overlaps(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and (b["y"] < a["y"] + a["height"])
    )


@pytest.fixture
def visits(demo):
    found = [book_directly("kalamazoo", n=n, skip=n) for n in range(1, 9)]
    front_desk_user(found[0].clinic)
    return found


@pytest.mark.parametrize("viewport", [WIDE, DESKTOP], ids=["1440", "1280"])
def test_the_appointment_list_fits_beside_its_filters(visits, journey, viewport):
    page = journey.new_page(viewport=viewport)
    _sign_in(page)

    page.goto("/admin/appointments/appointment/?when=all")
    expect(page.locator("#changelist-filter")).to_be_visible()
    expect(page.locator("#result_list tbody tr")).to_have_count(len(visits))
    journey.step(page, f"appointment list at {viewport['width']}")

    scroll, width = page.evaluate(
        "() => { const r = document.querySelector('.results'); return [r.scrollWidth, r.clientWidth]; }"
    )
    assert scroll <= width, f"the list scrolls sideways: {scroll} px in {width} px"
    # Every column, "source" the last, is on screen.
    source = page.locator("#result_list thead th.column-source").bounding_box()
    assert source["x"] + source["width"] <= page.locator("#changelist-filter").bounding_box()["x"]


@pytest.mark.parametrize("viewport", [WIDE, DESKTOP, PHONE], ids=["1440", "1280", "390"])
def test_a_visits_buttons_do_not_cover_its_title(visits, journey, viewport):
    page = journey.new_page(viewport=viewport)
    _sign_in(page)

    page.goto(f"/admin/appointments/appointment/{visits[0].pk}/change/")
    tools = page.locator("#content .object-tools")
    expect(tools.get_by_role("button", name=re.compile("Mark", re.I)).first).to_be_visible()
    journey.step(page, f"a visit's page at {viewport['width']}")

    box = tools.bounding_box()
    for heading in page.locator("#content h1, #content > h2").all():
        assert not _overlaps(box, heading.bounding_box()), f"the buttons cover “{heading.inner_text()}”"
    # The date of birth is typed, not picked from "Today".
    expect(page.locator(".field-date_of_birth").get_by_role("link", name="Today")).to_have_count(0)
    expect(page.get_by_label("Phone")).to_have_value(re.compile(r"^\(\d{3}\) \d{3}-\d{4}$"))


def test_lock_signs_out_in_one_click_and_keeps_the_username(visits, journey):
    page = journey.new_page(viewport=WIDE)
    _sign_in(page)
    page.goto("/admin/appointments/appointment/")

    lock = page.locator("#user-tools").get_by_role("button", name="Lock")
    expect(lock).to_be_visible()
    lock.click()

    expect(page).to_have_url(re.compile(r"/admin/login/\?next=%2Fadmin%2Fappointments%2Fappointment%2F$"))
    expect(page.get_by_label("Username")).to_have_value("frontdesk")
    expect(page.get_by_label("Password")).to_be_focused()
    journey.step(page, "locked")

    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    # Signing in again leads back to the page the desk was on.
    page.goto("/admin/login/?next=/admin/appointments/appointment/")
    page.get_by_label("Username").fill("frontdesk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/appointments/appointment/$"))
