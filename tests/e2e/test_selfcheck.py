"""The back-pain self-check in Chromium on a 390 px phone, with and without JavaScript: an emergency ends
on "call 911" with no way to book, "see a doctor" too, and no warning signs on booking with back pain."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import AXE_TAGS, FormTimer, choose_time, fill_details, run_vnu
from tests.e2e.known_violations import check_known

pytestmark = pytest.mark.e2e(needs=("chromium",))

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
NOT_BOOKING = "main a[href^='/book'], header a[href^='/book'], footer a[href^='/book'], form"


def _phone(journey, javascript):
    return journey.new_page(**PHONE, java_script_enabled=javascript)


def _answer(page, yes=(), clinic=None):
    """Tap Yes or No on every question, as a patient does (the label is the target)."""
    for question in page.locator("fieldset.sc-question").all():
        name = question.locator("input").first.get_attribute("name")
        question.get_by_text("Yes" if name in yes else "No", exact=True).tap()
    if clinic:
        page.get_by_label("Which clinic would you go to?").select_option(label=clinic)


def _on_the_first_screen(page, locator):
    box = locator.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box
    return box


def _fits(page):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways ({width})"


@JAVASCRIPT
def test_an_emergency_sign_on_a_phone_shows_call_911_first_and_no_way_to_book(demo, journey, javascript):
    page = _phone(journey, javascript)
    page.goto("/")
    page.get_by_role("link", name="one-minute self-check").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Back pain: check for warning signs")
    _fits(page)
    journey.step(page, "the questions")

    question = page.get_by_role("group", name=re.compile("bladder or bowels"))
    question.get_by_text("Yes", exact=True).tap()
    # A "yes" to an emergency sign says at once what to do (CSS only, so without JavaScript too).
    expect(question.get_by_role("link", name="Call 911")).to_be_visible()
    journey.step(page, "an emergency sign ticked")
    page.get_by_role("button", name="See what to do next").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Call 911 now")
    call = page.get_by_role("link", name="Call 911", exact=True)
    assert call.get_attribute("href") == "tel:911"
    assert _on_the_first_screen(page, call)["height"] >= 44
    _on_the_first_screen(page, page.get_by_role("heading", level=1))
    expect(page.locator(NOT_BOOKING)).to_have_count(0)
    _fits(page)
    journey.step(page, "call 911")


@JAVASCRIPT
def test_a_see_a_doctor_sign_on_a_phone_says_so_and_offers_no_booking(demo, journey, javascript):
    page = _phone(journey, javascript)
    page.goto("/back-pain/self-check/")
    _answer(page, yes={"cancer_history"}, clinic="Armor PT Portage")
    page.get_by_role("button", name="See what to do next").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Please see a doctor today or tomorrow")
    _on_the_first_screen(page, page.get_by_role("heading", level=1))
    expect(page.locator(NOT_BOOKING)).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Call Armor PT Portage at")
    expect(page.get_by_role("main").get_by_role("link", name="call 911")).to_have_attribute("href", "tel:911")
    _fits(page)
    journey.step(page, "see a doctor")


@JAVASCRIPT
def test_no_warning_signs_on_a_phone_leads_to_a_back_pain_booking_that_says_so(demo, journey, javascript):
    from appointments.models import Appointment

    page = _phone(journey, javascript)
    page.goto("/back-pain/self-check/")
    _answer(page, yes={"worse_sitting"}, clinic="Armor PT Kalamazoo")
    journey.step(page, "all answered")
    page.get_by_role("button", name="See what to do next").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Physical therapy is a good first step")
    expect(page.get_by_role("link", name="Posture improvement exercises")).to_have_attribute(
        "href", "/guides/back-pain-exercises/#posture"
    )
    journey.step(page, "no warning signs")
    page.get_by_role("link", name=re.compile("Choose a time at Kalamazoo")).tap()

    expect(page).to_have_url(re.compile(r"/book/kalamazoo/\?reason=back-pain$"))
    choose_time(page)
    expect(page.get_by_role("radio", name="Back pain")).to_be_checked()
    warning = page.locator("#back-pain-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("if any of these, do not book: call 911")
    _fits(page)
    journey.step(page, "step 3 with the back-pain warning")
    timer = FormTimer()
    fill_details(page)
    timer.wait()
    page.get_by_role("button", name="Book this appointment").tap()

    expect(page).to_have_url(re.compile(r"/book/done/"))
    visit = Appointment.objects.get()
    assert visit.reason == "back-pain" and visit.self_check_clear


@JAVASCRIPT
def test_step_3_shows_the_warning_while_back_pain_is_the_reason_chosen(demo, journey, javascript):
    page = _phone(journey, javascript)
    page.goto("/book/kalamazoo/?reason=neck-pain")
    choose_time(page)
    warning = page.locator("#back-pain-warning")
    expect(warning).to_be_hidden()

    page.get_by_role("radio", name="Back pain").check()
    expect(warning).to_be_visible()
    page.get_by_role("radio", name="Sports injury").check()
    expect(warning).to_be_hidden()


def test_the_self_check_with_the_keyboard_alone(demo, journey, page):
    page.goto("/back-pain/self-check/")
    focused = None
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.id")
        if focused == "id_saddle_numbness_yes":
            break
    assert focused == "id_saddle_numbness_yes", "Tab never reached question 1"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # within the group: No
    assert page.locator("#id_saddle_numbness_no").is_checked()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#id_saddle_numbness_yes").is_checked()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Call 911 now")


@pytest.mark.e2e(needs=("chromium", "axe"))
def test_every_self_check_page_passes_axe(demo, journey, axe):
    page = _phone(journey, True)
    found = []

    def check(label):
        for violation in axe(page):
            for node in violation["nodes"]:
                found.append(f"{label}: {violation['id']} {violation['help']} at {node['target']}")

    page.goto("/back-pain/self-check/")
    check("questions")
    page.locator("#id_leg_weakness_yes").check()
    check("questions, an emergency sign ticked")
    page.locator("#id_leg_weakness_no").check()
    page.get_by_role("button", name="See what to do next").click()
    check("questions left blank (errors)")
    for label, yes in (("call 911", {"serious_injury"}), ("see a doctor", {"fever"}), ("no warning signs", set())):
        page.goto("/back-pain/self-check/")
        _answer(page, yes=yes, clinic="Armor PT Kalamazoo")
        page.get_by_role("button", name="See what to do next").click()
        check(label)
    page.get_by_role("link", name=re.compile("Choose a time")).click()
    choose_time(page)
    check("step 3 with the back-pain warning")

    check_known("axe", found, what=f"axe-core ({', '.join(AXE_TAGS)}) on the self-check's pages")


@pytest.mark.e2e(needs=("vnu",))
def test_the_results_are_valid_html(demo_in_transaction, client, tmp_path):
    """The crawl checks the questions (a GET); the results answer a POST, so they are sent here."""
    answers = {"saddle_numbness": "no", "bladder_or_bowel": "no", "leg_weakness": "no", "serious_injury": "no"}
    rest = dict.fromkeys(
        ["fever", "cancer_history", "weight_loss", "constant_pain", "recent_surgery_or_infection", "steroids"], "no"
    )
    posts = {
        "call 911": {"leg_weakness": "yes"},
        "see a doctor": {**answers, **rest, "weight_loss": "yes", "clinic": "kalamazoo"},
        "no warning signs": {**answers, **rest, "over_70": "no", "minor_fall": "no", "stiff": "yes"},
        "questions left blank": {"fever": "no"},
    }
    files = {}
    for number, (label, data) in enumerate(posts.items()):
        path = tmp_path / f"result-{number}.html"
        path.write_text(client.post("/back-pain/self-check/", data).content.decode())
        files[str(path)] = label

    errors = run_vnu(files)

    lines = [f"{files[path]}: {message}" for path, messages in sorted(errors.items()) for message in messages]
    check_known("vnu", lines, what=f"the Nu Html Checker on {len(files)} self-check results")
