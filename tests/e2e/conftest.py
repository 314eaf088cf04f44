"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

What each test needs is said by its `e2e` mark: `@pytest.mark.e2e(needs=("chromium", "axe"))`.
Without it (no Chromium, no `npm ci`, no Java) the test is skipped with the reason; with
REQUIRE_SERVICES=1 (CI) it fails instead, so CI cannot pass without really running it.
`.ci/e2e-setup.sh` installs everything.

On failure a test leaves in test-artifacts/<test>/: a screenshot of every step it recorded
(`journey.step(...)`), the last page as PNG and HTML, and the emails it sent.
"""

import datetime as dt
import io
import os
import re
import shutil
from functools import cache
from pathlib import Path

import pytest
import time_machine
from django.core import mail

from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import ARTIFACTS, AXE_JS, AXE_TAGS, ROOT, VNU_JAR
from tests.helpers import DEFAULT_NOW

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
SETUP_HINT = "run `bash .ci/e2e-setup.sh` (apt-get install chromium, npm ci)"

DESKTOP = {"width": 1280, "height": 800}


# --- What a test needs, and skip or fail without it --------------------------------------------


@cache
def _missing_chromium():
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "needs Playwright for Python: `make test` installs requirements-dev.txt"
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        return f"needs Chromium at {CHROMIUM}: {SETUP_HINT}"
    return None


@cache
def _missing_axe():
    return None if AXE_JS.is_file() else f"needs axe-core in node_modules/: {SETUP_HINT}"


@cache
def _missing_vnu():
    if not VNU_JAR.is_file():
        return f"needs vnu-jar in node_modules/: {SETUP_HINT}"
    if not shutil.which("java"):
        return "needs Java 11+ for the Nu Html Checker: apt-get install default-jre-headless"
    return None


PROBES = {"chromium": _missing_chromium, "axe": _missing_axe, "vnu": _missing_vnu}


def _needs(item):
    mark = item.get_closest_marker("e2e")
    if mark is None:
        return ()
    return mark.kwargs.get("needs", ("chromium",))


def pytest_runtest_setup(item):
    for need in _needs(item):
        if reason := PROBES[need]():
            if REQUIRE_SERVICES:
                pytest.fail(f"REQUIRE_SERVICES=1 but this browser test {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _failed(request):
    return any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))


# --- The browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps an asyncio loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop. The test code is synchronous all the same.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Journey:
    """The pages of one test: makes browser contexts and remembers a screenshot per step."""

    def __init__(self, browser, base_url, request):
        self.browser = browser
        self.base_url = base_url
        self.request = request
        self.contexts = []
        self.pages = []
        self.shots = []
        self.console_errors = []

    def new_page(self, **options):
        options.setdefault("viewport", DESKTOP)
        context = self.browser.new_context(base_url=self.base_url, locale="en-US", **options)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(20_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.pages.append(page)
        return page

    def step(self, page, name):
        """Remember what the page looks like now (written out only if the test fails), and check
        that it fits the window: no page may scroll sideways, on a phone or anywhere else."""
        width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= window, f"{name}: {page.url} is {width} px wide in a {window} px window"
        try:
            self.shots.append((name, page.url, page.screenshot(full_page=True)))
        except Exception as exc:  # noqa: BLE001 -- a screenshot must not fail the test
            self.shots.append((f"{name} (no screenshot: {exc})", page.url, None))

    def save_artifacts(self):
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", self.request.node.nodeid.split("::", 1)[-1])[:120]
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        index = []
        for number, (name, url, png) in enumerate(self.shots, 1):
            slug = re.sub(r"[^\w-]+", "-", name)[:60]
            filename = f"{number:02d}-{slug}.png"
            if png:
                (folder / filename).write_bytes(png)
            index.append(f"{filename}  {url}  {name}")
        for number, page in enumerate(self.pages, 1):
            if page.is_closed():
                continue
            try:
                page.screenshot(path=folder / f"last-page-{number}.png", full_page=True)
                (folder / f"last-page-{number}.html").write_text(page.content())
                index.append(f"last-page-{number}.png  {page.url}")
            except Exception as exc:  # noqa: BLE001
                index.append(f"last-page-{number}: no screenshot ({exc})")
        for number, message in enumerate(getattr(mail, "outbox", []), 1):
            (folder / f"email-{number}.eml").write_bytes(message.message().as_bytes())
        if self.console_errors:
            index.append("console errors:\n  " + "\n  ".join(self.console_errors))
        (folder / "index.txt").write_text("\n".join(index) + "\n")
        return folder

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(browser, live_server, request):
    journey = Journey(browser, live_server.url, request)
    yield journey
    try:
        if _failed(request):
            folder = journey.save_artifacts()
            print(f"\nScreenshots of each step: {folder.relative_to(ROOT)}/")
    finally:
        journey.close()


@pytest.fixture
def page(journey):
    return journey.new_page()


# --- The clock and the data: the demo site, as `make run` shows it -------------------------------


@pytest.fixture
def clock():
    """Starts at DEFAULT_NOW, like everywhere else, but runs: a person in the browser takes seconds
    to fill in a form, and the live server (a thread of this process) must see them pass."""
    with time_machine.travel(DEFAULT_NOW.astimezone(dt.UTC), tick=True) as traveller:
        yield traveller


def _load_demo():
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    try:
        from appointments.roles import grant_roles
    except ImportError:
        pass
    else:
        grant_roles()


@pytest.fixture
def demo(clock, transactional_db):
    """The demo clinics, team, hours and guides, for the live server (committed, so its thread sees them).

    Also the staff roles: a transactional test's flush drops the rows their migration made.
    """
    _load_demo()


@pytest.fixture
def demo_in_transaction(clock, db):
    """The demo data for tests through Django's test client (rolled back after each test)."""
    _load_demo()


@pytest.fixture
def outbox():
    """The emails sent so far (Celery runs tasks in-process here, the live server is a thread)."""
    return mail.outbox


# --- axe-core and the Nu Html Checker ------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source():
    return AXE_JS.read_text()


SETTLED = """() => Promise.race([
    Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
        .map(a => a.finished.catch(() => null))),
    new Promise(resolve => setTimeout(resolve, 1000)),
])"""


@pytest.fixture
def axe(axe_source):
    """axe(page) -> the violations at WCAG 2.2 AA on the page as it is now."""

    def run(page):
        # A button caught mid-way through its 0.15 s hover or focus transition has colours no
        # visitor ever rests on: let finite transitions and animations end first (at most 1 s).
        page.evaluate(SETTLED)
        # evaluate() is not subject to the page's Content-Security-Policy; a <script> tag would be.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        return result["violations"]

    return run
