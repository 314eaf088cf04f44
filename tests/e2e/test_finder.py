"""The clinic finder in Chromium, with 25 clinics: search by town or ZIP code and "Use my location"
with JavaScript, the same search without it, by keyboard alone, and on a 390 px phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import AXE_TAGS, run_vnu
from tests.e2e.known_violations import check_known
from tests.helpers import more_clinics

pytestmark = pytest.mark.e2e(needs=("chromium",))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# On the lake shore in Benton Harbor: St. Joseph is across the river, Paw Paw next.
BENTON_HARBOR = {"latitude": 42.1167, "longitude": -86.4542}


@pytest.fixture
def many(demo):
    more_clinics(20)


def first_clinics(page, count=2):
    return page.locator("#finder-results .card-title").all_inner_texts()[:count]


def status(page):
    return page.get_by_role("status")


def test_a_search_updates_the_results_in_place_and_says_so(many, journey):
    page = journey.new_page()
    page.goto("/locations/")
    page.evaluate("() => { window.stillTheSamePage = true; }")

    page.get_by_label("Town or ZIP code").fill("49079")
    page.get_by_role("button", name="Search").click()

    expect(status(page)).to_have_text("Clinics nearest to 49079, nearest first.")
    assert first_clinics(page) == ["Armor PT Paw Paw", "Armor PT Kalamazoo"]
    assert page.evaluate("() => window.stillTheSamePage") is True  # updated, not reloaded
    assert page.url.endswith("/locations/?q=49079")
    journey.step(page, "searched 49079")

    page.get_by_label("Town or ZIP code").fill("12ab")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#finder-q-error")).to_have_text(re.compile("five-digit ZIP code"))
    expect(page.get_by_label("Town or ZIP code")).to_have_attribute("aria-invalid", "true")
    assert journey.console_errors == []


def test_use_my_location_puts_the_nearest_clinic_first(many, journey):
    page = journey.new_page(geolocation=BENTON_HARBOR, permissions=["geolocation"])
    page.goto("/book/?reason=back-pain")

    page.get_by_role("button", name="Use my location").click()

    expect(status(page)).to_have_text("The 10 clinics nearest to you, nearest first.")
    assert first_clinics(page) == ["Armor PT St. Joseph", "Armor PT Paw Paw"]
    expect(page.locator("#finder-results .clinic-distance").first).to_have_text(re.compile(r"About \d+ miles? away"))
    # The reason the patient came with goes on to step 2.
    page.get_by_role("link", name=re.compile("See times at St. Joseph")).click()
    assert "reason=back-pain" in page.url
    assert journey.console_errors == []


def test_a_refused_location_says_what_to_do_instead(many, journey):
    page = journey.new_page()  # no permission granted: the browser refuses
    page.goto("/locations/")

    page.get_by_role("button", name="Use my location").click()

    expect(status(page)).to_have_text("We could not get your location. Type your town or ZIP code instead.")
    expect(page.get_by_label("Town or ZIP code")).to_be_focused()


def test_without_javascript_the_search_still_works(many, journey):
    page = journey.new_page(java_script_enabled=False)
    page.goto("/locations/")
    # The browser's place needs the script: no button that would do nothing.
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()

    page.get_by_label("Town or ZIP code").fill("st joseph")
    page.get_by_role("button", name="Search").click()

    assert first_clinics(page) == ["Armor PT St. Joseph", "Armor PT Paw Paw"]
    expect(page.locator(".finder__status")).to_have_text("Clinics nearest to st joseph, nearest first.")
    page.get_by_role("link", name="More clinics").click()
    assert page.url.endswith("?q=st+joseph&page=2")
    assert len(first_clinics(page, 20)) == 10


def test_by_keyboard_alone(many, journey):
    page = journey.new_page(geolocation=BENTON_HARBOR, permissions=["geolocation"])
    page.goto("/book/")
    box = page.get_by_label("Town or ZIP code")
    for _ in range(30):
        page.keyboard.press("Tab")
        if box.evaluate("element => element === document.activeElement"):
            break
    expect(box).to_be_focused()

    page.keyboard.type("Portage")
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Clinics nearest to Portage, nearest first.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Search")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Use my location")).to_be_focused()
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("The 10 clinics nearest to you, nearest first.")
    # Next in the page: the nearest clinic's times.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert "St. Joseph" in focused or "(269) 555-0105" in focused, focused


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_nothing_scrolls_sideways(many, journey, javascript):
    options = {"geolocation": BENTON_HARBOR, "permissions": ["geolocation"]} if javascript else {}
    page = journey.new_page(**PHONE, java_script_enabled=javascript, **options)
    for url in ("/locations/", "/book/", "/", "/team/", "/locations/?q=12ab"):
        page.goto(url)
        journey.step(page, url)  # fails if the page is wider than the window
    page.goto("/locations/")
    if javascript:
        page.get_by_role("button", name="Use my location").tap()
        expect(status(page)).to_have_text("The 10 clinics nearest to you, nearest first.")
    else:
        page.get_by_label("Town or ZIP code").fill("Paw Paw")
        page.get_by_role("button", name="Search").tap()
        page.wait_for_url(re.compile(r"q=Paw\+Paw"))
    journey.step(page, "results")
    assert first_clinics(page, 1) == ["Armor PT St. Joseph" if javascript else "Armor PT Paw Paw"]


@pytest.mark.e2e(needs=("chromium", "axe"))
def test_the_finder_passes_axe_before_and_after_a_search(many, journey, axe):
    page = journey.new_page(geolocation=BENTON_HARBOR, permissions=["geolocation"])
    found = []

    def check(label):
        for violation in axe(page):
            for node in violation["nodes"]:
                found.append(f"{label}: {violation['id']} {violation['help']} at {node['target']}")

    for url in ("/locations/", "/book/", "/"):
        page.goto(url)
        check(url)
    page.goto("/locations/")
    page.get_by_role("button", name="Use my location").click()
    expect(status(page)).to_have_text(re.compile("nearest to you"))
    check("near me")
    page.get_by_label("Town or ZIP code").fill("12ab")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#finder-q-error")).not_to_be_empty()
    page.mouse.move(0, 0)  # the message moves the buttons: judge them at rest, not under the pointer
    check("a mistyped ZIP code")

    check_known("axe", found, what=f"axe-core ({', '.join(AXE_TAGS)}) on the clinic finder")


@pytest.mark.e2e(needs=("vnu",))
def test_the_finder_pages_are_valid_html(demo_in_transaction, client, tmp_path):
    more_clinics(20)
    files = []
    for n, url in enumerate(("/locations/", "/locations/?q=12ab", "/book/?q=49002&page=2", "/", "/team/")):
        response = client.get(url)
        assert response.status_code == 200, url
        files.append(tmp_path / f"page-{n}.html")
        files[-1].write_bytes(response.content)

    assert run_vnu(files) == {}
