"""What a patient does in the browser, in a few words each; and reading the emails they get."""

import datetime as dt
import json
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.utils import timezone

from tests.helpers import as_a_person, book_directly

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# A POST sooner than this after the form was shown is taken for a bot and dropped quietly.
HUMAN_PAUSE = settings.FORM_MIN_SECONDS + 0.3

PATIENT = {
    "First name": "Ana",
    "Last name": "Lopez",
    "Email": "ana.lopez@example.com",
    "Phone": "269-555-0142",
    "Date of birth": "1985-04-02",
}
MANAGE_LINK = re.compile(r"https?://[^\s\"'<>]+/appointments/[^/\s\"'<>]+/")


class FormTimer:
    """Remembers when a form was shown, and waits until a person could have filled it in."""

    def __init__(self):
        self.shown_at = time.monotonic()

    def wait(self):
        remaining = HUMAN_PAUSE - (time.monotonic() - self.shown_at)
        if remaining > 0:
            time.sleep(remaining)


def fill_details(page, patient=PATIENT, reason="Back pain"):
    form = page.get_by_role("main")  # the footer has a newsletter form with its own "First name"
    for label, value in patient.items():
        form.get_by_label(label, exact=False).first.fill(value)  # a date input takes ISO whatever the locale
    form.get_by_role("radio", name=reason).check()
    form.get_by_role("checkbox", name=re.compile("I agree")).check()


def time_links(page, *, hours_ahead=0):
    """On step 2 (or the reschedule page): the links to free times at least `hours_ahead` away."""
    links = page.locator("main a:has(time[datetime])")
    earliest = timezone.now() + dt.timedelta(hours=hours_ahead)
    starts = links.locator("time").evaluate_all("times => times.map(t => t.getAttribute('datetime'))")
    return [(links.nth(i), start) for i, start in enumerate(starts) if dt.datetime.fromisoformat(start) >= earliest]


def choose_time(page, *, hours_ahead=48):
    """Follow the first free time at least `hours_ahead` away (by default past the 24-hour change cut-off),
    choosing the next day in the strip (or the later dates) as a patient would until there is one.

    Returns its ISO start as the page shows it (clinic time with offset).
    """
    for _ in range(31):
        found = time_links(page, hours_ahead=hours_ahead)
        if found:
            break
        _next_day(page)
    link, start = found[0]
    link.click()
    page.wait_for_url(re.compile(r"start="))
    return start


def _next_day(page):
    days = page.locator("main a.day-cell")
    if not days.count():  # the reschedule page: a list of days, and "Later dates"
        page.get_by_role("link", name="Later dates").click()
        return
    chosen = days.evaluate_all("cells => cells.findIndex(c => c.getAttribute('aria-current') === 'true')")
    if chosen + 1 < days.count():
        days.nth(chosen + 1).click()
    else:
        page.get_by_role("link", name=re.compile("Later dates")).click()


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def body_of(message):
    """Plain text and HTML bodies together."""
    parts = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def manage_path(message):
    """The site-relative manage link in a booking email (its host is SITE_URL, not the live server)."""
    found = MANAGE_LINK.search(body_of(message))
    assert found, f"no manage link in the email {message.subject!r}:\n{message.body}"
    return urlsplit(found.group(0)).path


def free_starts(clinic, specialist, day):
    """The free start times of one specialist on one local day, as the slot API computes them."""
    from appointments import availability

    now = timezone.now()
    slots = availability.slots_for_clinics(
        [clinic], now=now, days=1, first_day=day, appointment_type=availability.online_type(), specialist=specialist
    )[clinic.pk]
    return {slot.start for slot in slots}


def take_every_specialist_at(start, clinic_slug):
    """Someone faster books `start` with every specialist of the clinic."""
    from appointments import services
    from clinics.models import Clinic, Specialist

    clinic = Clinic.objects.get(slug=clinic_slug)
    for n, specialist in enumerate(Specialist.objects.filter(working_hours__clinic=clinic).distinct(), 900):
        patient = services.Patient(
            first_name="Faster", last_name=f"Patient{n}", email=f"faster{n}@example.com", phone=f"+1269555{n:04d}"
        )
        try:
            services.book_appointment(clinic=clinic, start=start, specialist=specialist, patient=patient)
        except services.BookingError:
            pass


def error_states(client):
    """Each public form's answers to bad input, and other states a crawl does not reach: {name: (url, html)}."""
    from appointments.models import Appointment

    states = {}

    def keep(name, url, response):
        assert response.status_code < 500, (name, response.status_code)
        states[name] = (url, response.content.decode())

    client.get("/")  # the session, like a browser
    times = client.get("/book/kalamazoo/").content.decode()
    details = re.search(r'href="(/book/kalamazoo/details/\?[^"]+)"', times).group(1).replace("&amp;", "&")
    keep(
        "booking form, nothing filled in",
        details,
        client.post(details, {"start": _query(details, "start"), **as_a_person()}),
    )
    keep(
        "booking form, bad values",
        details,
        client.post(
            details,
            {
                "start": _query(details, "start"),
                "first_name": "Ana",
                "last_name": "L\nopez",
                "email": "not-an-address",
                "phone": "12",
                "date_of_birth": "2999-01-01",
                "reason": "nonsense",
                **as_a_person(),
            },
        ),
    )
    taken = book_directly("kalamazoo", n=77)
    keep(
        "booking form, time just taken",
        details,
        client.post(
            f"/book/kalamazoo/details/?specialist={taken.specialist.slug}",
            {
                "start": taken.start_local.isoformat(),
                "specialist": taken.specialist.slug,
                "first_name": "Ana",
                "last_name": "Lopez",
                "email": "ana.lopez@example.com",
                "phone": "269-555-0142",
                "date_of_birth": "1985-04-02",
                "reason": Appointment.Reason.choices[0][0],
                "consent": "on",
                **as_a_person(),
            },
        ),
    )
    keep(
        "booking form, a time in the past",
        "details?start=past",
        client.get("/book/kalamazoo/details/?start=2020-01-06T09:00:00-05:00"),
    )
    keep(
        "newsletter form, bad address",
        "/newsletter/",
        client.post("/newsletter/", {"email": "nope", "source": "page", **as_a_person()}),
    )
    keep(
        "newsletter form, name on two lines",
        "/newsletter/",
        client.post(
            "/newsletter/", {"email": "nia@example.com", "first_name": "Ni\na", "source": "page", **as_a_person()}
        ),
    )
    keep(
        "newsletter, check your inbox",
        "/newsletter/",
        client.post("/newsletter/", {"email": "nia@example.com", **as_a_person()}),
    )
    from newsletter import services as newsletter

    subscriber = newsletter.sign_up(email="zoe@example.com", first_name="Zoe")
    confirm = urlsplit(newsletter.confirm_url(subscriber)).path
    keep("newsletter, confirm page", confirm, client.get(confirm))
    keep("newsletter, welcome", confirm, client.post(confirm))
    keep("newsletter, confirm link used again", confirm, client.get(confirm))
    unsubscribe = urlsplit(newsletter.unsubscribe_url(subscriber)).path
    keep("newsletter, unsubscribe page", unsubscribe, client.get(unsubscribe))
    keep("newsletter, unsubscribed", unsubscribe, client.post(unsubscribe))
    keep("newsletter, bad confirm link", "/newsletter/confirm/x/", client.get("/newsletter/confirm/nonsense/"))
    keep(
        "newsletter, bad unsubscribe link",
        "/newsletter/unsubscribe/x/",
        client.get("/newsletter/unsubscribe/nonsense/"),
    )
    keep("page not found", "/no-such-page/", client.get("/no-such-page/"))
    manage = f"/appointments/{taken.token}/"
    keep(
        "reschedule, a time that does not work",
        manage + "reschedule/?start=nonsense",
        client.get(manage + "reschedule/?start=nonsense"),
    )
    client.post(manage + "cancel/")
    keep("manage, after cancelling", manage, client.get(manage))
    keep("cancel, already cancelled", manage + "cancel/", client.get(manage + "cancel/"))
    keep("booking link, unknown", "/appointments/x/", client.get("/appointments/nonsense/"))
    return states


def _query(url, key):
    from urllib.parse import parse_qs

    return parse_qs(urlsplit(url).query)[key][0]


def run_vnu(files):
    """The Nu Html Checker's errors for each file, in one JVM start: {path: [message, ...]}."""
    completed = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = json.loads(completed.stderr or completed.stdout)
    errors = {}
    for message in report["messages"]:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            path = message.get("url", "").removeprefix("file:")
            where = f"line {message.get('lastLine', '?')}"
            extract = " ".join(message.get("extract", "").split())
            errors.setdefault(path, []).append(f"{where}: {message['message']}  [{extract}]")
    return errors
