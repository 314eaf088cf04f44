"""axe-core (from node_modules, never a CDN) finds no WCAG 2.2 AA violation on any public page, any booking
step, or any form's error state, as Chromium renders them."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.crawl import crawl, one_per_path
from tests.e2e.helpers import ARTIFACTS, AXE_TAGS, FormTimer, choose_time, fill_details, take_every_specialist_at
from tests.e2e.known_violations import check_known
from tests.helpers import book_directly, seeds

pytestmark = pytest.mark.e2e(needs=("chromium", "axe"))


class AxeReport:
    """Violations per page, reported all together so one run shows everything to fix."""

    def __init__(self, axe, journey, name):
        self.axe, self.journey, self.name = axe, journey, name
        self.found = []  # (page label, url, violation)
        self.checked = []

    def check(self, page, label=None):
        label = label or page.url.removeprefix(self.journey.base_url)
        self.checked.append(label)
        for violation in self.axe(page):
            self.found.append((label, page.url, violation))
            self.journey.step(page, f"axe {violation['id']} on {label}")

    def lines(self):
        for label, _, violation in self.found:
            for node in violation["nodes"]:
                yield (
                    f"{label}: {violation['id']} ({violation['impact']}) {violation['help']}\n"
                    f"    element {' '.join(map(str, node['target']))}: {node['html'][:200]}\n"
                    f"    {node.get('failureSummary', '').splitlines()[-1].strip() if node.get('failureSummary') else ''}"
                    f"  {violation['helpUrl']}"
                )

    def assert_clean(self):
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"axe-{self.name}.json").write_text(
            json.dumps([{"page": label, "url": url, **v} for label, url, v in self.found], indent=1)
        )
        check_known("axe", list(self.lines()), what=f"axe-core ({', '.join(AXE_TAGS)}) on {len(self.checked)} pages")


@pytest.fixture
def report(axe, journey, request):
    return AxeReport(axe, journey, request.node.name.removeprefix("test_"))


def test_every_public_page_passes_axe(demo, journey, page, report, client):
    site = crawl(client, extra=seeds(client))
    pages = [p.url for p in one_per_path(site.html_pages)]
    assert len(pages) > 25, pages
    for url in pages:
        page.goto(url)
        report.check(page)
    report.assert_clean()


def test_every_booking_step_and_error_state_passes_axe(demo, journey, page, report):
    page.goto("/book/")
    report.check(page, "step 1: choose a clinic")
    page.get_by_role("link", name=re.compile("See times at Kalamazoo")).click()
    report.check(page, "step 2: choose a time")
    start_iso = choose_time(page)
    report.check(page, "step 3: your details")

    FormTimer().wait()
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("alert")).to_be_visible()
    report.check(page, "step 3: nothing filled in (errors)")

    form = page.get_by_role("main")
    form.get_by_label("First name").fill("Ana")
    form.get_by_label("Last name").fill("Lopez")
    form.get_by_label("Email", exact=False).first.fill("ana@nowhere")
    form.get_by_label("Phone").fill("12")
    form.get_by_label("Date of birth").fill("2999-01-01")
    timer = FormTimer()
    timer.wait()
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("alert")).to_be_visible()
    report.check(page, "step 3: bad values (errors)")

    take_every_specialist_at(__import__("datetime").datetime.fromisoformat(start_iso), "kalamazoo")
    timer = FormTimer()
    fill_details(page)
    timer.wait()
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.locator("#choose-time")).to_be_visible()
    report.check(page, "step 3: time just taken (alternatives)")

    timer = FormTimer()
    page.locator("#choose-time").get_by_role("radio").first.check()
    timer.wait()
    page.get_by_role("button", name="Book this appointment").click()
    expect(page).to_have_url(re.compile(r"/book/done/"))
    report.check(page, "confirmation")

    page.get_by_role("link", name="Change or cancel").click()
    report.check(page, "manage")
    page.get_by_role("link", name="Choose a different time").click()
    report.check(page, "reschedule: new times")
    page.locator("main a:has(time)").first.click()
    report.check(page, "reschedule: are you sure")
    page.goto(page.url.split("?")[0] + "?start=2020-01-06T09:00:00-05:00")
    report.check(page, "reschedule: a time that does not work (error)")
    page.goto(page.url.split("reschedule/")[0] + "cancel/")
    report.check(page, "cancel: are you sure")
    page.get_by_role("button", name=re.compile("Yes, cancel")).click()
    report.check(page, "cancelled")

    page.goto("/book/kalamazoo/details/?start=2020-01-06T09:00:00-05:00")
    report.check(page, "step 3: a time in the past (error)")
    page.goto("/book/no-such-clinic/")
    report.check(page, "page not found")
    late = book_directly("portage", n=5)
    page.goto(f"/appointments/{late.token}/reschedule/?start=nonsense")
    report.check(page, "reschedule: nonsense time (error)")
    report.assert_clean()


def test_the_newsletter_forms_and_their_states_pass_axe(demo, journey, page, report, outbox):
    from urllib.parse import urlsplit

    from newsletter import services

    page.goto("/newsletter/")
    report.check(page, "newsletter page")
    timer = FormTimer()
    page.get_by_role("main").get_by_label("Email").fill("nia@nowhere")
    timer.wait()
    page.get_by_role("main").get_by_role("button", name=re.compile("Sign up|Subscribe")).click()
    report.check(page, "newsletter page: bad address (error)")

    page.goto("/")
    timer = FormTimer()
    page.get_by_role("contentinfo").get_by_label("Email").fill("nia@example.com")
    timer.wait()
    page.get_by_role("contentinfo").get_by_role("button", name=re.compile("Sign up|Subscribe")).click()
    report.check(page, "check your inbox")

    subscriber = services.sign_up(email="zoe@example.com", first_name="Zoe")
    page.goto(urlsplit(services.confirm_url(subscriber)).path)
    report.check(page, "confirm")
    page.get_by_role("button", name=re.compile("subscribe", re.I)).click()
    report.check(page, "welcome")
    page.goto(urlsplit(services.unsubscribe_url(subscriber)).path)
    report.check(page, "unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    report.check(page, "unsubscribed")
    page.goto("/newsletter/confirm/nonsense/")
    report.check(page, "confirm: bad link")
    page.goto("/newsletter/unsubscribe/nonsense/")
    report.check(page, "unsubscribe: bad link")
    report.assert_clean()


def test_axe_does_find_violations(journey, page, axe, live_server):
    """A check that finds nothing must be able to find something: a page with known problems."""
    page.goto(f"{live_server.url}/healthz")
    page.set_content('<html><body><img src="/static/img/logo-mark.svg"><a href="/"></a></body></html>')
    assert {"html-has-lang", "image-alt", "link-name"} <= {v["id"] for v in axe(page)}
